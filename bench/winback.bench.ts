/**
 * Win-back Window: Get Due Contacts over 1M synthetic contacts (bench/support/synthetic.ts:
 * last purchases spread over two years, 12% suppressed) on SQLite and on PostgreSQL, with
 * the default window (first email at 90 days, follow-ups at 150 and 210, final at 270,
 * expiry at 300 → tag "lapsed").
 *
 * 1. First run on a fresh store, Max Contacts 1000 (the default), through the node in n8n's
 *    WorkflowExecute.
 * 2. A large catch-up run: Max Contacts 20,000.
 * 3. The daily run: the store as daily runs leave it (every step due yesterday claimed),
 *    then the run one day later, through the node with Max Contacts 100,000: every contact
 *    whose anchor crossed a step boundary that day. This is the run a daily Schedule
 *    Trigger makes.
 * 4. Its replay (same Reference Time): nothing is due, the whole window is read.
 * The naive way: read every contact's anchor and suppression and every claim of the
 * campaign, and place each contact in the window in memory (positionOf). It must find
 * the same contacts as run 3; the ratio is naive / run 3.
 *
 * Run: npm run bench winback   (BENCH_CONTACTS to change the size)
 * Writes bench-results/winback.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { dueWindows, positionOf } from '../lib/domain/dueSteps';
import { describeWinbackSchedule, winbackSchedule } from '../lib/domain/winback';
import { closeAllStores, openUncachedStore, type ContactStore, type StoreConfig, type WinbackSweep } from '../lib/store';
import type { SqlDriver } from '../lib/store/sql';
import { runWorkflow, type Fixture } from '../tests/support/workflowRunner';
import { generateStoreApart, measureApart } from './support/apart';
import { measure } from './support/measure';
import { benchPostgresConfig, benchSqliteConfig, disposeBenchStore, DAY, openDriver, type SyntheticStats } from './support/synthetic';

const ROOT = process.cwd();
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const NOW = Date.parse('2026-03-15T12:00:00Z');
const NEXT_DAY = NOW + DAY;
const TRIGGER = 'When clicking ‘Execute workflow’';
const AIM_MS = 5000;

const schedule = winbackSchedule();
const sweep = (now: number, maxContacts: number): WinbackSweep => ({
	campaign: 'winback',
	anchor: 'lastPurchase',
	schedule,
	action: 'tag',
	tag: 'lapsed',
	includeExpired: true,
	now,
	maxContacts,
});

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A workflow as a recipe has it: a trigger, then Get Due Contacts with the default window. */
function workflow(referenceTime: number, maxContacts: number): Fixture {
	return {
		id: 'bench-winback',
		name: 'Win-back Window bench',
		active: false,
		nodes: [
			{ parameters: {}, id: 't', name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
			{
				parameters: { operation: 'getDueContacts', options: { referenceTime: new Date(referenceTime).toISOString(), maxContacts } },
				id: 'w',
				name: 'Get Due Contacts',
				type: 'n8n-nodes-ecommerce-marketing.winbackWindow',
				typeVersion: 1,
				position: [220, 0],
			},
		],
		connections: { [TRIGGER]: { main: [[{ node: 'Get Due Contacts', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	} as unknown as Fixture;
}

/** Get Due Contacts through the node in WorkflowExecute: the node's own execution time and its items. */
async function runNode(config: StoreConfig, referenceTime: number, maxContacts: number) {
	const result = await runWorkflow(workflow(referenceTime, maxContacts), { store: config });
	if (result.error) throw result.error;
	const run = result.run.data.resultData.runData['Get Due Contacts'][0];
	const items = result.json('Get Due Contacts');
	return { items, nodeMs: round(run.executionTime), hints: (run.hints ?? []).map((h) => h.message) };
}

/**
 * What daily runs leave behind: every contact past a step at `now` has that step and each
 * earlier one claimed (set-based, one statement per step).
 */
async function claimEverythingDue(driver: SqlDriver, now: number): Promise<number> {
	const windows = dueWindows(schedule, now);
	const current = `CASE ${windows.map((w) => `WHEN last_purchase_at BETWEEN ${w.fromAnchor} AND ${w.toAnchor} THEN ${w.index}`).join(' ')} END`;
	const hi = Math.max(...windows.map((w) => w.toAnchor));
	let claimed = 0;
	for (const [index, step] of schedule.steps.entries()) {
		claimed += await driver.run(
			`INSERT INTO step_claims (contact_id, campaign, anchor_key, step_index, step, claimed_at)
			SELECT id, 'winback', last_purchase_at, ${index}, '${step.name}', ${now} FROM contacts
			WHERE suppressed = 0 AND last_purchase_at <= ${hi} AND ${current} >= ${index}
			ON CONFLICT DO NOTHING`,
		);
	}
	// PostgreSQL's autovacuum would do this after such a bulk insert; the bench does not wait for it.
	if (driver.dialect.name === 'postgres') await driver.exec('VACUUM ANALYZE step_claims');
	return claimed;
}

/** The naive way: every anchor and every claim into memory, each contact placed in the window by positionOf. */
async function naive(driver: SqlDriver, now: number): Promise<{ due: Set<number> }> {
	const contacts = await driver.all<{ id: number; last_purchase_at: number | null; suppressed: number }>(
		'SELECT id, last_purchase_at, suppressed FROM contacts',
	);
	const claims = await driver.all<{ contact_id: number; anchor_key: number; step_index: number }>(
		"SELECT contact_id, anchor_key, step_index FROM step_claims WHERE campaign = 'winback'",
	);
	const claimed = new Map<string, number[]>();
	for (const c of claims) {
		const key = `${Number(c.contact_id)}:${Number(c.anchor_key)}`;
		const list = claimed.get(key);
		if (list) list.push(Number(c.step_index));
		else claimed.set(key, [Number(c.step_index)]);
	}
	const due = new Set<number>();
	for (const c of contacts) {
		if (c.last_purchase_at === null || Number(c.suppressed) === 1) continue;
		const anchor = Number(c.last_purchase_at);
		const position = positionOf(schedule, anchor, now, claimed.get(`${Number(c.id)}:${anchor}`) ?? []);
		if (position.status === 'due') due.add(Number(c.id));
	}
	return { due };
}

export async function benchBackend(backend: 'sqlite' | 'postgres') {
	const config = backend === 'sqlite' ? benchSqliteConfig() : await benchPostgresConfig('bench_winback');
	// In a child process: SQLite builds the store inside the process that opens it, and this
	// process's RSS should be the benchmark's own.
	const generated: SyntheticStats = await generateStoreApart(config, { contacts: CONTACTS, seed: 1, now: NOW });
	let store: ContactStore | undefined;
	let driver: SqlDriver | undefined;
	try {
		// 1. First run, default Max Contacts, through the node.
		const first = await measure(() => runNode(config, NOW, 1000));
		await closeAllStores();

		// 2. A large catch-up run.
		store = await openUncachedStore(config);
		const large = await measure(() => store!.sweepWinback(sweep(NOW, 20_000)));

		// 3. The daily run: everything due today claimed, then tomorrow's run.
		driver = await openDriver(config);
		const claimStart = performance.now();
		const preclaimed = await claimEverythingDue(driver, NOW);
		const claimMs = round(performance.now() - claimStart);
		const daily = await measure(() => runNode(config, NEXT_DAY, 100_000));
		await closeAllStores();

		// 4. Its replay: nothing due.
		const replay = await measure(() => store!.sweepWinback(sweep(NEXT_DAY, 1000)));
		if (replay.value.items.length !== 0) throw new Error(`${backend}: the replay emitted ${replay.value.items.length} contacts`);

		// The naive way, on the store as it was before the daily run (its claims taken back).
		await driver.run(`DELETE FROM step_claims WHERE claimed_at = ${NEXT_DAY}`);
		const naiveRun = await measure(() => naive(driver!, NEXT_DAY));
		const emitted = new Set(daily.value.items.map((json) => Number((json.contact as { id: number }).id)));
		const same = emitted.size === naiveRun.value.due.size && [...emitted].every((id) => naiveRun.value.due.has(id));
		if (!same) throw new Error(`${backend}: the daily run emitted ${emitted.size} contacts, the naive way found ${naiveRun.value.due.size}`);

		const steps: Record<string, number> = {};
		for (const json of daily.value.items) steps[String(json.stepName)] = (steps[String(json.stepName)] ?? 0) + 1;
		const inWindow = Number(
			(await driver.get<{ n: number }>(`SELECT count(*) AS n FROM contacts WHERE suppressed = 0 AND last_purchase_at <= ${NEXT_DAY - schedule.steps[0].offsetMs}`))?.n ?? 0,
		);
		return {
			backend,
			generated,
			contactsInWindow: inWindow,
			firstRun: { items: first.value.items.length, nodeMs: first.value.nodeMs, totalMs: first.ms, peakHeapMb: first.peakHeapMb, peakRssMb: first.peakRssMb },
			largeRun: { items: large.value.items.length, ms: large.ms, limitReached: large.value.limitReached, peakHeapMb: large.peakHeapMb, peakRssMb: large.peakRssMb },
			dailyRun: {
				items: daily.value.items.length,
				steps,
				nodeMs: daily.value.nodeMs,
				totalMs: daily.ms,
				peakHeapMb: daily.peakHeapMb,
				peakRssMb: daily.peakRssMb,
				hints: daily.value.hints,
				preclaimed,
				preclaimMs: claimMs,
			},
			replay: { items: 0, ms: replay.ms, peakHeapMb: replay.peakHeapMb, peakRssMb: replay.peakRssMb },
			naive: { due: naiveRun.value.due.size, ms: naiveRun.ms, peakHeapMb: naiveRun.peakHeapMb, peakRssMb: naiveRun.peakRssMb },
			ratio: round(naiveRun.ms / daily.value.nodeMs, 1),
		};
	} finally {
		await disposeBenchStore(config, store, driver);
	}
}

function print(r: Awaited<ReturnType<typeof benchBackend>>) {
	console.log(
		`\n${r.backend}: ${r.generated.contacts.toLocaleString('en')} contacts generated in ${r.generated.seconds} s; ` +
			`${r.contactsInWindow.toLocaleString('en')} past the first step (not suppressed)`,
	);
	console.table({
		'1. first run, Max Contacts 1000 (node)': { ms: r.firstRun.nodeMs, items: r.firstRun.items, 'peak heap MB': r.firstRun.peakHeapMb, 'peak RSS MB': r.firstRun.peakRssMb },
		'2. catch-up run, Max Contacts 20,000': { ms: r.largeRun.ms, items: r.largeRun.items, 'peak heap MB': r.largeRun.peakHeapMb, 'peak RSS MB': r.largeRun.peakRssMb },
		'3. daily run, next day (node)': { ms: r.dailyRun.nodeMs, items: r.dailyRun.items, 'peak heap MB': r.dailyRun.peakHeapMb, 'peak RSS MB': r.dailyRun.peakRssMb },
		'4. replay of 3 (nothing due)': { ms: r.replay.ms, items: 0, 'peak heap MB': r.replay.peakHeapMb, 'peak RSS MB': r.replay.peakRssMb },
		'naive: every anchor and claim in memory': { ms: r.naive.ms, items: r.naive.due, 'peak heap MB': r.naive.peakHeapMb, 'peak RSS MB': r.naive.peakRssMb },
	});
	console.log(`daily run: ${r.dailyRun.hints.join(' | ')}`);
	const verdict = r.dailyRun.nodeMs < AIM_MS && r.replay.ms < AIM_MS ? 'within' : 'OVER';
	console.log(
		`Get Due Contacts, daily run over ${r.generated.contacts.toLocaleString('en')} contacts: ${round(r.dailyRun.nodeMs / 1000, 2)} s ` +
			`(replay ${round(r.replay.ms / 1000, 2)} s; aim < 5 s: ${verdict}), ${r.ratio}× faster than the naive way`,
	);
}

async function main() {
	// n8n-core keeps its settings in the user folder: a throwaway one, not ~/.n8n.
	const userFolder = mkdtempSync(join(tmpdir(), 'ecm-bench-n8n-'));
	process.env.N8N_USER_FOLDER = userFolder;
	process.on('exit', () => rmSync(userFolder, { recursive: true, force: true }));
	console.log(`Win-back Window, Get Due Contacts: ${describeWinbackSchedule(schedule)}; reference time ${new Date(NOW).toISOString()}`);
	const backends = [];
	for (const backend of ['sqlite', 'postgres'] as const) {
		// Each backend in a fresh child process: its peak memory is its own.
		const result = (await measureApart<Awaited<ReturnType<typeof benchBackend>>>(__filename, 'benchBackend', [backend])).value;
		print(result);
		backends.push(result);
	}
	writeFileSync(
		join(ROOT, 'bench-results', 'winback.json'),
		`${JSON.stringify({ date: new Date().toISOString(), node: process.version, contacts: CONTACTS, window: describeWinbackSchedule(schedule), backends }, null, 2)}\n`,
	);
	console.log('\nwritten: bench-results/winback.json');
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
