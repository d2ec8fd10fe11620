/**
 * One contract, two backends: every behaviour of the contact store is checked
 * on SQLite (node:sqlite) and on a real PostgreSQL server.
 */
import { openUncachedStore, type CartEvent, type ContactStore, type OrderEvent } from '../../lib/store';
import { BACKENDS, freshConfig, sampleCart, type Backend } from '../support/stores';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const HOUR = 3_600_000;

function order(overrides: Partial<OrderEvent> = {}): OrderEvent {
	return {
		source: 'shopify',
		orderId: '1001',
		contact: { email: 'ada@example.com', firstName: 'Ada' },
		placedAt: T0,
		total: 59.9,
		currency: 'EUR',
		lineItems: [
			{ productId: 'p1', variantId: 'v1', sku: 'SKU-1', title: 'Trail shoe', quantity: 1, price: 49.9 },
			{ productId: 'p2', title: 'Socks', quantity: 2, price: 5 },
		],
		...overrides,
	};
}

const cart = (overrides: Partial<CartEvent> = {}): CartEvent => sampleCart(T0, overrides);

describe.each(BACKENDS)('contact store on %s', (backend: Backend) => {
	let store: ContactStore;
	beforeEach(async () => {
		store = await openUncachedStore(freshConfig(backend));
	});
	afterEach(async () => {
		await store.close();
	});

	it('reports its backend and answers a ping', async () => {
		expect(store.backend).toBe(backend);
		await expect(store.ping()).resolves.toBeUndefined();
	});

	it('applies migrations once: reopening an existing store keeps its data', async () => {
		const config = freshConfig(backend);
		const first = await openUncachedStore(config);
		await first.upsertProfile({ email: 'kept@example.com', firstName: 'Kept' });
		await first.close();
		const second = await openUncachedStore(config);
		expect((await second.getContact('kept@example.com'))?.firstName).toBe('Kept');
		await second.close();
	});

	describe('profiles', () => {
		it('creates, merges and reports what changed', async () => {
			const created = await store.upsertProfile(
				{ email: 'ada@example.com', firstName: 'Ada', country: 'DE', custom: { shoeSize: 38 }, customerIds: { shopify: '1' } },
				{ now: T0 },
			);
			expect(created.changes).toEqual(expect.arrayContaining(['created', 'firstName', 'country', 'custom', 'customerIds']));
			expect(created.contact).toMatchObject({ email: 'ada@example.com', firstName: 'Ada', country: 'DE', status: 'not_subscribed' });
			const updated = await store.upsertProfile(
				{ email: 'ada@example.com', lastName: 'Lovelace', custom: { vip: true }, customerIds: { woocommerce: '7' } },
				{ now: T0 + 1 },
			);
			expect(updated.changes.sort()).toEqual(['custom', 'customerIds', 'lastName']);
			expect(updated.contact.custom).toEqual({ shoeSize: 38, vip: true });
			expect(updated.contact.customerIds).toEqual({ shopify: '1', woocommerce: '7' });
			const same = await store.upsertProfile({ email: 'ada@example.com', firstName: 'Ada' });
			expect(same.changes).toEqual([]);
			const removed = await store.upsertProfile({ email: 'ada@example.com', custom: { vip: null } });
			expect(removed.contact.custom).toEqual({ shoeSize: 38 });
		});

		it('stores birthdays with and without a year, and keeps the earliest signup date', async () => {
			await store.upsertProfile({ email: 'b@example.com', birthday: '--02-29', signedUpAt: T0 });
			const r = await store.upsertProfile({ email: 'b@example.com', signedUpAt: T0 + HOUR });
			expect(r.contact.birthday).toBe('--02-29');
			expect(r.contact.signedUpAt).toBe(new Date(T0).toISOString());
		});

		it('a store flag never lifts a suppression; an explicit re-subscription lifts an unsubscribe but not a bounce', async () => {
			await store.upsertProfile({ email: 'u@example.com', status: 'subscribed' }, { now: T0 });
			await store.unsubscribe('u@example.com', 'unsubscribed', { now: T0 + 1 });
			let r = await store.upsertProfile({ email: 'u@example.com', status: 'subscribed' });
			expect(r.contact).toMatchObject({ status: 'unsubscribed', suppressed: true, suppressionReason: 'unsubscribed' });
			r = await store.upsertProfile({ email: 'u@example.com', status: 'subscribed', liftSuppression: true });
			expect(r.contact).toMatchObject({ status: 'subscribed', suppressed: false, suppressionReason: null });

			await store.recordEngagement({ contact: { email: 'bounce@example.com' }, type: 'bounce', occurredAt: T0 });
			r = await store.upsertProfile({ email: 'bounce@example.com', status: 'subscribed', liftSuppression: true });
			expect(r.contact).toMatchObject({ suppressed: true, suppressionReason: 'bounced' });
		});

		it('returns null for an unknown contact', async () => {
			expect(await store.getContact('nobody@example.com')).toBeNull();
			expect(await store.getContactDetails('nobody@example.com', ['orders'])).toBeNull();
		});
	});

	describe('orders', () => {
		it('records an order with line items and derives the purchase figures', async () => {
			const r = await store.recordOrder(order(), { now: T0 });
			expect(r.newOrder).toBe(true);
			expect(r.contact).toMatchObject({
				orderCount: 1,
				totalSpent: 59.9,
				lastOrderValue: 59.9,
				averageOrderValue: 59.9,
				currency: 'EUR',
				firstPurchaseAt: '2026-03-01T10:00:00.000Z',
				lastPurchaseAt: '2026-03-01T10:00:00.000Z',
			});
			expect(r.changes).toEqual(expect.arrayContaining(['created', 'orderRecorded', 'orderCount', 'totalSpent', 'firstPurchaseAt']));
			expect(r.order.lineItems).toEqual([
				{ productId: 'p1', variantId: 'v1', sku: 'SKU-1', title: 'Trail shoe', quantity: 1, price: 49.9 },
				{ productId: 'p2', title: 'Socks', quantity: 2, price: 5 },
			]);
			const second = await store.recordOrder(order({ orderId: '1002', placedAt: T0 + 48 * HOUR, total: 20.1 }));
			expect(second.contact).toMatchObject({ orderCount: 2, totalSpent: 80, averageOrderValue: 40, lastOrderValue: 20.1 });
			expect(second.contact.firstPurchaseAt).toBe('2026-03-01T10:00:00.000Z');
			const details = await store.getContactDetails('ada@example.com', ['orders']);
			expect(details?.orders?.map((o) => o.orderId)).toEqual(['1001', '1002']);
		});

		it('a replayed order (same id, or same event key) changes nothing', async () => {
			await store.recordOrder(order(), { eventKey: 'shopify:orders/create:1001' });
			const byKey = await store.recordOrder(order(), { eventKey: 'shopify:orders/create:1001' });
			expect(byKey.duplicate).toBe(true);
			expect(byKey.changes).toEqual([]);
			const byId = await store.recordOrder(order());
			expect(byId.duplicate).toBe(false);
			expect(byId.newOrder).toBe(false);
			expect(byId.changes).toEqual([]);
			expect(byId.contact.orderCount).toBe(1);
			expect(byId.contact.totalSpent).toBe(59.9);
		});

		it('a later status update is applied once; a cancellation takes the order out of the figures', async () => {
			await store.recordOrder(order({ financialStatus: 'pending' }));
			const paid = await store.recordOrder(order({ financialStatus: 'paid' }));
			expect(paid.changes).toEqual(['orderUpdated']);
			expect(paid.order.financialStatus).toBe('paid');
			expect(paid.contact.orderCount).toBe(1);
			const cancelled = await store.recordOrder(order({ status: 'cancelled', financialStatus: 'refunded' }));
			expect(cancelled.contact).toMatchObject({ orderCount: 0, totalSpent: 0, lastPurchaseAt: null });
			expect(cancelled.order.counted).toBe(false);
		});

		it('loses nothing when many orders for one contact arrive at once', async () => {
			const n = 40;
			await Promise.all(
				Array.from({ length: n }, (_, i) => store.recordOrder(order({ orderId: `c-${i}`, total: 10, placedAt: T0 + i * 1000 }))),
			);
			const contact = await store.getContact('ada@example.com');
			expect(contact).toMatchObject({ orderCount: n, totalSpent: 10 * n });
		});

		it('counts a webhook retried concurrently exactly once', async () => {
			const results = await Promise.all(
				Array.from({ length: 10 }, () => store.recordOrder(order({ orderId: 'retry' }), { eventKey: 'wh-retry' })),
			);
			expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
			expect((await store.getContact('ada@example.com'))?.orderCount).toBe(1);
		});
	});

	describe('carts', () => {
		it('records a checkout, updates it, and the order with its token converts it', async () => {
			const started = await store.recordCart(cart());
			expect(started.changes).toEqual(expect.arrayContaining(['created', 'cartStarted']));
			expect(started.cart).toMatchObject({ cartId: 'chk-1', value: 49.9, convertedAt: null, recoveryUrl: 'https://shop.example.com/recover/chk-1' });
			const updated = await store.recordCart(
				cart({ value: 59.9, updatedAt: T0 - HOUR / 2, items: [...cart().items, { productId: 'p2', title: 'Socks', quantity: 2, price: 5 }] }),
			);
			expect(updated.changes).toEqual(['cartUpdated']);
			expect(updated.cart.items).toHaveLength(2);
			// An older update arriving late is ignored.
			const stale = await store.recordCart(cart({ value: 1, updatedAt: T0 - 2 * HOUR }));
			expect(stale.cart.value).toBe(59.9);
			const converted = await store.recordOrder(order({ checkoutToken: 'chk-1' }));
			expect(converted.changes).toContain('cartConverted');
			const details = await store.getContactDetails('ada@example.com', ['carts']);
			expect(details?.carts?.[0]).toMatchObject({ convertedAt: '2026-03-01T10:00:00.000Z', orderId: '1001' });
		});

		it('a cart that arrives after its order is recorded as converted', async () => {
			await store.recordOrder(order({ cartToken: 'cart-1' }));
			const late = await store.recordCart(cart());
			expect(late.changes).toContain('cartConverted');
			expect(late.cart.convertedAt).toBe('2026-03-01T10:00:00.000Z');
		});

		it('a replayed checkout event is a duplicate', async () => {
			await store.recordCart(cart(), { eventKey: 'checkout:chk-1:1' });
			const again = await store.recordCart(cart(), { eventKey: 'checkout:chk-1:1' });
			expect(again.duplicate).toBe(true);
			expect(again.cart.cartId).toBe('chk-1');
		});
	});

	describe('behaviour', () => {
		it('counts product views per product and keeps first and last view times', async () => {
			await store.recordProductView({ contact: { email: 'v@example.com' }, productId: 'p1', title: 'Trail shoe', viewedAt: T0 });
			await store.recordProductView({ contact: { email: 'v@example.com' }, productId: 'p1', viewedAt: T0 - HOUR });
			const r = await store.recordProductView({ contact: { email: 'v@example.com' }, productId: 'p1', viewedAt: T0 + HOUR });
			expect(r.productView).toMatchObject({
				productId: 'p1',
				title: 'Trail shoe',
				viewCount: 3,
				firstViewedAt: new Date(T0 - HOUR).toISOString(),
				lastViewedAt: new Date(T0 + HOUR).toISOString(),
			});
			const again = await store.recordProductView(
				{ contact: { email: 'v@example.com' }, productId: 'p1', viewedAt: T0 + HOUR },
				{ eventKey: 'view-1' },
			);
			expect(again.productView.viewCount).toBe(4);
			const replay = await store.recordProductView(
				{ contact: { email: 'v@example.com' }, productId: 'p1', viewedAt: T0 + HOUR },
				{ eventKey: 'view-1' },
			);
			expect(replay.duplicate).toBe(true);
			expect(replay.productView.viewCount).toBe(4);
		});

		it('counts site visits and keeps the latest visit time', async () => {
			await store.recordPageVisit({ contact: { email: 'v@example.com' }, url: 'https://shop.example.com/', visitedAt: T0 });
			const r = await store.recordPageVisit({ contact: { email: 'v@example.com' }, url: 'https://shop.example.com/a', visitedAt: T0 - HOUR });
			expect(r.contact).toMatchObject({ siteVisits: 2, lastVisitAt: new Date(T0).toISOString() });
		});

		it('opens and clicks move the last engagement date; bounces, complaints and unsubscribes suppress', async () => {
			const open = await store.recordEngagement({ contact: { email: 'e@example.com' }, type: 'open', occurredAt: T0 });
			expect(open.contact.lastEngagementAt).toBe(new Date(T0).toISOString());
			const older = await store.recordEngagement({ contact: { email: 'e@example.com' }, type: 'click', occurredAt: T0 - HOUR });
			expect(older.contact.lastEngagementAt).toBe(new Date(T0).toISOString());
			const soft = await store.recordEngagement({ contact: { email: 'e@example.com' }, type: 'soft_bounce', occurredAt: T0 });
			expect(soft.contact.suppressed).toBe(false);
			const unsub = await store.recordEngagement({ contact: { email: 'e@example.com' }, type: 'unsubscribe', occurredAt: T0 });
			expect(unsub.contact).toMatchObject({ status: 'unsubscribed', suppressed: true, suppressionReason: 'unsubscribed' });
			const complaint = await store.recordEngagement({ contact: { email: 'e@example.com' }, type: 'complaint', occurredAt: T0 });
			expect(complaint.contact).toMatchObject({ suppressed: true, suppressionReason: 'complained' });
		});
	});

	describe('unsubscribe, coupons and erasure', () => {
		it('unsubscribes with a reason, idempotently', async () => {
			await store.upsertProfile({ email: 'x@example.com', status: 'subscribed' });
			const r = await store.unsubscribe('x@example.com', 'unsubscribed');
			expect(r.contact).toMatchObject({ status: 'unsubscribed', suppressed: true, suppressionReason: 'unsubscribed' });
			expect(r.changes).toEqual(expect.arrayContaining(['status', 'suppressed']));
			const again = await store.unsubscribe('x@example.com', 'unsubscribed');
			expect(again.changes).toEqual([]);
		});

		it('gives the same contact the same code for the same campaign, and unique codes otherwise', async () => {
			const first = await store.issueCoupon({ email: 'c@example.com', campaign: 'welcome', prefix: 'WELCOME-', codeLength: 8, expiresAt: T0 + 7 * 24 * HOUR, now: T0 });
			expect(first.created).toBe(true);
			expect(first.coupon.code).toMatch(/^WELCOME-[A-Z2-9]{8}$/);
			expect(first.coupon.expiresAt).toBe(new Date(T0 + 7 * 24 * HOUR).toISOString());
			const again = await store.issueCoupon({ email: 'c@example.com', campaign: 'welcome', prefix: 'OTHER-', codeLength: 8, now: T0 + 1 });
			expect(again).toMatchObject({ created: false, coupon: { code: first.coupon.code } });
			const expired = await store.issueCoupon({ email: 'c@example.com', campaign: 'welcome', prefix: 'X', codeLength: 8, now: T0 + 8 * 24 * HOUR });
			expect(expired.coupon.expired).toBe(true);
			const other = await store.issueCoupon({ email: 'd@example.com', campaign: 'welcome', prefix: 'WELCOME-', codeLength: 8 });
			expect(other.coupon.code).not.toBe(first.coupon.code);
			const concurrent = await Promise.all(
				Array.from({ length: 8 }, () => store.issueCoupon({ email: 'e@example.com', campaign: 'bf', prefix: 'BF-', codeLength: 8 })),
			);
			expect(new Set(concurrent.map((c) => c.coupon.code)).size).toBe(1);
		});

		it('deletes a contact and all its data; replaying an old event does not bring them back', async () => {
			await store.recordOrder(order(), { eventKey: 'evt-order' });
			await store.recordCart(cart());
			await store.recordProductView({ contact: { email: 'ada@example.com' }, productId: 'p1', viewedAt: T0 });
			await store.recordPageVisit({ contact: { email: 'ada@example.com' }, url: 'https://shop.example.com/', visitedAt: T0 });
			await store.recordEngagement({ contact: { email: 'ada@example.com' }, type: 'open', occurredAt: T0 });
			await store.issueCoupon({ email: 'ada@example.com', campaign: 'welcome', prefix: '', codeLength: 8 });
			const r = await store.deleteContact('ada@example.com');
			expect(r.deleted).toBe(true);
			expect(r.removed).toMatchObject({ orders: 1, order_items: 2, carts: 1, product_views: 1, product_view_events: 1, page_visits: 1, engagement_events: 1, coupons: 1 });
			expect(await store.getContact('ada@example.com')).toBeNull();
			const replay = await store.recordOrder(order(), { eventKey: 'evt-order' });
			expect(replay.duplicate).toBe(true);
			expect(replay.contact).toBeNull();
			expect(await store.getContact('ada@example.com')).toBeNull();
			expect((await store.deleteContact('ada@example.com')).deleted).toBe(false);
		});

		it('rolls back a write that fails half-way', async () => {
			const bad = order({ lineItems: [{ title: null as unknown as string, quantity: 1, price: 1 }] });
			await expect(store.recordOrder(bad, { eventKey: 'half' })).rejects.toThrow();
			expect(await store.getContact('ada@example.com')).toBeNull();
			const retried = await store.recordOrder(order(), { eventKey: 'half' });
			expect(retried.duplicate).toBe(false);
			expect(retried.contact.orderCount).toBe(1);
		});
	});
});
