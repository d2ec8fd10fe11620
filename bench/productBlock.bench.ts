/**
 * Product Block: rendering 1,000 product emails with the compiled-once templates
 * (MJML compiled once per shape, then filled per email) against mjml2html per email
 * on the same data, checking the HTML is byte-identical; then the bought-together
 * query on a large SQLite order history.
 *
 * Run: npm run bench productBlock  (writes bench-results/productBlock.json)
 */
import mjml2html from 'mjml';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildBlock, type BlockInput } from '../lib/domain/productBlock';
import type { Product } from '../lib/domain/products';
import { applyTheme, MJML_OPTIONS, ProductTemplate, type TemplateView } from '../lib/domain/productTemplate';
import { migrate } from '../lib/store/migrations';
import { MAX_BASIS, ORDERS_PER_PRODUCT, productsBoughtTogether } from '../lib/store/productQueries';
import { PostgresDriver } from '../lib/store/postgresDriver';
import type { SqlDriver } from '../lib/store/sql';
import { SqliteDriver } from '../lib/store/sqliteDriver';
import { BUILT_IN_TEMPLATES, builtInTemplateSource, type BuiltInTemplate } from '../nodes/ProductBlock/builtInTemplates';

const ROOT = process.cwd();
const EMAILS = Number(process.env.BENCH_EMAILS ?? 1000);

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const ms = (start: number) => performance.now() - start;
/** scripts/bench.js runs benchmarks with --expose-gc: collect between timed passes. */
const collectGarbage = () => (globalThis as { gc?: () => void }).gc?.();
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

// ------------------------------------------------------------------ rendering

const WORDS = ['Trail', 'Merino', 'Linen', 'Ceramic', 'Walnut', 'Canvas', 'Leather', 'Organic', 'Vintage', 'Classic', 'Everyday', 'Travel'];
const THINGS = ['shoe', 'sweater', 'shirt', 'mug', 'bowl', 'tote', 'wallet', 'blanket', 'lamp', 'backpack', 'scarf', 'notebook'];
const ODD_TITLES = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'ساعة يد ذكية', 'שעון חכם', 'Café & Crème 50 % off', 'Socks 👟 (3-pack)'];
const LOCALES: Array<[string, string, string]> = [
	['en-US', 'USD', 'America/New_York'],
	['de-DE', 'EUR', 'Europe/Berlin'],
	['fr-FR', 'EUR', 'Europe/Paris'],
	['ja-JP', 'JPY', 'Asia/Tokyo'],
	['ar-EG', 'EGP', 'Africa/Cairo'],
];
const TEMPLATE_NAMES = Object.keys(BUILT_IN_TEMPLATES) as BuiltInTemplate[];

function catalog(rand: () => number): Product[] {
	return Array.from({ length: 200 }, (_, i) => {
		const title = i % 25 === 0 ? ODD_TITLES[(i / 25) % ODD_TITLES.length] : `${WORDS[i % WORDS.length]} ${THINGS[Math.floor(i / WORDS.length) % THINGS.length]} ${i}`;
		const price = Math.round((5 + rand() * 195) * 100) / 100;
		const product: Product = {
			productId: String(1000 + i),
			title,
			price,
			imageUrl: `https://cdn.shop.example.com/products/${1000 + i}.jpg?v=${i}&w=600`,
			url: `https://shop.example.com/products/item-${1000 + i}?utm_source=email&utm_medium=product-block`,
		};
		if (rand() < 0.3) product.compareAtPrice = Math.round(price * 1.25 * 100) / 100;
		if (rand() < 0.4) product.variantTitle = ['S', 'M', 'L', 'Blue', 'Black / 42'][i % 5];
		if (rand() < 0.5) product.stock = Math.floor(rand() * 12);
		return product;
	});
}

interface Email {
	template: BuiltInTemplate;
	view: TemplateView;
}

