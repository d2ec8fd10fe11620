/**
 * Product Block › Cross-Sell ("products bought together", lib/store/productQueries.ts
 * productsBoughtTogether) over 1M synthetic contacts (bench/support/synthetic.ts: about
 * 1.3M orders, 1.8M order lines, 200 products, a few of them in tens of thousands of
 * orders) on SQLite and on PostgreSQL. Each call asks for 22 candidates, what recipe 18
 * asks for (Max Products 4).
 *
 * Calls, each timed alone (p50 / p95 / max):
 * - recipe 18 (Based On: Latest Order): the products of a customer's latest order, the
 *   customer's own purchases left out; for evenly spaced customers;
 * - Based On: All Purchases: the customer's email only (the store picks their last
 *   products as the basis);
 * - one product, no contact (e.g. a product page): every product of the catalog.
 * The naive way, on a subset of the recipe-18 calls: read the contact's order lines and
 * every line of every order holding a basis product into memory, and count co-occurrence
 * there (with the same bounds, so the results must be identical, which is checked).
 *
 * Run: npm run bench crossSell   (BENCH_CONTACTS, BENCH_CALLS, BENCH_NAIVE_CALLS)
 * Writes bench-results/crossSell.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openUncachedStore, type BoughtTogetherProduct, type BoughtTogetherRequest, type ContactStore, type StoreConfig } from '../lib/store';
import { MAX_BASIS, ORDERS_PER_PRODUCT } from '../lib/store/productQueries';
import type { SqlDriver } from '../lib/store/sql';
import { machine, measure, percentile, round } from './support/measure';
import { generateStoreApart, measureApart } from './support/apart';
import { benchPostgresConfig, benchSqliteConfig, disposeBenchStore, openDriver, syntheticEmail, type SyntheticStats } from './support/synthetic';

const ROOT = process.cwd();
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const CALLS = Number(process.env.BENCH_CALLS ?? 500);
const NAIVE_CALLS = Number(process.env.BENCH_NAIVE_CALLS ?? 50);
const NOW = Date.parse('2026-03-15T12:00:00Z');
/** Recipe 18: Max Products 4 → min(100, 4 × 3 + 10) candidates. */
const LIMIT = 22;
const BUDGET_P95_MS = 50;

interface Timed {
	calls: number;
	p50Ms: number;
	p95Ms: number;
	maxMs: number;
	meanMs: number;
	averageResults: number;
	startHeapMb: number;
	peakHeapMb: number;
	startRssMb: number;
	peakRssMb: number;
}

/** Times each request alone; all of them under one memory measurement. */
async function timeCalls(requests: BoughtTogetherRequest[], call: (r: BoughtTogetherRequest) => Promise<unknown[]>): Promise<Timed & { results: unknown[][] }> {
	const m = await measure(async () => {
		const times: number[] = [];
		const results: unknown[][] = [];
		for (const request of requests) {
			const start = performance.now();
			results.push(await call(request));
			times.push(performance.now() - start);
		}
		return { times, results };
	});
	const times = [...m.value.times].sort((a, b) => a - b);
	const found = m.value.results.reduce((n, r) => n + r.length, 0);
	return {
		calls: times.length,
		p50Ms: round(percentile(times, 50), 2),
		p95Ms: round(percentile(times, 95), 2),
		maxMs: round(times[times.length - 1], 2),
		meanMs: round(times.reduce((a, b) => a + b, 0) / times.length, 2),
		averageResults: round(found / times.length, 1),
		startHeapMb: m.startHeapMb,
		peakHeapMb: m.peakHeapMb,
		startRssMb: m.startRssMb,
		peakRssMb: m.peakRssMb,
		results: m.value.results,
	};
}

interface Ranked {
	productId: string;
	orders: number;
}

/**
 * The naive way: the contact's order lines and every line of every order that holds a basis
 * product, read into memory; co-occurrence counted there, with the store's bounds (the
 * latest ORDERS_PER_PRODUCT lines of each basis product, counted orders only).
 */
