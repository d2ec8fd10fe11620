/**
 * A synthetic contact store of any size (1M contacts in well under a minute), for
 * benchmarks: contacts, orders with line items, carts, product views, tags and scores,
 * with realistic skews (40% never ordered, a long tail of repeat buyers, last purchases
 * and engagement spread over two years, popular products, a few VIPs).
 *
 * Everything is generated in the database with set-based SQL (generate_series on
 * PostgreSQL, a recursive CTE on SQLite, one transaction) from an integer hash of each
 * row's number, so the same seed gives the same data on both backends.
 *
 *   const config = await benchPostgresConfig('bench_segment');   // or benchSqliteConfig()
 *   const stats = await generateStore(config, { contacts: 1_000_000, seed: 1, now });
 *
 * Contacts get ids 1…n and emails c<id>@bench.example.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { closeAllStores, type StoreConfig } from '../../lib/store';
import { migrate } from '../../lib/store/migrations';
import { PostgresDriver, quoteIdent } from '../../lib/store/postgresDriver';
import type { SqlDriver, SqlExecutor } from '../../lib/store/sql';
import { SqliteDriver } from '../../lib/store/sqliteDriver';

export const DAY = 86_400_000;

export interface SyntheticOptions {
	contacts: number;
	/** Same seed, same data (on either backend). Default 1. */
	seed?: number;
	/** "Now" the data is relative to (epoch ms). Default: the clock. */
	now?: number;
	/** Called after each step with its duration (for progress output). */
	onStep?: (step: string, ms: number) => void;
}

export interface SyntheticStats {
	contacts: number;
	customers: number;
	orders: number;
	orderItems: number;
	carts: number;
	productViewEvents: number;
	tags: number;
	scores: number;
	seconds: number;
}

/** The email of synthetic contact `id`. */
export function syntheticEmail(id: number): string {
	return `c${id}@bench.example`;
}

/** The project root (where scripts/lib/postgres.js is), from source or from a build. */
function projectRoot(): string {
	for (let dir = __dirname; ; dir = dirname(dir)) {
		if (existsSync(join(dir, 'scripts', 'lib', 'postgres.js')) && existsSync(join(dir, 'package.json'))) return dir;
		if (dirname(dir) === dir) return process.cwd();
	}
}

/** A new, empty SQLite store file in a temporary folder. */
export function benchSqliteConfig(): StoreConfig {
	return { backend: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'ecm-bench-')), 'contacts.db') };
}

/**
 * The bench PostgreSQL server (scripts/lib/postgres.js, started if needed) with a fresh,
 * empty schema of this name (dropped first if it exists).
 */
export async function benchPostgresConfig(schema: string): Promise<StoreConfig> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const pg = require(join(projectRoot(), 'scripts', 'lib', 'postgres.js')) as {
		startPostgres(): { connection: { host: string; port: number; user: string; password: string; database: string } };
	};
	const { connection } = pg.startPostgres();
	const client = new Client(connection);
	await client.connect();
	try {
		await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
	} finally {
		await client.end();
	}
	return { backend: 'postgres', ...connection, schema, ssl: 'disable', maxConnections: 4 };
}

/** A driver on the store with the schema migrated (for benchmarks that run SQL directly). */
export async function openDriver(config: StoreConfig): Promise<SqlDriver> {
	let driver: SqlDriver;
	if (config.backend === 'sqlite') driver = new SqliteDriver(config.path);
	else {
		const pg = new PostgresDriver(config);
		await pg.ensureSchema();
		driver = pg;
	}
	await migrate(driver);
	return driver;
}

const P = 2147483647;

/**
 * SQL for a pseudo-random integer in [0, 2^31 − 1) from an integer expression (a quadratic
 * hash modulo a prime; one `stream` per independent draw). Exact 64-bit integer arithmetic
 * on both backends: every intermediate stays below 2^63 for inputs below 2^31.
 */
function hasher(seed: number) {
	return (expression: string, stream: number): string => {
		const a = 48271 + ((stream * 7919 + seed * 104729) % 1_000_003);
		const b = 69621 + ((stream * 31337 + seed * 65537) % 1_000_033);
		const c = (stream * 2654435761 + seed * 40503) % P;
		const e = `(${expression})`;
		return `((((${e} * ${e}) % ${P}) * ${a} + ${e} * ${b} + ${c}) % ${P})`;
	};
}