function emails(rand: () => number): Email[] {
	const products = catalog(rand);
	const now = Date.parse('2026-05-20T10:00:00Z');
	return Array.from({ length: EMAILS }, (_, i) => {
		const template = TEMPLATE_NAMES[i % TEMPLATE_NAMES.length];
		const [locale, currency, timeZone] = LOCALES[i % LOCALES.length];
		const count = 1 + Math.floor(rand() * 6);
		const chosen = Array.from({ length: count }, () => ({ ...products[Math.floor(rand() * products.length)], quantity: 1 + Math.floor(rand() * 3) }));
		const input: BlockInput = {
			source: i % 2 === 0 ? 'cart' : 'crossSell',
			products: chosen,
			columns: BUILT_IN_TEMPLATES[template].columns,
			locale,
			currency,
			timeZone,
			now,
			contact: { email: `contact${i}@example.com`, firstName: i % 3 === 0 ? 'Ada' : undefined },
			buttonUrl: `https://shop.example.com/cart/recover/${i}?key=k${i}`,
			brand: { name: 'Example Shop', logoUrl: 'https://cdn.shop.example.com/logo.png', url: 'https://shop.example.com', address: '1 Main Street, Springfield' },
			unsubscribeUrl: `https://shop.example.com/unsubscribe?email=contact${i}%40example.com`,
			lowStockAt: 5,
			...(rand() < 0.4 ? { coupon: { code: `SAVE-${(i * 7919).toString(36).toUpperCase()}`, expiresAt: now + (1 + (i % 14)) * 86_400_000 } } : {}),
		};
		return { template, view: buildBlock(input).view };
	});
}

async function renderBench() {
	const data = emails(random(42));
	const sources = Object.fromEntries(TEMPLATE_NAMES.map((name) => [name, applyTheme(builtInTemplateSource(name, join(ROOT, 'nodes', 'ProductBlock', 'templates')))])) as Record<BuiltInTemplate, string>;

	// Warm up both paths (JIT, MJML's own module state) on throwaway templates.
	for (const email of data.slice(0, 20)) {
		await new ProductTemplate(sources[email.template]).render(email.view);
		await mjml2html(new ProductTemplate(sources[email.template]).toMjml(email.view), MJML_OPTIONS);
	}

	const templates = Object.fromEntries(TEMPLATE_NAMES.map((name) => [name, new ProductTemplate(sources[name])])) as Record<BuiltInTemplate, ProductTemplate>;
	collectGarbage();
	let start = performance.now();
	const compiled: string[] = [];
	for (const email of data) compiled.push(await templates[email.template].render(email.view));
	const coldMs = ms(start);
	const shapes = TEMPLATE_NAMES.reduce((n, name) => n + templates[name].stats.compiles, 0);

	// Every shape is compiled now: the median of five passes is the steady state of a long-running n8n.
	const passes: number[] = [];
	for (let pass = 0; pass < 5; pass++) {
		collectGarbage();
		start = performance.now();
		for (const email of data) await templates[email.template].render(email.view);
		passes.push(ms(start));
	}
	const warmMs = passes.sort((a, b) => a - b)[2];
	collectGarbage();

	start = performance.now();
	const reference: string[] = [];
	for (const email of data) reference.push((await mjml2html(templates[email.template].toMjml(email.view), MJML_OPTIONS)).html);
	const perEmailMs = ms(start);

	let mismatches = 0;
	let bytes = 0;
	for (let i = 0; i < data.length; i++) {
		if (compiled[i] !== reference[i]) mismatches++;
		bytes += compiled[i].length;
	}

	const result = {
		emails: data.length,
		templates: TEMPLATE_NAMES,
		comparison: 'byte-identical (===) HTML strings',
		identical: mismatches === 0,
		mismatches,
		averageHtmlBytes: Math.round(bytes / data.length),
		shapesCompiled: shapes,
		firstPass: { totalMs: round(coldMs), note: 'compiles each shape (template × product count) on first use, then fills' },
		compileOnceMs: round(Math.max(0, coldMs - warmMs)),
		compiledOnce: { totalMs: round(warmMs), perEmailMs: round(warmMs / data.length, 4), passesMs: passes.map((p) => round(p)), note: 'every shape compiled: fill per email (median of 5 passes)' },
		mjml2htmlPerEmail: { totalMs: round(perEmailMs), perEmailMs: round(perEmailMs / data.length, 4) },
		speedup: round(perEmailMs / warmMs, 1),
		speedupIncludingCompile: round(perEmailMs / coldMs, 1),
	};
	console.log(`Rendering ${data.length} product emails (${TEMPLATE_NAMES.join(', ')}; 1–6 products; 5 locales; coupons on ~40%)`);
	console.log(`  compiled once, filled per email: ${result.compiledOnce.totalMs} ms = ${result.compiledOnce.perEmailMs} ms/email`);
	console.log(`  mjml2html per email:             ${result.mjml2htmlPerEmail.totalMs} ms = ${result.mjml2htmlPerEmail.perEmailMs} ms/email`);
	console.log(`  speed-up: ${result.speedup}×; output ${mismatches === 0 ? 'byte-identical for every email' : `DIFFERENT for ${mismatches} emails`}`);
	console.log(
		`  one-time compile: ${shapes} shapes in about ${result.compileOnceMs} ms (first pass ${result.firstPass.totalMs} ms: ${result.speedupIncludingCompile}× counting it against these ${data.length} emails)`,
	);
	return result;
}

