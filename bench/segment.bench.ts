/**
 * Segment:
 * 1. Check on 100k input items (Contact Source "From Input Item") against n8n's own
 *    Filter node with the same five conditions, both in the same n8n-core WorkflowExecute
 *    run; the kept contacts must be the same.
 * 2. Find Contacts over 1M synthetic contacts on SQLite and on PostgreSQL: time to stream
 *    every match of a typical rule set in batches, and peak memory; against the naive way
 *    (read every profile, filter in memory) on the same store. Also: Check from the store on
 *    100k items, and the RFM cut values.
 *
 * Run: npm run bench segment   (BENCH_ITEMS, BENCH_CONTACTS to change the sizes)
 * Writes bench-results/segment.json.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { IDataObject, INodeType } from 'n8n-workflow';
import { factsFromItem } from '../lib/domain/contactFacts';
import { compileMatcher, DAY_MS, parseRules, type EvalContext, type RawGroup, type RuleGroup } from '../lib/domain/segmentRules';
import { closeAllStores, openUncachedStore, type ContactStore, type StoreConfig } from '../lib/store';
import { registerNodeType, runWorkflow, type Fixture } from '../tests/support/workflowRunner';
import { generateStoreApart, measureApart } from './support/apart';
import { benchPostgresConfig, benchSqliteConfig, syntheticEmail, type SyntheticStats } from './support/synthetic';

const ROOT = process.cwd();
const ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const NOW = Date.parse('2026-03-15T12:00:00Z');
const REF = new Date(NOW).toISOString();
const TRIGGER = 'When clicking ‘Execute workflow’';

const ms = (start: number) => performance.now() - start;
const collectGarbage = () => (globalThis as { gc?: () => void }).gc?.();
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

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

// ------------------------------------------------------------------ 1. Check vs Filter

const N8N_BASE = join(ROOT, '.cache', 'n8n', 'node_modules', 'n8n-nodes-base');

/** n8n's Filter node from the installed n8n, after checking it is built on our n8n-workflow version. */
function loadFilter(): { node: INodeType; version: string; workflowVersion: string } {
	const pkg = JSON.parse(readFileSync(join(N8N_BASE, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> };
	const theirs = JSON.parse(readFileSync(join(ROOT, '.cache', 'n8n', 'node_modules', 'n8n-workflow', 'package.json'), 'utf8')) as { version: string };
	const ours = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'n8n-workflow', 'package.json'), 'utf8')) as { version: string };
	if (theirs.version !== ours.version) {
		throw new Error(`n8n-nodes-base ${pkg.version} is built on n8n-workflow ${theirs.version}, this package runs ${ours.version}: not the same engine`);
	}
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Filter } = require(join(N8N_BASE, 'dist', 'nodes', 'Filter', 'Filter.node.js')) as { Filter: new () => INodeType };
	return { node: new Filter(), version: pkg.version, workflowVersion: ours.version };
}

/** Customer profiles as the Marketing Contact node outputs them (complete, so Filter's strict types pass). */
function profiles(count: number): IDataObject[] {
	const rand = random(42);
	const countries = ['US', 'US', 'us', 'GB', 'DE', 'FR', 'CA', 'AU'];
	const tags = ['newsletter', 'vip', 'wholesale', 'engagement:engaged', 'sale-hunter'];
	return Array.from({ length: count }, (_, i) => {
		const orderCount = 1 + Math.floor(rand() * rand() * 8);
		const totalSpent = Math.round(orderCount * (15 + rand() * 120) * 100) / 100;
		return {
			contact: {
				id: i + 1,
				email: `c${i + 1}@bench.example`,
				firstName: 'Ada',
				country: countries[Math.floor(rand() * countries.length)],
				status: 'subscribed',
				suppressed: false,
				orderCount,
				totalSpent,
				averageOrderValue: Math.round((totalSpent / orderCount) * 100) / 100,
				lastPurchaseAt: new Date(NOW - Math.floor(rand() * 400 * DAY_MS)).toISOString(),
				siteVisits: Math.floor(rand() * 30),
				tags: tags.filter(() => rand() < 0.3),
				scores: { loyalty: Math.round(totalSpent) },
				custom: {},
			},
			changes: [],
			duplicate: false,
		};
	});
}

