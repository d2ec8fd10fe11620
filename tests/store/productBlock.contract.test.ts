/**
 * Product Block's store reads (purchases, bought together) on both backends, and
 * the SQLite query plans that keep bought-together bounded on a large history.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openUncachedStore, type ContactStore, type LineItem } from '../../lib/store';
import { migrate } from '../../lib/store/migrations';
import { productsBoughtTogether } from '../../lib/store/productQueries';
import type { SqlExecutor, SqlValue } from '../../lib/store/sql';
import { SqliteDriver } from '../../lib/store/sqliteDriver';
import { BACKENDS, freshConfig, type Backend } from '../support/stores';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const DAY = 86_400_000;

const camera: LineItem = { productId: 'camera', title: 'X100 camera', quantity: 1, price: 999 };
const bag: LineItem = { productId: 'bag', title: 'Camera bag', quantity: 1, price: 59 };
const strap: LineItem = { productId: 'strap', title: 'Leather strap', quantity: 1, price: 29, imageUrl: 'https://cdn.example.com/strap.png', url: 'https://shop.example.com/strap' };
const lens: LineItem = { productId: 'lens', title: 'Wide lens', quantity: 1, price: 399 };
const tripod: LineItem = { productId: 'tripod', title: 'Tripod', quantity: 1, price: 89 };
const giftWrap: LineItem = { title: 'Gift wrap', quantity: 1, price: 3 };

let orderNo = 0;
async function order(store: ContactStore, email: string, items: LineItem[], day: number, status = 'open') {
	orderNo++;
	await store.recordOrder({
		source: 'shopify',
		orderId: `o-${orderNo}`,
		contact: { email },
		placedAt: T0 + day * DAY,
		total: items.reduce((s, i) => s + i.price, 0),
		currency: 'EUR',
		status,
		financialStatus: status === 'cancelled' ? 'voided' : 'paid',
		lineItems: items,
	});
}

/** A history: Ada bought the camera, then a strap; others bought the camera with a bag, a strap, a lens… */
async function seed(store: ContactStore) {
	await order(store, 'ada@example.com', [camera], 1);
	await order(store, 'ada@example.com', [strap], 2);
	await order(store, 'b1@example.com', [camera, bag], 3);
	await order(store, 'b2@example.com', [camera, bag, strap, giftWrap], 4);
	await order(store, 'b3@example.com', [camera, strap], 5);
	await order(store, 'b4@example.com', [camera, { ...bag, title: 'Camera bag (new edition)', price: 64 }], 6);
	await order(store, 'b5@example.com', [tripod], 7);
	await order(store, 'b6@example.com', [camera, lens], 8, 'cancelled');
	await store.recordProductView({ contact: { email: 'b1@example.com' }, productId: 'bag', imageUrl: 'https://cdn.example.com/bag.png', url: 'https://shop.example.com/bag', viewedAt: T0 });
}

describe.each(BACKENDS)('product block store reads on %s', (backend: Backend) => {
	let store: ContactStore;
	beforeEach(async () => {
		store = await openUncachedStore(freshConfig(backend));
		await seed(store);
	});
	afterEach(async () => {
		await store.close();
	});

	it('lists what a contact bought, most recent first', async () => {
		expect(await store.purchasedProductIds('ada@example.com')).toEqual(['strap', 'camera']);
		expect(await store.purchasedProductIds('b2@example.com')).toEqual(['bag', 'camera', 'strap']);
		expect(await store.purchasedProductIds('b2@example.com', 1)).toHaveLength(1);
		expect(await store.purchasedProductIds('nobody@example.com')).toEqual([]);
	});

	it('recommends what others bought with the contact’s purchases, leaving out theirs and cancelled orders', async () => {
		const result = await store.productsBoughtTogether({ email: 'ada@example.com', limit: 5 });
		// Basis: strap and camera. Bag was in 3 orders with them; the lens only in a cancelled one; the tripod never.
		expect(result).toEqual([
			{
				productId: 'bag',
				title: 'Camera bag (new edition)',
				price: 64,
				currency: 'EUR',
				imageUrl: 'https://cdn.example.com/bag.png',
				url: 'https://shop.example.com/bag',
				orders: 3,
			},
		]);
	});

	it('recommends for given products, best first, with the latest title and price', async () => {
		const result = await store.productsBoughtTogether({ productIds: ['camera'], limit: 5 });
		expect(result.map((p) => [p.productId, p.orders])).toEqual([
			['bag', 3],
			['strap', 2],
		]);
		expect(result[1]).toMatchObject({ title: 'Leather strap', imageUrl: 'https://cdn.example.com/strap.png', url: 'https://shop.example.com/strap' });
		expect(await store.productsBoughtTogether({ productIds: ['camera'], limit: 1 })).toHaveLength(1);
	});

	it('leaves out the contact’s purchases unless asked to keep them', async () => {
		const without = await store.productsBoughtTogether({ email: 'ada@example.com', productIds: ['camera'], limit: 5 });
		expect(without.map((p) => p.productId)).toEqual(['bag']);
		const withOwn = await store.productsBoughtTogether({ email: 'ada@example.com', productIds: ['camera'], limit: 5, includePurchased: true });
		expect(withOwn.map((p) => p.productId)).toEqual(['bag', 'strap']);
	});

	it('returns nothing without a basis', async () => {
		expect(await store.productsBoughtTogether({ email: 'nobody@example.com', limit: 5 })).toEqual([]);
		expect(await store.productsBoughtTogether({ productIds: ['tripod'], limit: 5 })).toEqual([]);
		expect(await store.productsBoughtTogether({ productIds: [], limit: 5 })).toEqual([]);
	});
});

describe('bought together on SQLite: every step is an index search', () => {
	it('walks the product index backwards, reads orders through a covering index, and checks purchases by index', async () => {
		const driver = new SqliteDriver(join(mkdtempSync(join(tmpdir(), 'ecm-plan-')), 'contacts.db'));
		try {
			await migrate(driver);
			const store = await openUncachedStore({ backend: 'sqlite', path: driver.path });
			await seed(store);
			await store.close();
			const statements: Array<{ sql: string; params: SqlValue[] }> = [];
			const recording: SqlExecutor = {
				all: async <T>(sql: string, params: SqlValue[] = []) => {
					statements.push({ sql, params });
					return await driver.all<T>(sql, params);
				},
				get: async <T>(sql: string, params: SqlValue[] = []) => await driver.get<T>(sql, params),
				run: async (sql: string, params: SqlValue[] = []) => await driver.run(sql, params),
			};
			const result = await productsBoughtTogether(recording, driver.dialect, { email: 'ada@example.com', productIds: ['camera', 'strap'], limit: 5 });
			expect(result.map((p) => p.productId)).toEqual(['bag']);
			const ranking = statements.find((s) => s.sql.includes('basis_orders'))!;
			const plan = (await driver.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${ranking.sql}`, ranking.params)).map((r) => r.detail).join('\n');
			expect(plan).toMatch(/SEARCH oi USING (COVERING )?INDEX order_items_product_order \(product_id=\?\)/);
			expect(plan).toMatch(/SEARCH oi USING COVERING INDEX order_items_order_product \(order_pk=\?/);
			expect(plan).toMatch(/SEARCH mine USING COVERING INDEX order_items_contact_product \(contact_id=\?/);
			expect(plan).not.toMatch(/SCAN (oi|order_items|mine)\b/);
		} finally {
			await driver.close();
		}
	});
});
