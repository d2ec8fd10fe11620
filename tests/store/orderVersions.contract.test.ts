/**
 * Order webhooks arrive out of order: a store sends order.created and a few order.updated within
 * seconds, and n8n (most of all in queue mode, where each goes to whichever worker is free) may
 * record them in any order. The order's own "last changed" time (Shopify updated_at, WooCommerce
 * date_modified) decides: an event older than the one already recorded changes nothing, so a late
 * "processing" never brings a cancelled order back into the order count, and a late "pending"
 * never turns a paid order unpaid. Events without such a time are applied as they come.
 */
import { openUncachedStore, type ContactStore, type OrderEvent } from '../../lib/store';
import { parseShopifyOrder } from '../../lib/sources/shopify';
import { parseWooOrder } from '../../lib/sources/woocommerce';
import { BACKENDS, freshConfig, type Backend } from '../support/stores';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const MINUTE = 60_000;

function order(overrides: Partial<OrderEvent> = {}): OrderEvent {
	return {
		source: 'woocommerce',
		orderId: '727',
		contact: { email: 'ada@example.com' },
		placedAt: T0,
		total: 80,
		currency: 'EUR',
		lineItems: [{ productId: 'p1', title: 'Trail shoe', quantity: 1, price: 80 }],
		...overrides,
	};
}

const created = order({ status: 'pending', financialStatus: 'pending', updatedAt: T0 });
const processing = order({ status: 'processing', financialStatus: 'paid', updatedAt: T0 + MINUTE });
const cancelled = order({ status: 'cancelled', financialStatus: 'pending', updatedAt: T0 + 2 * MINUTE });

describe('order sources give the order\'s own update time', () => {
	it('Shopify: updated_at', () => {
		const { event } = parseShopifyOrder({ id: 1, email: 'a@example.com', currency: 'EUR', created_at: '2026-03-01T10:00:00Z', updated_at: '2026-03-01T10:05:00+01:00', line_items: [] });
		expect(event.updatedAt).toBe(Date.parse('2026-03-01T09:05:00Z'));
	});
	it('WooCommerce: date_modified_gmt', () => {
		const { event } = parseWooOrder({
			id: 727,
			status: 'processing',
			currency: 'EUR',
			billing: { email: 'a@example.com' },
			date_created_gmt: '2026-03-01T10:00:00',
			date_modified_gmt: '2026-03-01T10:07:00',
			line_items: [],
		});
		expect(event.updatedAt).toBe(Date.parse('2026-03-01T10:07:00Z'));
	});
});

describe.each(BACKENDS)('order versions on %s', (backend: Backend) => {
	let store: ContactStore;
	beforeEach(async () => {
		store = await openUncachedStore(freshConfig(backend));
	});
	afterEach(async () => {
		await store.close();
	});

	it('a late, older update does not bring a cancelled order back into the count', async () => {
		await store.recordOrder(created, { eventKey: 'created' });
		expect((await store.recordOrder(cancelled, { eventKey: 'cancelled' })).contact).toMatchObject({ orderCount: 0, totalSpent: 0 });
		const late = await store.recordOrder(processing, { eventKey: 'processing' });
		expect(late).toMatchObject({ duplicate: false, newOrder: false, changes: [], order: { status: 'cancelled', counted: false }, contact: { orderCount: 0, totalSpent: 0 } });
	});

	it('every order of arrival ends in the latest state', async () => {
		const versions = [created, processing, cancelled];
		const orders = [
			[0, 1, 2],
			[0, 2, 1],
			[1, 0, 2],
			[1, 2, 0],
			[2, 0, 1],
			[2, 1, 0],
		];
		for (const [n, arrival] of orders.entries()) {
			const email = `ada${n}@example.com`;
			for (const i of arrival) await store.recordOrder({ ...versions[i], orderId: `o${n}`, contact: { email } }, { eventKey: `o${n}:${i}` });
			const details = await store.getContactDetails(email, ['orders']);
			expect({ arrival, status: details!.orders![0].status, orderCount: details!.contact.orderCount }).toEqual({ arrival, status: 'cancelled', orderCount: 0 });
		}
	});

	it('a late "pending" does not turn a paid order unpaid; a newer version still applies', async () => {
		await store.recordOrder(processing, { eventKey: 'processing' });
		const late = await store.recordOrder(created, { eventKey: 'created' });
		expect(late.order).toMatchObject({ financialStatus: 'paid', status: 'processing', counted: true });
		expect(late.contact).toMatchObject({ orderCount: 1, totalSpent: 80 });
		const refunded = await store.recordOrder(order({ status: 'refunded', financialStatus: 'refunded', updatedAt: T0 + 3 * MINUTE }), { eventKey: 'refunded' });
		expect(refunded).toMatchObject({ changes: expect.arrayContaining(['orderUpdated']), order: { status: 'refunded', counted: false }, contact: { orderCount: 0 } });
	});

	it('the same update time applies (the store changed it twice within its clock\'s resolution), and events without one apply as they come', async () => {
		await store.recordOrder(processing, { eventKey: 'a' });
		const same = await store.recordOrder({ ...processing, status: 'completed', financialStatus: 'paid', fulfillmentStatus: 'fulfilled' }, { eventKey: 'b' });
		expect(same.order).toMatchObject({ status: 'completed', fulfillmentStatus: 'fulfilled' });
		const unversioned = await store.recordOrder(order({ status: 'cancelled' }), { eventKey: 'c' });
		expect(unversioned.order).toMatchObject({ status: 'cancelled', counted: false });
	});
});