const CHECK_RULES = {
	combinator: 'and',
	conditions: {
		condition: [
			{ field: 'totalSpent', numberOperator: 'gt', number: 100 },
			{ field: 'orderCount', numberOperator: 'gte', number: 2 },
			{ field: 'country', textOperator: 'equals', text: 'us' },
			{ field: 'tag', listOperator: 'includes', tag: 'vip' },
			{ field: 'daysSinceLastOrder', daysOperator: 'lte', days: 90 },
		],
	},
};

function checkWorkflow(): Fixture {
	const after = new Date(NOW - 91 * DAY_MS).toISOString();
	const condition = (id: string, leftValue: string, rightValue: unknown, type: string, operation: string, extra: IDataObject = {}) => ({
		id,
		leftValue,
		rightValue,
		operator: { type, operation, ...extra },
	});
	return {
		id: 'bench-segment-check',
		name: 'Segment Check vs Filter',
		active: false,
		nodes: [
			{ id: 't', name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 's',
				name: 'Segment',
				type: 'n8n-nodes-ecommerce-marketing.segment',
				typeVersion: 1,
				position: [240, -100],
				parameters: { operation: 'check', mode: 'matched', contactSource: 'item', ...CHECK_RULES, options: { referenceTime: REF } } as never,
			},
			{
				id: 'f',
				name: 'Filter',
				type: 'n8n-nodes-base.filter',
				typeVersion: 2.3,
				position: [240, 100],
				parameters: {
					conditions: {
						options: { caseSensitive: false, leftValue: '', typeValidation: 'strict', version: 3 },
						combinator: 'and',
						conditions: [
							condition('1', '={{ $json.contact.totalSpent }}', 100, 'number', 'gt'),
							condition('2', '={{ $json.contact.orderCount }}', 2, 'number', 'gte'),
							condition('3', '={{ $json.contact.country }}', 'us', 'string', 'equals'),
							condition('4', '={{ $json.contact.tags }}', 'vip', 'array', 'contains', { rightType: 'any' }),
							condition('5', '={{ $json.contact.lastPurchaseAt }}', after, 'dateTime', 'after'),
						],
					},
					options: { ignoreCase: true },
				} as never,
			},
		],
		connections: {
			[TRIGGER]: {
				main: [
					[
						{ node: 'Segment', type: 'main', index: 0 },
						{ node: 'Filter', type: 'main', index: 0 },
					],
				],
			},
		},
		settings: { executionOrder: 'v1' },
	} as unknown as Fixture;
}

async function benchCheck() {
	const filter = loadFilter();
	registerNodeType('n8n-nodes-base.filter', filter.node);
	const workflow = checkWorkflow();
	await runWorkflow(workflow, { input: profiles(2000) }); // warm-up
	const input = profiles(ITEMS);
	const runs: Array<{ segment: number; filter: number; total: number; kept: number }> = [];
	// One measured run: Filter takes over a minute on 100k items.
	for (let r = 0; r < 1; r++) {
		collectGarbage();
		const start = performance.now();
		const result = await runWorkflow(workflow, { input });
		const total = ms(start);
		if (result.error) throw result.error;
		const data = result.run.data.resultData.runData;
		const kept = (node: string) => result.output(node, 0).map((item) => (item.json.contact as IDataObject).email as string);
		const segmentKept = kept('Segment');
		const filterKept = kept('Filter');
		if (segmentKept.length !== filterKept.length || segmentKept.some((email, i) => email !== filterKept[i])) {
			throw new Error(`Segment kept ${segmentKept.length} contacts, Filter ${filterKept.length}: the conditions do not agree`);
		}
		if (result.output('Segment', 1).length + segmentKept.length !== ITEMS) throw new Error('Segment lost items');
		runs.push({ segment: data.Segment[0].executionTime, filter: data.Filter[0].executionTime, total, kept: segmentKept.length });
	}
	const best = (key: 'segment' | 'filter') => Math.min(...runs.map((r) => r[key]));
	return {
		items: ITEMS,
		kept: runs[0].kept,
		n8nNodesBase: filter.version,
		n8nWorkflow: filter.workflowVersion,
		segmentMs: round(best('segment')),
		filterMs: round(best('filter')),
		ratio: round(best('filter') / best('segment'), 1),
		segmentItemsPerSecond: Math.round(ITEMS / (best('segment') / 1000)),
		filterItemsPerSecond: Math.round(ITEMS / (best('filter') / 1000)),
	};
}