/** Small numbers 1…n as a CTE named `name` (valid on both backends). */
const numbers = (name: string, n: number) => `${name}(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM ${name} WHERE n < ${n})`;

const TAGS: Array<[string, number]> = [
	['newsletter', 400],
	['engagement:engaged', 300],
	['engagement:at-risk', 150],
	['birthday-club', 120],
	['interest:shoes', 100],
	['sale-hunter', 100],
	['interest:bags', 80],
	['review-left', 60],
	['vip', 30],
	['wholesale', 20],
];

/**
 * Fills an empty store with `contacts` synthetic contacts and their history. Throws if
 * the store already has contacts.
 */
export async function generateStore(config: StoreConfig, options: SyntheticOptions): Promise<SyntheticStats> {
	const n = options.contacts;
	if (!Number.isInteger(n) || n < 1) throw new Error(`contacts must be a positive whole number, got ${n}`);
	const seed = options.seed ?? 1;
	const now = Math.round(options.now ?? Date.now());
	const started = performance.now();
	const driver = await openDriver(config);
	try {
		const existing = await driver.get<{ n: number }>('SELECT count(*) AS n FROM contacts');
		if (Number(existing?.n ?? 0) > 0) throw new Error('generateStore needs an empty store');
		const dialect = driver.dialect.name;
		// One transaction (one session: the staging tables are temporary), secondary indexes
		// dropped while the rows go in and built once at the end.
		await driver.transaction(async (tx) => {
			const timed: SqlExecutor = {
				all: (sql, params) => tx.all(sql, params),
				get: (sql, params) => tx.get(sql, params),
				run: async (sql, params) => {
					const t = performance.now();
					const changed = await tx.run(sql, params);
					options.onStep?.(sql.replace(/\s+/g, ' ').trim().slice(0, 60), performance.now() - t);
					return changed;
				},
			};
			// The rows are consistent by construction: no per-row foreign key triggers while loading.
			if (dialect === 'postgres') await tx.run('SET LOCAL session_replication_role = replica');
			const indexes = await dropSecondaryIndexes(timed, dialect);
			await fill(timed, dialect, n, seed, now);
			for (const sql of indexes) await timed.run(sql);
		});
		if (dialect === 'postgres') await driver.exec(`VACUUM ANALYZE ${TABLES.join(', ')}`);
		const count = async (sql: string) => Number((await driver.get<{ n: number }>(sql))?.n ?? 0);
		return {
			contacts: await count('SELECT count(*) AS n FROM contacts'),
			customers: await count('SELECT count(*) AS n FROM contacts WHERE order_count > 0'),
			orders: await count('SELECT count(*) AS n FROM orders'),
			orderItems: await count('SELECT count(*) AS n FROM order_items'),
			carts: await count('SELECT count(*) AS n FROM carts'),
			productViewEvents: await count('SELECT count(*) AS n FROM product_view_events'),
			tags: await count('SELECT count(*) AS n FROM contact_tags'),
			scores: await count('SELECT count(*) AS n FROM contact_scores'),
			seconds: Math.round((performance.now() - started) / 100) / 10,
		};
	} finally {
		await driver.close();
	}
}

/** The tables this generator fills. */
const TABLES = ['contacts', 'orders', 'order_items', 'carts', 'product_view_events', 'product_views', 'contact_tags', 'contact_scores'];

/**
 * Drops the secondary indexes of the generated tables (not those behind primary keys and
 * unique constraints) and returns the statements that create them again, as they were.
 */
