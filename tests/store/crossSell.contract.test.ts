/**
 * Bought together (Product Block › Cross-Sell) on both backends: the image and link a
 * product lacks on its order lines come from the latest product view that has one, through
 * the partial index of migration 8 (views with an image or link only). The results are the
 * same with and without that index; only the read is bounded.
 */
import { openUncachedStore, type ContactStore, type LineItem, type StoreConfig } from '../../lib/store';
import { migrations } from '../../lib/store/migrations';
import { PostgresDriver } from '../../lib/store/postgresDriver';
import { productsBoughtTogether } from '../../lib/store/productQueries';
import type { SqlDriver, SqlExecutor, SqlValue } from '../../lib/store/sql';
import { SqliteDriver } from '../../lib/store/sqliteDriver';
import { BACKENDS, freshConfig, type Backend } from '../support/stores';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const DAY = 86_400_000;
const INDEX = 'product_views_product_media';

const shoe: LineItem = { productId: 'shoe', title: 'Trail shoe', quantity: 1, price: 120 };
const sock: LineItem = { productId: 'sock', title: 'Wool sock', quantity: 1, price: 15 };
const lace: LineItem = { productId: 'lace', title: 'Spare laces', quantity: 1, price: 5 };
const spray: LineItem = { productId: 'spray', title: 'Proofing spray', quantity: 1, price: 12, imageUrl: 'https://cdn.example.com/spray-line.png' };

let orderNo = 0;
async function order(store: ContactStore, email: string, items: LineItem[], day: number) {
	orderNo++;
	await store.recordOrder({
		source: 'shopify',
		orderId: `x-${orderNo}`,
		contact: { email },
		placedAt: T0 + day * DAY,
		total: items.reduce((s, i) => s + i.price, 0),
		currency: 'EUR',
		status: 'open',
		financialStatus: 'paid',
		lineItems: items,
	});
}

async function view(store: ContactStore, email: string, productId: string, day: number, media: { imageUrl?: string; url?: string; productType?: string } = {}) {
	await store.recordProductView({ contact: { email }, productId, title: productId, viewedAt: T0 + day * DAY, ...media });
}

/**
 * Order lines without images or links (as Shopify's are). Views: the sock has views with and
 * without media, the newest with media being an image only; the laces have views without any;
 * the spray's line has an image, its views a link.
 */
async function seed(store: ContactStore) {
	await order(store, 'b1@example.com', [shoe, sock], 1);
	await order(store, 'b2@example.com', [shoe, sock, lace], 2);
	await order(store, 'b3@example.com', [shoe, lace, spray], 3);
	await order(store, 'b4@example.com', [shoe, sock], 4);
	await view(store, 'v1@example.com', 'sock', 1, { imageUrl: 'https://cdn.example.com/sock-old.png', url: 'https://shop.example.com/sock', productType: 'Socks' });
	await view(store, 'v2@example.com', 'sock', 3, { imageUrl: 'https://cdn.example.com/sock-new.png' });
	await view(store, 'v3@example.com', 'sock', 5);
	await view(store, 'v4@example.com', 'sock', 6, { productType: 'Hosiery' });
	await view(store, 'v1@example.com', 'lace', 2);
	await view(store, 'v2@example.com', 'lace', 7);
	await view(store, 'v5@example.com', 'spray', 2, { url: 'https://shop.example.com/spray' });
}

const EXPECTED = [
	{ productId: 'sock', title: 'Wool sock', price: 15, currency: 'EUR', imageUrl: 'https://cdn.example.com/sock-new.png', orders: 3 },
	{ productId: 'lace', title: 'Spare laces', price: 5, currency: 'EUR', orders: 2 },
	{ productId: 'spray', title: 'Proofing spray', price: 12, currency: 'EUR', imageUrl: 'https://cdn.example.com/spray-line.png', url: 'https://shop.example.com/spray', orders: 1 },
];

function driverFor(config: StoreConfig): SqlDriver {
	return config.backend === 'sqlite' ? new SqliteDriver(config.path) : new PostgresDriver(config);
}