// ------------------------------------------------------------------ 2. Find Contacts over 1M contacts

/** Win-back of good customers: the typical scheduled campaign. */
const TYPICAL: RawGroup = {
	combinator: 'and',
	conditions: [
		{ field: 'subscriptionStatus', operator: 'isOneOf', value: ['subscribed'] },
		{ field: 'suppressed', operator: 'isFalse' },
		{ field: 'orderCount', operator: 'gte', value: 2 },
		{ field: 'totalSpent', operator: 'gt', value: 100 },
		{ field: 'daysSinceLastOrder', operator: 'between', value: 60, value2: 365 },
		{ field: 'country', operator: 'isOneOf', value: ['US', 'GB', 'DE'] },
		{ field: 'tag', operator: 'notIncludes', value: 'wholesale' },
	],
};

/** Browse abandonment: behaviour in other tables (views, carts, orders), OR-ed. */
const BEHAVIOUR: RawGroup = {
	combinator: 'and',
	conditions: [
		{ field: 'subscriptionStatus', operator: 'isOneOf', value: ['subscribed'] },
		{
			combinator: 'or',
			conditions: [
				{ field: 'viewedProduct', operator: 'includes', value: '', times: 3, withinDays: 30 },
				{ field: 'hasAbandonedCart', operator: 'isTrue', withinDays: 7 },
			],
		},
		{ field: 'purchasedProductType', operator: 'notIncludes', value: 'Shoes', withinDays: 30 },
	],
};

interface StreamResult {
	matches: number;
	/** Heap in use before streaming (the rest of the process). */
	startHeapMb: number;
	batches: number;
	ms: number;
	peakHeapMb: number;
	peakRssMb: number;
}

/** Streams every match in keyset batches, keeping nothing but counts (as a scheduled run would page). */
async function stream(store: ContactStore, rules: RuleGroup, context: EvalContext, batch: number): Promise<StreamResult> {
	collectGarbage();
	const startHeap = process.memoryUsage().heapUsed;
	let peakHeap = startHeap;
	let peakRss = process.memoryUsage().rss;
	const start = performance.now();
	let afterId = 0;
	let matches = 0;
	let batches = 0;
	for (;;) {
		const page = await store.findSegmentContacts(rules, { afterId, limit: batch, context });
		batches++;
		matches += page.length;
		const memory = process.memoryUsage();
		peakHeap = Math.max(peakHeap, memory.heapUsed);
		peakRss = Math.max(peakRss, memory.rss);
		if (page.length < batch) break;
		afterId = page[page.length - 1].id;
	}
	return { matches, startHeapMb: mb(startHeap), batches, ms: round(ms(start)), peakHeapMb: mb(peakHeap), peakRssMb: mb(peakRss) };
}

/** The naive way: read every profile (keyset pages of all contacts) and filter in memory. */
async function naive(store: ContactStore, rules: RuleGroup, context: EvalContext, batch: number) {
	const everyone = parseRules({ conditions: [] });
	const matcher = compileMatcher(rules, context);
	const start = performance.now();
	let afterId = 0;
	let matches = 0;
	for (;;) {
		const page = await store.findSegmentContacts(everyone, { afterId, limit: batch, context });
		for (const contact of page) if (matcher(factsFromItem({ contact: contact as unknown as IDataObject }, new Set()))) matches++;
		if (page.length < batch) break;
		afterId = page[page.length - 1].id;
	}
	return { matches, ms: round(ms(start)) };
}