async function naiveBoughtTogether(driver: SqlDriver, request: BoughtTogetherRequest): Promise<Ranked[]> {
	const own = request.email
		? await driver.all<{ product_id: string | null; order_pk: number }>(
				'SELECT product_id, order_pk FROM order_items WHERE contact_id = (SELECT id FROM contacts WHERE email = $1)',
				[request.email],
			)
		: [];
	let basis = [...new Set((request.productIds ?? []).map(String).filter(Boolean))].slice(0, MAX_BASIS);
	if (basis.length === 0) {
		const last = new Map<string, number>();
		for (const r of own) if (r.product_id !== null) last.set(r.product_id, Math.max(last.get(r.product_id) ?? 0, Number(r.order_pk)));
		basis = [...last.entries()]
			.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
			.slice(0, MAX_BASIS)
			.map(([p]) => p);
	}
	if (basis.length === 0) return [];
	const list = basis.map((_, i) => `$${i + 1}`).join(', ');
	const lines = await driver.all<{ order_pk: number; product_id: string | null; counted: number }>(
		`SELECT oi.order_pk, oi.product_id, o.counted FROM order_items oi JOIN orders o ON o.id = oi.order_pk
		WHERE oi.order_pk IN (SELECT order_pk FROM order_items WHERE product_id IN (${list}))`,
		basis,
	);
	const byOrder = new Map<number, { counted: boolean; products: Set<string> }>();
	const linesOf = new Map<string, number[]>();
	for (const line of lines) {
		const pk = Number(line.order_pk);
		let order = byOrder.get(pk);
		if (!order) byOrder.set(pk, (order = { counted: Number(line.counted) === 1, products: new Set() }));
		if (line.product_id === null) continue;
		order.products.add(line.product_id);
		if (!basis.includes(line.product_id)) continue;
		const of = linesOf.get(line.product_id);
		if (of) of.push(pk);
		else linesOf.set(line.product_id, [pk]);
	}
	const basisOrders = new Set<number>();
	for (const b of basis) {
		const pks = (linesOf.get(b) ?? []).sort((x, y) => y - x).slice(0, ORDERS_PER_PRODUCT);
		for (const pk of pks) if (byOrder.get(pk)!.counted) basisOrders.add(pk);
	}
	const mine = new Set(request.email && !request.includePurchased ? own.map((r) => r.product_id).filter((p): p is string => p !== null) : []);
	const counts = new Map<string, { orders: number; lastPk: number }>();
	for (const pk of basisOrders) {
		for (const p of byOrder.get(pk)!.products) {
			if (basis.includes(p) || mine.has(p)) continue;
			const c = counts.get(p) ?? { orders: 0, lastPk: 0 };
			c.orders++;
			c.lastPk = Math.max(c.lastPk, pk);
			counts.set(p, c);
		}
	}
	return [...counts.entries()]
		.sort((a, b) => b[1].orders - a[1].orders || b[1].lastPk - a[1].lastPk || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
		.slice(0, request.limit)
		.map(([productId, c]) => ({ productId, orders: c.orders }));
}

/** Evenly spaced customers (contacts with orders) and the products of each one's latest order. */
async function customers(driver: SqlDriver, count: number): Promise<Array<{ email: string; latestOrder: string[] }>> {
	const step = Math.max(1, Math.floor(CONTACTS / (count * 2)));
	const rows = await driver.all<{ id: number; order_pk: number }>(
		`SELECT c.id, (SELECT o.id FROM orders o WHERE o.contact_id = c.id ORDER BY o.placed_at DESC, o.id DESC LIMIT 1) AS order_pk
		FROM contacts c WHERE c.order_count > 0 AND c.id % ${step} = 1 ORDER BY c.id LIMIT ${count}`,
	);
	const out = [];
	for (const row of rows) {
		const items = await driver.all<{ product_id: string }>('SELECT DISTINCT product_id FROM order_items WHERE order_pk = $1 AND product_id IS NOT NULL ORDER BY product_id', [
			Number(row.order_pk),
		]);
		out.push({ email: syntheticEmail(Number(row.id)), latestOrder: items.map((i) => i.product_id) });
	}
	return out;
}

const strip = ({ results: _results, ...timed }: Timed & { results: unknown[][] }): Timed => timed;

/** One backend's figures (run in a fresh child process by main, so each backend's memory is its own). */
export async function benchBackend(backend: 'sqlite' | 'postgres') {
	const config: StoreConfig = backend === 'sqlite' ? benchSqliteConfig() : await benchPostgresConfig('bench_cross_sell');
	const generated: SyntheticStats = await generateStoreApart(config, { contacts: CONTACTS, seed: 1, now: NOW });
	const load = machine();
	let driver: SqlDriver | undefined;
	let store: ContactStore | undefined;
	try {
		driver = await openDriver(config);
		store = await openUncachedStore(config);
		const products = await driver.all<{ product_id: string; lines: number }>(
			'SELECT product_id, count(*) AS lines FROM order_items GROUP BY product_id ORDER BY lines DESC, product_id',
		);
		const sample = await customers(driver, CALLS);
		const latestOrder: BoughtTogetherRequest[] = sample.map((c) => ({ email: c.email, productIds: c.latestOrder, limit: LIMIT }));
		const allPurchases: BoughtTogetherRequest[] = sample.map((c) => ({ email: c.email, limit: LIMIT }));
		const productPage: BoughtTogetherRequest[] = products.map((p) => ({ productIds: [p.product_id], limit: LIMIT }));
		const s = store;
		const call = (r: BoughtTogetherRequest) => s.productsBoughtTogether(r);
		await timeCalls(latestOrder.slice(0, 20), call); // warm-up

		const byLatestOrder = await timeCalls(latestOrder, call);
		const byAllPurchases = await timeCalls(allPurchases, call);
		const byProduct = await timeCalls(productPage, call);

		// The naive way on the first NAIVE_CALLS recipe-18 calls: same results, checked.
		const d = driver;
		const naiveRequests = latestOrder.slice(0, NAIVE_CALLS);
		const naive = await timeCalls(naiveRequests, (r) => naiveBoughtTogether(d, r));
		let linesRead = 0;
		for (const [i, request] of naiveRequests.entries()) {
			const ours = (byLatestOrder.results[i] as BoughtTogetherProduct[]).map((p) => `${p.productId}:${p.orders}`).join(',');
			const theirs = (naive.results[i] as Ranked[]).map((p) => `${p.productId}:${p.orders}`).join(',');
			if (ours !== theirs) throw new Error(`${backend}: bought together for ${request.email} differs from the naive count:\n  store ${ours}\n  naive ${theirs}`);
			const basis = request.productIds!;
			linesRead += Number(
				(
					await d.get<{ n: number }>(
						`SELECT count(*) AS n FROM order_items WHERE order_pk IN (SELECT order_pk FROM order_items WHERE product_id IN (${basis.map((_, k) => `$${k + 1}`).join(', ')}))`,
						basis,
					)
				)?.n ?? 0,
			);
		}

		return {
			backend,
			generated,
			load: { ...load, loadAverage1mAtEnd: machine().loadAverage1m },
			products: products.length,
			linesOfTopProduct: Number(products[0]?.lines ?? 0),
			limit: LIMIT,
			bounds: { basisProducts: MAX_BASIS, ordersPerProduct: ORDERS_PER_PRODUCT },
			latestOrder: strip(byLatestOrder),
			allPurchases: strip(byAllPurchases),
			productPage: strip(byProduct),
			naive: { ...strip(naive), averageLinesRead: Math.round(linesRead / Math.max(1, naiveRequests.length)), identicalResults: true },
			ratioP50: round(naive.p50Ms / byLatestOrder.p50Ms, 1),
			budgetP95Ms: BUDGET_P95_MS,
		};
	} finally {
		await disposeBenchStore(config, store, driver);
	}
}

function print(r: Awaited<ReturnType<typeof benchBackend>>) {
	console.log(
		`\n${r.backend}: ${r.generated.contacts.toLocaleString('en')} contacts, ${r.generated.orders.toLocaleString('en')} orders, ${r.generated.orderItems.toLocaleString('en')} lines, ` +
			`${r.products} products (the most popular in ${r.linesOfTopProduct.toLocaleString('en')} lines), generated in ${r.generated.seconds} s ` +
			`(load average ${r.load.loadAverage1m} → ${r.load.loadAverage1mAtEnd} on ${r.load.cores} cores)`,
	);
	const row = (t: Timed) => ({ calls: t.calls, 'p50 ms': t.p50Ms, 'p95 ms': t.p95Ms, 'max ms': t.maxMs, results: t.averageResults, 'heap before MB': t.startHeapMb, 'peak heap MB': t.peakHeapMb, 'RSS before MB': t.startRssMb, 'peak RSS MB': t.peakRssMb });
	console.table({
		'recipe 18: latest order’s products, own purchases left out': row(r.latestOrder),
		'all purchases (email only)': row(r.allPurchases),
		'one product, no contact (each product)': row(r.productPage),
		[`naive: orders into memory, count there (first ${r.naive.calls} recipe-18 calls)`]: row(r.naive),
	});
	console.log(
		`naive read ${r.naive.averageLinesRead.toLocaleString('en')} order lines per call on average; results identical to the store's. ` +
			`Bought together, recipe 18: p95 ${r.latestOrder.p95Ms} ms (budget ${r.budgetP95Ms} ms: ${r.latestOrder.p95Ms < r.budgetP95Ms ? 'within' : 'OVER'}), ${r.ratioP50}× faster than the naive way (p50)`,
	);
}

async function main() {
	const only = process.env.BENCH_BACKEND;
	console.log(`Products bought together: ${LIMIT} candidates per call; basis ≤${MAX_BASIS} products, ≤${ORDERS_PER_PRODUCT} latest orders each; budget p95 < ${BUDGET_P95_MS} ms`);
	const backends = [];
	for (const backend of ['sqlite', 'postgres'] as const) {
		if (only && only !== backend) continue;
		const result = (await measureApart<Awaited<ReturnType<typeof benchBackend>>>(__filename, 'benchBackend', [backend])).value;
		print(result);
		backends.push(result);
	}
	writeFileSync(join(ROOT, 'bench-results', 'crossSell.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, contacts: CONTACTS, backends }, null, 2)}\n`);
	console.log('\nwritten: bench-results/crossSell.json');
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
