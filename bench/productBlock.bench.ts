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
	let start = performance.now();
	const compiled: string[] = [];
	for (const email of data) compiled.push(await templates[email.template].render(email.view));
	const coldMs = ms(start);
	const shapes = TEMPLATE_NAMES.reduce((n, name) => n + templates[name].stats.compiles, 0);

	start = performance.now();
	for (const email of data) await templates[email.template].render(email.view);
	const warmMs = ms(start);

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
		shapesCompiled: shapes,
		averageHtmlBytes: Math.round(bytes / data.length),
		compiledOnce: { totalMs: round(coldMs), perEmailMs: round(coldMs / data.length, 4), note: 'includes compiling every shape on first use' },
		compiledOnceWarm: { totalMs: round(warmMs), perEmailMs: round(warmMs / data.length, 4), note: 'every shape already compiled (a long-running n8n)' },
		mjml2htmlPerEmail: { totalMs: round(perEmailMs), perEmailMs: round(perEmailMs / data.length, 4) },
		speedup: round(perEmailMs / coldMs, 1),
		speedupWarm: round(perEmailMs / warmMs, 1),
		identical: mismatches === 0,
		mismatches,
		comparison: 'byte-identical (===) HTML strings',
	};
	console.log(`Rendering ${data.length} product emails (${TEMPLATE_NAMES.join(', ')}; 1–6 products; 5 locales; coupons on ~40%)`);
	console.log(`  compiled once, filled per email: ${result.compiledOnce.totalMs} ms (${shapes} shapes compiled) = ${result.compiledOnce.perEmailMs} ms/email`);
	console.log(`  same, every shape compiled:      ${result.compiledOnceWarm.totalMs} ms = ${result.compiledOnceWarm.perEmailMs} ms/email`);
	console.log(`  mjml2html per email:             ${result.mjml2htmlPerEmail.totalMs} ms = ${result.mjml2htmlPerEmail.perEmailMs} ms/email`);
	console.log(`  speed-up: ${result.speedup}× (${result.speedupWarm}× once compiled); output ${mismatches === 0 ? 'byte-identical for every email' : `DIFFERENT for ${mismatches} emails`}`);
	return result;
}

// ------------------------------------------------------------------ bought together on a large history