/** Check from the store: 100k items naming random contacts of the 1M, through the node in the engine. */
async function checkFromStore(config: StoreConfig) {
	const rand = random(7);
	const input = Array.from({ length: ITEMS }, () => ({ email: syntheticEmail(1 + Math.floor(rand() * CONTACTS)) }));
	const workflow = checkWorkflow();
	workflow.nodes = workflow.nodes.filter((n) => n.name !== 'Filter');
	workflow.connections[TRIGGER].main[0] = workflow.connections[TRIGGER].main[0]!.filter((c) => c.node !== 'Filter');
	const segment = workflow.nodes.find((n) => n.name === 'Segment')!;
	segment.parameters = { operation: 'check', mode: 'matched', contactSource: 'store', ...CHECK_RULES, options: { referenceTime: REF, includeContact: true } } as never;
	collectGarbage();
	const start = performance.now();
	const result = await runWorkflow(workflow, { input, store: config });
	const total = ms(start);
	if (result.error) throw result.error;
	const nodeMs = result.run.data.resultData.runData.Segment[0].executionTime;
	await closeAllStores();
	return { items: ITEMS, matched: result.output('Segment', 0).length, ms: round(nodeMs), totalMs: round(total), itemsPerSecond: Math.round(ITEMS / (nodeMs / 1000)) };
}

export async function benchBackend(backend: 'sqlite' | 'postgres') {
	const config = backend === 'sqlite' ? benchSqliteConfig() : await benchPostgresConfig('bench_segment');
	// In a child process: SQLite builds the store inside the process that opens it, and this
	// process's RSS should be the benchmark's own.
	const generated: SyntheticStats = await generateStoreApart(config, { contacts: CONTACTS, seed: 1, now: NOW });
	const store = await openUncachedStore(config);
	const context: EvalContext = { now: NOW, abandonedAfterMs: 3_600_000 };
	try {
		const typical = parseRules(TYPICAL);
		const behaviour = parseRules(BEHAVIOUR);
		await store.findSegmentContacts(typical, { afterId: 0, limit: 10, context }); // warm-up
		const streamed = await stream(store, typical, context, 1000);
		const streamed5000 = await stream(store, typical, context, 5000);
		const naiveRun = await naive(store, typical, context, 1000);
		if (naiveRun.matches !== streamed.matches) throw new Error(`${backend}: naive found ${naiveRun.matches}, Find Contacts ${streamed.matches}`);
		const behaviourRun = await stream(store, behaviour, context, 1000);
		let start = performance.now();
		const boundaries = await store.getRfmBoundaries();
		const rfmMs = round(ms(start));
		start = performance.now();
		const firstBatch = await store.findSegmentContacts(typical, { afterId: 0, limit: 1000, context });
		const firstBatchMs = round(ms(start));
		await store.close();
		const check = await checkFromStore(config);
		return {
			backend,
			generated,
			findContacts: { ...streamed, firstBatchMs, firstBatchSize: firstBatch.length, naiveMs: naiveRun.ms, ratio: round(naiveRun.ms / streamed.ms, 1) },
			findContactsBatch5000: streamed5000,
			findContactsBehaviour: behaviourRun,
			rfmBoundaries: { ms: rfmMs, customers: boundaries.customers },
			checkFromStore: check,
		};
	} finally {
		await store.close().catch(() => undefined);
		// Free the disk: the SQLite file, or the PostgreSQL schema (dropped).
		if (config.backend === 'sqlite') rmSync(dirname(config.path), { recursive: true, force: true });
		else await benchPostgresConfig(config.schema);
	}
}