async function dropSecondaryIndexes(db: SqlExecutor, dialect: 'sqlite' | 'postgres'): Promise<string[]> {
	const list = TABLES.map((t) => `'${t}'`).join(', ');
	const rows =
		dialect === 'sqlite'
			? await db.all<{ name: string; sql: string }>(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${list})`)
			: await db.all<{ name: string; sql: string }>(
					`SELECT i.indexname AS name, i.indexdef AS sql FROM pg_indexes i
					WHERE i.schemaname = current_schema() AND i.tablename IN (${list})
						AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname AND k.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()))`,
				);
	for (const row of rows) await db.run(`DROP INDEX ${dialect === 'postgres' ? quoteIdent(row.name) : `"${row.name}"`}`);
	return rows.map((r) => r.sql);
}

async function fill(db: SqlExecutor, dialect: 'sqlite' | 'postgres', n: number, seed: number, now: number): Promise<void> {
	const h = hasher(seed);
	const text = (expression: string) => `CAST(${expression} AS TEXT)`;
	const money = (cents: string) => `CAST(${cents} AS DOUBLE PRECISION) / 100`;
	const series =
		dialect === 'sqlite'
			? { with: `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ${n})`, from: 'g' }
			: { with: '', from: `generate_series(1::bigint, ${n}) AS g(i)` };
	const birthday =
		dialect === 'sqlite'
			? `printf('--%02d-%02d', 1 + (u4 / 10) % 12, 1 + (u4 / 120) % 28)`
			: `'--' || lpad(${text('1 + (u4 / 10) % 12')}, 2, '0') || '-' || lpad(${text('1 + (u4 / 120) % 28')}, 2, '0')`;
	const bucket = 'u1 % 100';
	const country = `CASE WHEN ${bucket} < 35 THEN 'US' WHEN ${bucket} < 50 THEN 'GB' WHEN ${bucket} < 62 THEN 'DE' WHEN ${bucket} < 70 THEN 'FR'
		WHEN ${bucket} < 76 THEN 'CA' WHEN ${bucket} < 81 THEN 'AU' WHEN ${bucket} < 85 THEN 'NL' WHEN ${bucket} < 88 THEN 'ES'
		WHEN ${bucket} < 91 THEN 'IT' WHEN ${bucket} < 94 THEN 'SE' WHEN ${bucket} < 97 THEN 'JP' END`;
	const region = `CASE WHEN ${bucket} < 35 THEN (CASE u11 % 5 WHEN 0 THEN 'CA' WHEN 1 THEN 'NY' WHEN 2 THEN 'TX' WHEN 3 THEN 'FL' ELSE 'WA' END)
		WHEN ${bucket} >= 50 AND ${bucket} < 62 THEN (CASE u11 % 4 WHEN 0 THEN 'BY' WHEN 1 THEN 'BE' WHEN 2 THEN 'HH' ELSE 'NW' END) END`;
	const city = `CASE WHEN ${bucket} < 35 THEN (CASE u11 % 5 WHEN 0 THEN 'Los Angeles' WHEN 1 THEN 'New York' WHEN 2 THEN 'Houston' WHEN 3 THEN 'Miami' ELSE 'Seattle' END)
		WHEN ${bucket} < 50 THEN (CASE u11 % 3 WHEN 0 THEN 'London' WHEN 1 THEN 'Manchester' ELSE 'Leeds' END)
		WHEN ${bucket} < 62 THEN (CASE u11 % 4 WHEN 0 THEN 'München' WHEN 1 THEN 'Berlin' WHEN 2 THEN 'Hamburg' ELSE 'Köln' END)
		WHEN ${bucket} < 70 THEN (CASE u11 % 2 WHEN 0 THEN 'Paris' ELSE 'Lyon' END) END`;
	const timeZone = `CASE WHEN ${bucket} < 35 THEN 'America/New_York' WHEN ${bucket} < 50 THEN 'Europe/London' WHEN ${bucket} < 70 THEN 'Europe/Berlin'
		WHEN ${bucket} < 76 THEN 'America/Toronto' WHEN ${bucket} < 81 THEN 'Australia/Sydney' WHEN ${bucket} < 94 THEN 'Europe/Amsterdam' WHEN ${bucket} < 97 THEN 'Asia/Tokyo' END`;
	const status = `CASE WHEN u2 % 100 < 78 THEN 'subscribed' WHEN u2 % 100 < 88 THEN 'unsubscribed' WHEN u2 % 100 < 95 THEN 'not_subscribed' ELSE 'pending' END`;
	const plannedOrders = `CASE WHEN u10 % 100 < 40 THEN 0 WHEN u10 % 100 < 70 THEN 1 WHEN u10 % 100 < 85 THEN 2 WHEN u10 % 100 < 92 THEN 3
		WHEN u10 % 100 < 96 THEN 4 WHEN u10 % 100 < 98 THEN 6 ELSE 10 END`;
	const signedUp = `${now} - (u5 % 1095) * ${DAY} - u6 % ${DAY}`;
	const u = Array.from({ length: 12 }, (_, k) => `${h('i', k + 1)} AS u${k + 1}`).join(', ');

	// Staging: each contact's random numbers, then its orders (ids contact * 16 + k), so that
	// contacts go in once with their purchase figures and nothing is updated afterwards.
	await db.run(`CREATE TEMP TABLE syn_contacts AS ${series.with} SELECT i AS id, ${u} FROM ${series.from}`);
	const ok = 's.id * 16 + k.n';
	await db.run(`CREATE TEMP TABLE syn_orders AS WITH RECURSIVE ${numbers('k', 10)}
		SELECT ${ok} AS id, s.id AS contact_id, k.n AS k,
			${now} - (${h(ok, 20)} % 730) * ${DAY} - ${h(ok, 21)} % ${DAY} AS placed_at,
			${money(`1500 + ${h(ok, 22)} % 23500`)} AS total,
			CASE WHEN ${h(ok, 23)} % 50 = 0 THEN 0 ELSE 1 END AS counted
		FROM syn_contacts s JOIN k ON k.n <= ${plannedOrders.replace(/u10/g, 's.u10')}`);
	const round2 = dialect === 'sqlite' ? 'round(a.spent, 2)' : 'round(a.spent::numeric, 2)::float8';

	// Contacts, with the purchase figures of their counted orders (as the store derives them).
	await db.run(`INSERT INTO contacts (id, email, first_name, country, region, city, time_zone, status, suppressed, suppression_reason, suppressed_at,
			birthday, birth_month, birth_day, signed_up_at, last_engagement_at, last_visit_at, site_visits,
			order_count, total_spent, first_purchase_at, last_purchase_at, last_order_value, currency, custom, created_at, updated_at)
		SELECT id, 'c' || ${text('id')} || '@bench.example',
			CASE u12 % 8 WHEN 0 THEN 'Ada' WHEN 1 THEN 'Ben' WHEN 2 THEN 'Chloé' WHEN 3 THEN 'Deniz' WHEN 4 THEN 'Elena' WHEN 5 THEN 'Farid' WHEN 6 THEN 'Grace' ELSE NULL END,
			${country}, ${region}, ${city}, ${timeZone}, ${status},
			CASE WHEN u2 % 100 >= 78 AND u2 % 100 < 88 THEN 1 WHEN u3 % 100 < 2 THEN 1 ELSE 0 END,
			CASE WHEN u2 % 100 >= 78 AND u2 % 100 < 88 THEN 'unsubscribed' WHEN u3 % 100 < 2 THEN 'bounced' END,
			CASE WHEN (u2 % 100 >= 78 AND u2 % 100 < 88) OR u3 % 100 < 2 THEN ${now} - (u3 % 300) * ${DAY} END,
			CASE WHEN u4 % 10 < 7 THEN ${birthday} END,
			CASE WHEN u4 % 10 < 7 THEN 1 + (u4 / 10) % 12 END,
			CASE WHEN u4 % 10 < 7 THEN 1 + (u4 / 120) % 28 END,
			${signedUp},
			CASE WHEN u7 % 10 < 7 THEN ${now} - ((u7 % 730) * (u7 % 730) / 730) * ${DAY} - u6 % ${DAY} END,
			CASE WHEN u8 % 10 >= 3 THEN ${now} - ((u8 / 400) % 365) * ${DAY} - u6 % ${DAY} END,
			CASE WHEN u8 % 10 < 3 THEN 0 ELSE 1 + (u8 / 10) % 40 END,
			coalesce(a.orders, 0), coalesce(${round2}, 0), a.first, a.last, a.last_total, 'USD',
			CASE WHEN u9 % 10 < 4 THEN '{"shoeSize":' || ${text('36 + (u9 / 10) % 10')} || ',"vip":' || (CASE WHEN u9 % 20 = 0 THEN 'true' ELSE 'false' END) || '}' ELSE '{}' END,
			${signedUp}, ${signedUp}
		FROM syn_contacts
		LEFT JOIN (SELECT contact_id, count(*) AS orders, sum(total) AS spent, min(placed_at) AS first, max(placed_at) AS last,
				max(CASE WHEN latest = 1 THEN total END) AS last_total
			FROM (SELECT contact_id, placed_at, total, row_number() OVER (PARTITION BY contact_id ORDER BY placed_at DESC) AS latest FROM syn_orders WHERE counted = 1) o
			GROUP BY contact_id) a ON a.contact_id = syn_contacts.id
		ORDER BY id`);
	if (dialect === 'postgres') await db.get(`SELECT setval(pg_get_serial_sequence('contacts', 'id'), ${n})`);

	// Orders over the last two years; 2% refunded (not counted).
	await db.run(`INSERT INTO orders (id, contact_id, source, order_id, placed_at, total, currency, financial_status, counted, updated_at)
		SELECT id, contact_id, 'bench', ${text('contact_id')} || '-' || ${text('k')}, placed_at, total, 'USD',
			CASE WHEN counted = 1 THEN 'paid' ELSE 'refunded' END, counted, ${now}
		FROM syn_orders ORDER BY id`);
	if (dialect === 'postgres') await db.get(`SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders))`);

	// 1–3 line items per order, from 200 products; popular products are bought more.
	const ik = 'o.id * 4 + k.n';
	await db.run(`WITH RECURSIVE ${numbers('k', 3)}
		INSERT INTO order_items (order_pk, contact_id, line, product_id, variant_id, sku, title, quantity, price, product_type, vendor, tags)
		SELECT x.id, x.contact_id, x.n - 1, 'p' || ${text('x.p')}, 'v' || ${text('x.p')}, 'SKU-' || ${text('x.p')}, 'Product ' || ${text('x.p')}, 1,
			${money('500 + (x.p * 731) % 15000')},
			CASE x.p % 10 WHEN 0 THEN 'Shoes' WHEN 1 THEN 'Bags' WHEN 2 THEN 'Shirts' WHEN 3 THEN 'Socks' WHEN 4 THEN 'Hats'
				WHEN 5 THEN 'Jackets' WHEN 6 THEN 'Jewelry' WHEN 7 THEN 'Home' WHEN 8 THEN 'Beauty' ELSE 'Gifts' END,
			'Bench Co',
			'["' || (CASE x.p % 3 WHEN 0 THEN 'summer' WHEN 1 THEN 'winter' ELSE 'basics' END) || '"' || (CASE WHEN x.p % 5 = 0 THEN ',"sale"' ELSE '' END) || ']'
		FROM (SELECT o.id, o.contact_id, k.n, 1 + ((${h(ik, 31)} % 200) * (${h(ik, 32)} % 200)) / 200 AS p
			FROM syn_orders o JOIN k ON k.n <= 1 + (CASE WHEN ${h('o.id', 30)} % 10 < 3 THEN 1 ELSE 0 END) + (CASE WHEN ${h('o.id', 30)} % 10 < 1 THEN 1 ELSE 0 END)) x
		ORDER BY x.id, x.n`);

	// Carts: 12% of contacts, 40% of carts converted, updated within the last 30 days.
	const ck = 's.id * 4 + k.n';
	await db.run(`WITH RECURSIVE ${numbers('k', 2)}
		INSERT INTO carts (contact_id, source, cart_id, value, currency, recovery_url, items, created_at, updated_at, converted_at)
		SELECT x.id, 'bench', ${text('x.id')} || '-' || ${text('x.n')}, ${money('1000 + x.p * 97')}, 'USD',
			'https://shop.example/cart/' || ${text('x.id')} || '-' || ${text('x.n')},
			'[{"productId":"p' || ${text('x.p')} || '","title":"Product ' || ${text('x.p')} || '","quantity":1,"price":' || ${text('(1000 + x.p * 97) / 100')} || '}]',
			x.t - 600000, x.t, CASE WHEN x.v % 10 < 4 THEN x.t + 3600000 END
		FROM (SELECT s.id, k.n, ${h(ck, 40)} AS v, ${now} - ${h(ck, 41)} % ${30 * DAY} AS t, 1 + ${h(ck, 43)} % 200 AS p
			FROM syn_contacts s JOIN k ON k.n <= (CASE WHEN ${h('s.id', 42)} % 100 < 8 THEN 1 WHEN ${h('s.id', 42)} % 100 < 12 THEN 2 ELSE 0 END)) x
		ORDER BY x.id, x.n`);

	// Product views: 20% of contacts viewed 1–3 products, 1–5 times each, in the last 60 days.
	const vk = 's.id * 8 + k.n';
	await db.run(`CREATE TEMP TABLE syn_views AS WITH RECURSIVE ${numbers('k', 5)}
		SELECT x.id AS contact_id, 'p' || ${text('x.p')} AS product_id, ${now} - ${h('x.id * 64 + x.slot * 8 + v.n', 52)} % ${60 * DAY} AS viewed_at
		FROM (SELECT s.id, k.n AS slot, 1 + ((${h(vk, 50)} % 200) * (${h(vk, 51)} % 200)) / 200 AS p, 1 + ${h(vk, 53)} % 5 AS views
			FROM syn_contacts s JOIN k ON k.n <= (CASE WHEN ${h('s.id', 54)} % 100 < 20 THEN 1 + ${h('s.id', 55)} % 3 ELSE 0 END)) x
		JOIN k v ON v.n <= x.views`);
	await db.run('INSERT INTO product_view_events (contact_id, product_id, viewed_at) SELECT contact_id, product_id, viewed_at FROM syn_views ORDER BY contact_id, viewed_at');
	await db.run(`INSERT INTO product_views (contact_id, product_id, title, view_count, first_viewed_at, last_viewed_at)
		SELECT contact_id, product_id, 'Product ' || substr(product_id, 2), count(*), min(viewed_at), max(viewed_at)
		FROM syn_views GROUP BY contact_id, product_id ORDER BY contact_id, product_id`);

	// Tags by share of contacts (per mille); 5% of them expired, 5% expiring in a month.
	const tags = TAGS.map(([tag, w], k) => `(${k + 1}, '${tag}', ${w})`).join(', ');
	const tk = 's.id * 16 + t.k';
	await db.run(`WITH t(k, tag, w) AS (VALUES ${tags})
		INSERT INTO contact_tags (contact_id, tag, added_at, expires_at)
		SELECT s.id, t.tag, ${now} - ${h(tk, 60)} % ${365 * DAY},
			CASE WHEN ${h(tk, 61)} % 100 < 5 THEN ${now - DAY} WHEN ${h(tk, 61)} % 100 < 10 THEN ${now + 30 * DAY} END
		FROM syn_contacts s CROSS JOIN t WHERE ${h(tk, 62)} % 1000 < t.w ORDER BY s.id, t.tag`);

	// Scores: loyalty (points = spend) with tiers for customers; engagement for half of everyone.
	await db.run(`INSERT INTO contact_scores (contact_id, name, points, tier, updated_at)
		SELECT id, 'loyalty', total_spent,
			CASE WHEN total_spent < 100 THEN 'Bronze' WHEN total_spent < 500 THEN 'Silver' WHEN total_spent < 1500 THEN 'Gold' ELSE 'Platinum' END, ${now}
		FROM contacts WHERE order_count > 0 ORDER BY id`);
	await db.run(`INSERT INTO contact_scores (contact_id, name, points, tier, updated_at)
		SELECT id, 'engagement', ${h('id', 70)} % 101, NULL, ${now} FROM syn_contacts WHERE ${h('id', 71)} % 2 = 0 ORDER BY id`);

	for (const table of ['syn_views', 'syn_orders', 'syn_contacts']) await db.run(`DROP TABLE ${table}`);
}

/**
 * Ends a benchmark's use of a synthetic store: closes what it opened (errors ignored), every cached
 * store, and frees the disk — the SQLite file's folder, or the PostgreSQL schema (dropped).
 */
export async function disposeBenchStore(config: StoreConfig, ...opened: Array<{ close(): Promise<unknown> } | undefined>): Promise<void> {
	for (const handle of opened) await handle?.close().catch(() => undefined);
	await closeAllStores();
	if (config.backend === 'sqlite') rmSync(dirname(config.path), { recursive: true, force: true });
	else await benchPostgresConfig(config.schema);
}