// ------------------------------------------------------------------ bought together on a large history

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 50_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 250_000);
const PRODUCTS = 5_000;

/**
 * A synthetic history made by the database itself: CONTACTS contacts, ORDERS counted
 * orders of 1–4 lines (2.5 on average), products drawn log-uniformly from PRODUCTS
 * (product k about 1/k as popular as the first, as in real shops).
 */
async function loadHistory(driver: SqlDriver) {
	const pg = driver.dialect.name === 'postgres';
	const uniform = pg ? 'random()' : '((abs(random()) % 1000000) / 1000000.0)';
	const series = (name: string, from: number, to: number) =>
		pg ? `generate_series(${from}, ${to}) ${name}(n)` : `(WITH RECURSIVE s(n) AS (SELECT ${from} UNION ALL SELECT n + 1 FROM s WHERE n < ${to}) SELECT n FROM s) ${name}`;
	await driver.transaction(async (tx) => {
		await tx.run(`INSERT INTO contacts (email, created_at, updated_at) SELECT 'c' || g.n || '@example.com', 0, 0 FROM ${series('g', 1, CONTACTS)}`);
		await tx.run(
			`INSERT INTO orders (contact_id, source, order_id, placed_at, total, currency, counted, updated_at)
			SELECT 1 + CAST(floor(${uniform} * ${CONTACTS}) AS INTEGER), 'bench', CAST(g.n AS TEXT), g.n * 1000, 0, 'EUR', 1, 0 FROM ${series('g', 1, ORDERS)}`,
		);
		await tx.run(
			`WITH items AS MATERIALIZED (
				SELECT o.id AS order_pk, o.contact_id AS contact_id, l.n AS line, CAST(floor(exp(${uniform} * ln(${PRODUCTS}))) AS INTEGER) - 1 AS pn
				FROM orders o JOIN ${series('l', 0, 3)} ON l.n < 1 + (o.id * 7 + 3) % 4)
			INSERT INTO order_items (order_pk, contact_id, line, product_id, title, quantity, price, image_url, url)
			SELECT order_pk, contact_id, line, 'p' || pn, 'Product ' || pn, 1, 10 + pn % 90, 'https://cdn.example.com/p' || pn || '.jpg', 'https://shop.example.com/p' || pn FROM items`,
		);
	});
	await driver.exec('ANALYZE contacts; ANALYZE orders; ANALYZE order_items;');
}