async function main() {
	// n8n-core keeps its settings in the user folder: a throwaway one, not ~/.n8n.
	const userFolder = mkdtempSync(join(tmpdir(), 'ecm-bench-n8n-'));
	process.env.N8N_USER_FOLDER = userFolder;
	process.on('exit', () => rmSync(userFolder, { recursive: true, force: true }));
	if (!existsSync(N8N_BASE)) throw new Error(`n8n is not installed at ${N8N_BASE} (npm start or the e2e tests install it)`);
	const check = await benchCheck();
	console.log(`\nSegment Check vs n8n Filter, ${check.items.toLocaleString('en')} items, 5 conditions, same WorkflowExecute run (n8n-nodes-base ${check.n8nNodesBase}, n8n-workflow ${check.n8nWorkflow})`);
	console.table({
		'Segment Check (From Input Item)': { ms: check.segmentMs, 'items/s': check.segmentItemsPerSecond, kept: check.kept },
		'n8n Filter': { ms: check.filterMs, 'items/s': check.filterItemsPerSecond, kept: check.kept },
	});
	console.log(`Segment is ${check.ratio}× faster than Filter (aim ≥ 10×)`);

	const backends = [];
	for (const backend of ['sqlite', 'postgres'] as const) {
		// Each backend in a fresh child process: its peak memory is its own.
		const r = (await measureApart<Awaited<ReturnType<typeof benchBackend>>>(__filename, 'benchBackend', [backend])).value;
		backends.push(r);
		console.log(`\n${backend}: ${r.generated.contacts.toLocaleString('en')} contacts generated in ${r.generated.seconds} s (${r.generated.orders.toLocaleString('en')} orders, ${r.generated.tags.toLocaleString('en')} tags, ${r.generated.productViewEvents.toLocaleString('en')} views, ${r.generated.carts.toLocaleString('en')} carts)`);
		console.table({
			'Find Contacts, win-back rule set (7 conditions)': { ms: r.findContacts.ms, matches: r.findContacts.matches, batches: r.findContacts.batches, 'peak heap MB': r.findContacts.peakHeapMb, 'peak RSS MB': r.findContacts.peakRssMb },
			'same, batches of 5000': { ms: r.findContactsBatch5000.ms, matches: r.findContactsBatch5000.matches, batches: r.findContactsBatch5000.batches, 'peak heap MB': r.findContactsBatch5000.peakHeapMb, 'peak RSS MB': r.findContactsBatch5000.peakRssMb },
			'naive: read every profile, filter in memory': { ms: r.findContacts.naiveMs, matches: r.findContacts.matches, batches: '', 'peak heap MB': '', 'peak RSS MB': '' },
			'Find Contacts, behaviour rule set (views/carts/orders)': { ms: r.findContactsBehaviour.ms, matches: r.findContactsBehaviour.matches, batches: r.findContactsBehaviour.batches, 'peak heap MB': r.findContactsBehaviour.peakHeapMb, 'peak RSS MB': r.findContactsBehaviour.peakRssMb },
			'first batch of 1000 (win-back)': { ms: r.findContacts.firstBatchMs, matches: r.findContacts.firstBatchSize, batches: 1, 'peak heap MB': '', 'peak RSS MB': '' },
			'RFM cut values (all customers)': { ms: r.rfmBoundaries.ms, matches: r.rfmBoundaries.customers, batches: '', 'peak heap MB': '', 'peak RSS MB': '' },
			[`Check from the store, ${r.checkFromStore.items.toLocaleString('en')} items`]: { ms: r.checkFromStore.ms, matches: r.checkFromStore.matched, batches: '', 'peak heap MB': '', 'peak RSS MB': '' },
		});
		console.log(
			`Find Contacts streams all ${r.findContacts.matches.toLocaleString('en')} matches in ${round(r.findContacts.ms / 1000, 2)} s (aim < 5 s), ${r.findContacts.ratio}× faster than reading every profile; heap ${r.findContacts.startHeapMb} MB before, ${r.findContacts.peakHeapMb} MB at most while streaming`,
		);
	}

	mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
	writeFileSync(join(ROOT, 'bench-results', 'segment.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, check, findContacts: backends }, null, 2)}\n`);
	console.log('\nwritten: bench-results/segment.json');
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