/** An executor that records the statements it runs. */
function recording(driver: SqlDriver, statements: Array<{ sql: string; params: SqlValue[] }>): SqlExecutor {
	return {
		all: async <T>(sql: string, params: SqlValue[] = []) => {
			statements.push({ sql, params });
			return await driver.all<T>(sql, params);
		},
		get: async <T>(sql: string, params: SqlValue[] = []) => await driver.get<T>(sql, params),
		run: async (sql: string, params: SqlValue[] = []) => await driver.run(sql, params),
	};
}

describe.each(BACKENDS)('bought together: images and links from product views on %s', (backend: Backend) => {
	let config: StoreConfig;
	let store: ContactStore;
	let driver: SqlDriver;
	beforeEach(async () => {
		config = freshConfig(backend);
		store = await openUncachedStore(config);
		await seed(store);
		driver = driverFor(config);
	});
	afterEach(async () => {
		await store.close();
		await driver.close();
	});

	it('has migration 8: a partial index of the views with an image or link', async () => {
		expect(migrations.find((m) => m.version === 8)?.name).toMatch(/product views with an image or link/);
		const applied = await driver.get<{ n: number }>('SELECT count(*) AS n FROM schema_migrations WHERE version = 8');
		expect(Number(applied?.n)).toBe(1);
		const definition =
			backend === 'sqlite'
				? (await driver.get<{ sql: string }>(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1`, [INDEX]))?.sql
				: (await driver.get<{ sql: string }>('SELECT indexdef AS sql FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1', [INDEX]))?.sql;
		expect(definition).toMatch(/\(product_id, last_viewed_at\)/);
		expect(definition).toMatch(/WHERE .*image_url IS NOT NULL.* OR .*url IS NOT NULL/);
	});

	it('takes a missing image or link from the latest view that has one, and the same without the index', async () => {
		const forShoe = await store.productsBoughtTogether({ productIds: ['shoe'], limit: 10 });
		expect(forShoe).toEqual(EXPECTED);
		const forContact = await store.productsBoughtTogether({ email: 'b1@example.com', limit: 10 });
		// b1 bought the shoe and the sock: both are the basis, so laces and spray remain.
		expect(forContact.map((p) => [p.productId, p.orders])).toEqual([
			['lace', 2],
			['spray', 1],
		]);

		await driver.exec(`DROP INDEX ${INDEX}`);
		expect(await store.productsBoughtTogether({ productIds: ['shoe'], limit: 10 })).toEqual(forShoe);
		expect(await store.productsBoughtTogether({ email: 'b1@example.com', limit: 10 })).toEqual(forContact);
	});

	it('a view added later with an image is the one used; views without media never are', async () => {
		await view(store, 'v6@example.com', 'lace', 9, { url: 'https://shop.example.com/lace' });
		await view(store, 'v7@example.com', 'lace', 10);
		const lace = (await store.productsBoughtTogether({ productIds: ['shoe'], limit: 10 })).find((p) => p.productId === 'lace');
		expect(lace).toEqual({ productId: 'lace', title: 'Spare laces', price: 5, currency: 'EUR', url: 'https://shop.example.com/lace', orders: 2 });
	});

	it('reads the views through the partial index', async () => {
		const statements: Array<{ sql: string; params: SqlValue[] }> = [];
		await productsBoughtTogether(recording(driver, statements), driver.dialect, { productIds: ['shoe'], limit: 10 });
		const media = statements.find((s) => s.sql.includes('FROM product_views'));
		expect(media).toBeDefined();
		const plan = async (db: SqlDriver) => {
			if (backend === 'sqlite') return (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${media!.sql}`, media!.params)).map((r) => r.detail).join('\n');
			// A few rows: PostgreSQL would rather read the table; without that choice, it must pick an index.
			return await db.transaction(async (tx) => {
				await tx.run('SET LOCAL enable_seqscan = off');
				return (await tx.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${media!.sql}`, media!.params)).map((r) => r['QUERY PLAN']).join('\n');
			});
		};
		const withIndex = await plan(driver);
		expect(withIndex).toContain(INDEX);
		expect(withIndex).not.toMatch(/product_views_product\b/);
		// Without it, the read goes through the product index, over every view of the product.
		await driver.exec(`DROP INDEX ${INDEX}`);
		const other = driverFor(config);
		try {
			const without = await plan(other);
			expect(without).toMatch(/product_views_product\b/);
			expect(without).not.toContain(INDEX);
		} finally {
			await other.close();
		}
	});
});