async function measureBoughtTogether(driver: SqlDriver, label: string) {
	let start = performance.now();
	await loadHistory(driver);
	const loadMs = ms(start);
	const items = Number((await driver.get<{ n: number }>('SELECT count(*) AS n FROM order_items'))!.n);
	const top = (await driver.get<{ product_id: string; n: number }>(
		'SELECT product_id, count(*) AS n FROM order_items GROUP BY product_id ORDER BY n DESC LIMIT 1',
	))!;
	const timeIt = async (requests: Array<Parameters<typeof productsBoughtTogether>[2]>) => {
		const times: number[] = [];
		let found = 0;
		for (const request of requests) {
			const t = performance.now();
			found += (await productsBoughtTogether(driver, driver.dialect, request)).length;
			times.push(ms(t));
		}
		times.sort((a, b) => a - b);
		return {
			queries: times.length,
			meanMs: round(times.reduce((a, b) => a + b, 0) / times.length, 3),
			p95Ms: round(times[Math.floor(times.length * 0.95)], 3),
			maxMs: round(times[times.length - 1], 3),
			averageResults: round(found / times.length, 1),
		};
	};
	const rand = random(7);
	// Contacts with orders (about 99% of them at 5 orders per contact).
	const sample = Array.from({ length: 300 }, () => `c${1 + Math.floor(rand() * CONTACTS)}@example.com`);
	await timeIt(sample.slice(0, 20).map((email) => ({ email, limit: 20 })));
	const byContact = await timeIt(sample.map((email) => ({ email, limit: 20 })));
	const byTopProduct = await timeIt(Array.from({ length: 50 }, () => ({ productIds: [top.product_id], limit: 20 })));
	// The same ranking over every order of that product (no per-product bound), for comparison.
	start = performance.now();
	for (let i = 0; i < 5; i++) {
		await driver.all(
			`SELECT oi.product_id, count(DISTINCT oi.order_pk) AS orders FROM order_items oi
			WHERE oi.order_pk IN (SELECT order_pk FROM order_items WHERE product_id = $1) AND oi.product_id <> $1
			GROUP BY oi.product_id ORDER BY orders DESC LIMIT 20`,
			[top.product_id],
		);
	}
	const unboundedMs = round(ms(start) / 5, 3);
	const result = {
		backend: label,
		contacts: CONTACTS,
		orders: ORDERS,
		orderItems: items,
		products: PRODUCTS,
		loadMs: round(loadMs),
		bounds: { basisProducts: MAX_BASIS, ordersPerProduct: ORDERS_PER_PRODUCT },
		byContact,
		byMostPopularProduct: { ...byTopProduct, ordersWithIt: Number(top.n), unboundedRankingMs: unboundedMs },
	};
	console.log(`\nBought together, ${label}: ${ORDERS.toLocaleString('en-US')} orders, ${items.toLocaleString('en-US')} lines, ${PRODUCTS} products (1/k popularity)`);
	console.log(
		`  per contact (basis: their last ≤${MAX_BASIS} products, ≤${ORDERS_PER_PRODUCT} recent orders each): mean ${byContact.meanMs} ms, p95 ${byContact.p95Ms} ms, max ${byContact.maxMs} ms over ${byContact.queries} contacts`,
	);
	console.log(
		`  for the most popular product (in ${Number(top.n).toLocaleString('en-US')} orders): mean ${byTopProduct.meanMs} ms; the same ranking over all its orders: ${unboundedMs} ms`,
	);
	return result;
}

async function crossSellBench() {
	const results = [];
	const dir = mkdtempSync(join(tmpdir(), 'ecm-bench-pb-'));
	const sqlite = new SqliteDriver(join(dir, 'contacts.db'));
	try {
		await migrate(sqlite);
		results.push(await measureBoughtTogether(sqlite, 'SQLite (node:sqlite, WAL)'));
	} finally {
		await sqlite.close();
		rmSync(dir, { recursive: true, force: true });
	}
	let connection: { host: string; port: number; user: string; password: string; database: string } | undefined;
	try {
		// The test suite's throwaway PostgreSQL server (started if needed).
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		connection = (require(join(ROOT, 'scripts', 'lib', 'postgres')) as { startPostgres(): { connection: typeof connection } }).startPostgres().connection;
	} catch (error) {
		console.log(`\nBought together on PostgreSQL: skipped (${(error as Error).message.split('\n')[0]})`);
	}
	if (connection) {
		const schema = `bench_pb_${process.pid}`;
		const pg = new PostgresDriver({ ...connection, schema, ssl: 'disable' });
		try {
			await pg.ensureSchema();
			await migrate(pg);
			results.push(await measureBoughtTogether(pg, 'PostgreSQL'));
		} finally {
			await pg.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
			await pg.close();
		}
	}
	return results;
}

async function main() {
	const rendering = process.env.BENCH_SKIP_RENDER === '1' ? undefined : await renderBench();
	const boughtTogether = process.env.BENCH_SKIP_STORE === '1' ? undefined : await crossSellBench();
	mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
	writeFileSync(
		join(ROOT, 'bench-results', 'productBlock.json'),
		`${JSON.stringify({ benchmark: 'productBlock', node: process.version, at: new Date().toISOString(), rendering, boughtTogether }, null, 2)}\n`,
	);
	if (rendering && !rendering.identical) {
		console.error('The compiled-once output differs from mjml2html per email');
		process.exit(1);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