async function crossSellBench() {
	const contacts = Number(process.env.BENCH_CONTACTS ?? 50_000);
	const orders = Number(process.env.BENCH_ORDERS ?? 250_000);
	const products = 5_000;
	const rand = random(7);
	const dir = mkdtempSync(join(tmpdir(), 'ecm-bench-pb-'));
	const driver = new SqliteDriver(join(dir, 'contacts.db'));
	try {
		await migrate(driver);
		let start = performance.now();
		// Zipf-like popularity: product k is bought about 1/k as often as product 1.
		const weights = Array.from({ length: products }, (_, k) => 1 / (k + 1));
		const total = weights.reduce((a, b) => a + b, 0);
		const cumulative: number[] = [];
		let sum = 0;
		for (const w of weights) cumulative.push((sum += w / total));
		const pick = () => {
			const r = rand();
			let lo = 0;
			let hi = products - 1;
			while (lo < hi) {
				const mid = (lo + hi) >> 1;
				if (cumulative[mid] < r) lo = mid + 1;
				else hi = mid;
			}
			return lo;
		};
		let items = 0;
		await driver.transaction(async (tx) => {
			for (let c = 1; c <= contacts; c++) await tx.run('INSERT INTO contacts (email, created_at, updated_at) VALUES ($1, 0, 0)', [`c${c}@example.com`]);
			for (let o = 1; o <= orders; o++) {
				const contact = 1 + Math.floor(rand() * contacts);
				await tx.run(
					"INSERT INTO orders (contact_id, source, order_id, placed_at, total, currency, counted, updated_at) VALUES ($1, 'bench', $2, $3, 0, 'EUR', 1, 0)",
					[contact, String(o), o * 1000],
				);
				const n = 1 + Math.floor(rand() * 4);
				const seen = new Set<number>();
				for (let line = 0; line < n; line++) {
					const p = pick();
					if (seen.has(p)) continue;
					seen.add(p);
					items++;
					await tx.run(
						'INSERT INTO order_items (order_pk, contact_id, line, product_id, title, quantity, price, image_url, url) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8)',
						[o, contact, line, `p${p}`, `Product ${p}`, 10 + (p % 90), `https://cdn.example.com/p${p}.jpg`, `https://shop.example.com/p${p}`],
					);
				}
			}
		});
		await driver.exec('ANALYZE');
		const loadMs = ms(start);

		const timeIt = async (requests: Array<Parameters<typeof productsBoughtTogether>[1]>) => {
			const times: number[] = [];
			for (const request of requests) {
				const t = performance.now();
				await productsBoughtTogether(driver, request);
				times.push(ms(t));
			}
			times.sort((a, b) => a - b);
			return {
				queries: times.length,
				meanMs: round(times.reduce((a, b) => a + b, 0) / times.length, 3),
				p95Ms: round(times[Math.floor(times.length * 0.95)], 3),
				maxMs: round(times[times.length - 1], 3),
			};
		};
		const sample = Array.from({ length: 300 }, () => `c${1 + Math.floor(rand() * contacts)}@example.com`);
		await timeIt(sample.slice(0, 20).map((email) => ({ email, limit: 20 })));
		const byContact = await timeIt(sample.map((email) => ({ email, limit: 20 })));
		const byTopProduct = await timeIt(Array.from({ length: 50 }, () => ({ productIds: ['p0'], limit: 20 })));
		const topProductOrders = Number(
			(await driver.get<{ n: number }>("SELECT count(*) AS n FROM order_items WHERE product_id = 'p0'"))!.n,
		);

		// The same ranking over every order of the product (no per-product bound), for comparison.
		start = performance.now();
		for (let i = 0; i < 10; i++) {
			await driver.all(
				`SELECT oi.product_id, count(DISTINCT oi.order_pk) AS orders FROM order_items oi
				WHERE oi.order_pk IN (SELECT order_pk FROM order_items WHERE product_id = 'p0') AND oi.product_id <> 'p0'
				GROUP BY oi.product_id ORDER BY orders DESC LIMIT 20`,
			);
		}
		const unboundedMs = round(ms(start) / 10, 3);

		const result = {
			backend: 'sqlite (node:sqlite, WAL)',
			contacts,
			orders,
			orderItems: items,
			products,
			loadMs: round(loadMs),
			bounds: { basisProducts: MAX_BASIS, ordersPerProduct: ORDERS_PER_PRODUCT },
			byContact,
			byMostPopularProduct: { ...byTopProduct, ordersWithIt: topProductOrders, unboundedRankingMs: unboundedMs },
		};
		console.log(`\nBought together on ${orders.toLocaleString('en-US')} orders (${items.toLocaleString('en-US')} lines, ${products} products, Zipf popularity), SQLite`);
		console.log(`  per contact (basis: their last ≤${MAX_BASIS} products, ≤${ORDERS_PER_PRODUCT} recent orders each): mean ${byContact.meanMs} ms, p95 ${byContact.p95Ms} ms, max ${byContact.maxMs} ms (${byContact.queries} contacts)`);
		console.log(`  for the most popular product (in ${topProductOrders.toLocaleString('en-US')} orders): mean ${byTopProduct.meanMs} ms; the same ranking over all its orders: ${unboundedMs} ms`);
		return result;
	} finally {
		await driver.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

async function main() {
	const rendering = await renderBench();
	const crossSell = process.env.BENCH_SKIP_STORE === '1' ? undefined : await crossSellBench();
	mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
	writeFileSync(
		join(ROOT, 'bench-results', 'productBlock.json'),
		`${JSON.stringify({ benchmark: 'productBlock', node: process.version, at: new Date().toISOString(), rendering, crossSell }, null, 2)}\n`,
	);
	if (!rendering.identical) {
		console.error('The compiled-once output differs from mjml2html per email');
		process.exit(1);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
