/**
 * Tag › Engagement Tags, the sweep of recipe 05 ("All Contacts Whose State Changed"), over
 * 1M synthetic contacts (bench/support/synthetic.ts: last opens/clicks skewed to recent
 * weeks, site visits over a year, purchases over two years, signups over three; 30% carry
 * an engagement:engaged tag imported from elsewhere) on SQLite and on PostgreSQL, with the
 * default settings (engaged / recent activity / disengaged / inactive after 7, 21, 30 days;
 * opens and clicks, site visits and purchases count).
 *
 * 1. First run: every contact checked and tagged. The node in n8n's WorkflowExecute with
 *    Max Contacts 100,000 (the most it allows), run again while it says Max Contacts was
 *    reached: the full sweep is the sum of those runs.
 * 2. Check Every Contact right after it: reads all 1M again, must change nothing.
 * 3. The daily run, one day later, after a day of activity the tags do not know of yet
 *    (5,000 contacts opened or clicked, 5,000 visited the site, 2,000 new contacts): runs of
 *    Max Contacts 100,000 until done, as a daily Schedule Trigger would make them.
 * 4. Check Every Contact after the daily run: must change nothing (the daily run's shortcut
 *    missed no one).
 * Each of 1–4 runs in a fresh child process: its peak RSS is its own (n8n-core, the store
 * and the node's output items), from a clean start.
 * The naive way: the store's per-contact call (Tag › Engagement Tags, One Contact:
 * store.applyEngagementTags: read the contact and its tags, decide, write) for every
 * contact. Timed on an evenly spaced sample of contacts just before runs 1 and 3 (same
 * store, same reference time) and extrapolated to every contact: an estimate, labelled so.
 *
 * Run: npm run bench engagement   (BENCH_CONTACTS, BENCH_SAMPLE to change the sizes)
 * Writes bench-results/engagement.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_ENGAGEMENT_GROUP, DEFAULT_ENGAGEMENT_THRESHOLDS, ENGAGEMENT_SIGNALS, ENGAGEMENT_STATES } from '../lib/domain/tags';
import { closeAllStores, openUncachedStore, type EngagementSettings, type StoreConfig } from '../lib/store';
import type { SqlDriver } from '../lib/store/sql';
import { runWorkflow, type Fixture } from '../tests/support/workflowRunner';
import { machine, round, type Measured } from './support/measure';
import { generateStoreApart, measureApart } from './support/apart';
import { benchPostgresConfig, benchSqliteConfig, disposeBenchStore, DAY, openDriver, syntheticEmail, type SyntheticStats } from './support/synthetic';

const ROOT = process.cwd();
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 2000);
const NOW = Date.parse('2026-03-15T06:00:00Z');
const NEXT_DAY = NOW + DAY;
const MAX_CONTACTS = 100_000;
const RECIPE_MAX_CONTACTS = 1000;
const BUDGET_MS = 60_000;
const NEW_CONTACTS = 2000;
const TRIGGER = 'When clicking ‘Execute workflow’';

const settings: EngagementSettings = { group: DEFAULT_ENGAGEMENT_GROUP, thresholds: DEFAULT_ENGAGEMENT_THRESHOLDS, signals: [...ENGAGEMENT_SIGNALS] };

/** Recipe 05's sweep node, with a Reference Time and Max Contacts. */
function workflow(referenceTime: number, maxContacts: number, checkEveryContact: boolean): Fixture {
	return {
		id: 'bench-engagement',
		name: 'Engagement sweep bench',
		active: false,
		nodes: [
			{ parameters: {}, id: 't', name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
			{
				parameters: {
					operation: 'engagementTags',
					scope: 'all',
					options: { referenceTime: new Date(referenceTime).toISOString(), maxContacts, ...(checkEveryContact ? { checkEveryContact: true } : {}) },
				},
				id: 's',
				name: 'Sweep engagement tags',
				type: 'n8n-nodes-ecommerce-marketing.tag',
				typeVersion: 1,
				position: [220, 0],
			},
		],
		connections: { [TRIGGER]: { main: [[{ node: 'Sweep engagement tags', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	} as unknown as Fixture;
}

interface Sweep {
	runs: Array<{ items: number; nodeMs: number }>;
	changed: number;
	byState: Record<string, number>;
	nodeMs: number;
}

/** Runs the node until a run no longer reaches Max Contacts: one full sweep. Keeps only counts. */
export async function fullSweep(config: StoreConfig, at: number, maxContacts: number, checkEveryContact = false): Promise<Sweep> {
	const runs: Sweep['runs'] = [];
	const byState: Record<string, number> = {};
	let changed = 0;
	for (let run = 0; run < 100; run++) {
		const result = await runWorkflow(workflow(at, maxContacts, checkEveryContact && run === 0), { store: config });
		if (result.error) throw result.error;
		const data = result.run.data.resultData.runData['Sweep engagement tags'][0];
		const items = result.json('Sweep engagement tags');
		for (const json of items) {
			if (json.changed !== true) continue;
			changed++;
			byState[String(json.state)] = (byState[String(json.state)] ?? 0) + 1;
		}
		runs.push({ items: items.length, nodeMs: round(data.executionTime) });
		const limitReached = (data.hints ?? []).some((h) => h.message.startsWith('Max Contacts'));
		if (!limitReached) break;
	}
	return { runs, changed, byState, nodeMs: round(runs.reduce((sum, r) => sum + r.nodeMs, 0)) };
}

/**
 * One full sweep in a fresh child process (each step's peak RSS from a clean start: what the
 * step itself needs, as in an n8n process that runs only this workflow).
 */
async function sweepApart(config: StoreConfig, at: number, maxContacts: number, checkEveryContact = false): Promise<Measured<Sweep>> {
	return await measureApart<Sweep>(__filename, 'fullSweep', [config, at, maxContacts, checkEveryContact]);
}

/** The naive way on a sample: one store.applyEngagementTags per contact (evenly spaced ids), extrapolated to `contacts`. */
async function naiveSample(config: StoreConfig, at: number, contacts: number) {
	const store = await openUncachedStore(config);
	try {
		const step = Math.max(1, Math.floor(CONTACTS / SAMPLE));
		const ids = Array.from({ length: Math.min(SAMPLE, CONTACTS) }, (_, k) => 1 + k * step);
		await store.applyEngagementTags(syntheticEmail(CONTACTS), settings, at); // warm-up
		let changed = 0;
		const start = performance.now();
		for (const id of ids) if ((await store.applyEngagementTags(syntheticEmail(id), settings, at))?.changed) changed++;
		const sampleMs = performance.now() - start;
		const perContactMs = sampleMs / ids.length;
		return { sample: ids.length, sampleChanged: changed, sampleMs: round(sampleMs), perContactMs: round(perContactMs, 3), extrapolatedMs: round(perContactMs * contacts) };
	} finally {
		await store.close();
	}
}

/** A day of activity the tags do not reflect yet: opens/clicks, site visits, new signups. */
async function dayOfActivity(driver: SqlDriver): Promise<{ engaged: number; visited: number; signedUp: number }> {
	const engaged = await driver.run(`UPDATE contacts SET last_engagement_at = ${NOW} + (id * 7919) % ${DAY} WHERE id % 200 = 37`);
	const visited = await driver.run(`UPDATE contacts SET last_visit_at = ${NOW} + (id * 104729) % ${DAY}, site_visits = site_visits + 1 WHERE id % 200 = 113`);
	const signedUp = await driver.run(
		`WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < ${NEW_CONTACTS})
		INSERT INTO contacts (email, status, signed_up_at, created_at, updated_at)
		SELECT 'new' || CAST(n AS TEXT) || '@bench.example', 'subscribed', ${NOW} + n * ${Math.floor(DAY / NEW_CONTACTS)}, ${NOW} + n * ${Math.floor(DAY / NEW_CONTACTS)}, ${NOW} FROM k`,
	);
	if (driver.dialect.name === 'postgres') await driver.exec('VACUUM ANALYZE contacts');
	return { engaged, visited, signedUp };
}

/** Engagement tags of the group per state, as stored. */
async function tagCounts(driver: SqlDriver): Promise<Record<string, number>> {
	const rows = await driver.all<{ tag: string; n: number }>(
		`SELECT tag, count(*) AS n FROM contact_tags WHERE tag IN (${ENGAGEMENT_STATES.map((s) => `'${DEFAULT_ENGAGEMENT_GROUP}${s}'`).join(', ')}) GROUP BY tag ORDER BY tag`,
	);
	return Object.fromEntries(rows.map((r) => [r.tag.slice(DEFAULT_ENGAGEMENT_GROUP.length), Number(r.n)]));
}

const summary = (m: Measured<Sweep>) => ({
	runs: m.value.runs.length,
	changed: m.value.changed,
	byState: m.value.byState,
	nodeMs: m.value.nodeMs,
	totalMs: m.ms,
	perRun: m.value.runs,
	peakHeapMb: m.peakHeapMb,
	peakRssMb: m.peakRssMb,
	startHeapMb: m.startHeapMb,
	startRssMb: m.startRssMb,
});

async function benchBackend(backend: 'sqlite' | 'postgres') {
	const config = backend === 'sqlite' ? benchSqliteConfig() : await benchPostgresConfig('bench_engagement');
	const generated: SyntheticStats = await generateStoreApart(config, { contacts: CONTACTS, seed: 1, now: NOW });
	const load = machine();
	let driver: SqlDriver | undefined;
	try {
		driver = await openDriver(config);
		const importedTags = await tagCounts(driver);

		// 1. First run (the naive sample first, on the same untouched store).
		const naiveFirst = await naiveSample(config, NOW, CONTACTS);
		const first = await sweepApart(config, NOW, MAX_CONTACTS);
		const afterFirst = await tagCounts(driver);

		// 2. Check Every Contact: nothing may change.
		const recheck = await sweepApart(config, NOW, MAX_CONTACTS, true);
		if (recheck.value.changed !== 0) throw new Error(`${backend}: Check Every Contact after the first run changed ${recheck.value.changed} contacts`);

		// 3. A day later, after a day of activity: the daily run.
		const activity = await dayOfActivity(driver);
		const total = CONTACTS + activity.signedUp;
		const naiveDaily = await naiveSample(config, NEXT_DAY, total);
		const daily = await sweepApart(config, NEXT_DAY, MAX_CONTACTS);

		// 4. Check Every Contact after the daily run: the shortcut missed no one.
		const verify = await sweepApart(config, NEXT_DAY, MAX_CONTACTS, true);
		if (verify.value.changed !== 0) throw new Error(`${backend}: the daily run missed ${verify.value.changed} contacts (found by Check Every Contact)`);
		const afterDaily = await tagCounts(driver);
		await closeAllStores();

		return {
			backend,
			generated,
			load: { ...load, loadAverage1mAtEnd: machine().loadAverage1m },
			importedTags,
			firstRun: { ...summary(first), tagsAfter: afterFirst },
			checkEveryContact: summary(recheck),
			activity,
			dailyRun: {
				...summary(daily),
				tagsAfter: afterDaily,
				// Recipe 05 as shipped runs once a day with the default Max Contacts.
				recipeDefaultMaxContacts: RECIPE_MAX_CONTACTS,
				dailyRunsNeededAtRecipeDefault: Math.max(1, Math.ceil((daily.value.changed + naiveDaily.sampleChanged) / RECIPE_MAX_CONTACTS)),
			},
			checkEveryContactAfterDaily: summary(verify),
			naive: {
				method: 'store.applyEngagementTags (read, decide, write) once per contact; timed on an evenly spaced sample, extrapolated to every contact',
				firstRun: naiveFirst,
				dailyRun: naiveDaily,
			},
			ratioFirstRun: round(naiveFirst.extrapolatedMs / first.ms, 1),
			ratioDailyRun: round(naiveDaily.extrapolatedMs / daily.ms, 1),
			budgetMs: BUDGET_MS,
		};
	} finally {
		await disposeBenchStore(config, driver);
	}
}

function print(r: Awaited<ReturnType<typeof benchBackend>>) {
	const s = (ms: number) => `${round(ms / 1000, 2)} s`;
	console.log(
		`\n${r.backend}: ${r.generated.contacts.toLocaleString('en')} contacts generated in ${r.generated.seconds} s ` +
			`(load average ${r.load.loadAverage1m} → ${r.load.loadAverage1mAtEnd} on ${r.load.cores} cores); engagement tags imported: ${JSON.stringify(r.importedTags)}`,
	);
	const row = (m: ReturnType<typeof summary>) => ({ runs: m.runs, changed: m.changed, 'node s': round(m.nodeMs / 1000, 2), 'total s': round(m.totalMs / 1000, 2), 'heap before MB': m.startHeapMb, 'peak heap MB': m.peakHeapMb, 'RSS before MB': m.startRssMb, 'peak RSS MB': m.peakRssMb });
	console.table({
		[`1. first run, Max Contacts ${MAX_CONTACTS.toLocaleString('en')} until done`]: row(r.firstRun),
		'2. Check Every Contact after 1': row(r.checkEveryContact),
		[`3. daily run, next day, Max Contacts ${MAX_CONTACTS.toLocaleString('en')} until done`]: row(r.dailyRun),
		'4. Check Every Contact after 3': row(r.checkEveryContactAfterDaily),
	});
	console.log(`first run: ${JSON.stringify(r.firstRun.byState)}; tags after: ${JSON.stringify(r.firstRun.tagsAfter)}`);
	console.log(
		`day of activity: ${r.activity.engaged} opened/clicked, ${r.activity.visited} visited, ${r.activity.signedUp} signed up; daily run changed ${r.dailyRun.changed}: ${JSON.stringify(r.dailyRun.byState)}`,
	);
	const n = r.naive;
	console.log(
		`naive (ESTIMATE: per-contact read-decide-write, ${n.firstRun.sample} evenly spaced contacts timed, extrapolated): ` +
			`first run ${n.firstRun.perContactMs} ms/contact → ${s(n.firstRun.extrapolatedMs)}; daily run ${n.dailyRun.perContactMs} ms/contact → ${s(n.dailyRun.extrapolatedMs)}`,
	);
	const verdict = (ms: number) => (ms < r.budgetMs ? 'within' : 'OVER');
	console.log(
		`Engagement sweep over ${r.generated.contacts.toLocaleString('en')} contacts: first run ${s(r.firstRun.totalMs)} (${verdict(r.firstRun.totalMs)} ${s(r.budgetMs)}), ` +
			`daily run ${s(r.dailyRun.totalMs)} (${verdict(r.dailyRun.totalMs)} ${s(r.budgetMs)}); ${r.ratioFirstRun}× / ${r.ratioDailyRun}× faster than the naive estimate`,
	);
	console.log(
		`recipe 05 as shipped (Max Contacts ${r.dailyRun.recipeDefaultMaxContacts}) would need ${r.dailyRun.dailyRunsNeededAtRecipeDefault} daily runs for this one day's changes`,
	);
}

async function main() {
	// n8n-core keeps its settings in the user folder: a throwaway one, not ~/.n8n.
	const userFolder = mkdtempSync(join(tmpdir(), 'ecm-bench-n8n-'));
	process.env.N8N_USER_FOLDER = userFolder;
	process.on('exit', () => rmSync(userFolder, { recursive: true, force: true }));
	const only = process.env.BENCH_BACKEND;
	console.log(`Tag › Engagement Tags sweep, reference time ${new Date(NOW).toISOString()}, daily run ${new Date(NEXT_DAY).toISOString()}; budget ${BUDGET_MS / 1000} s per full sweep`);
	const backends = [];
	for (const backend of ['sqlite', 'postgres'] as const) {
		if (only && only !== backend) continue;
		const result = await benchBackend(backend);
		print(result);
		backends.push(result);
	}
	writeFileSync(
		join(ROOT, 'bench-results', 'engagement.json'),
		`${JSON.stringify({ date: new Date().toISOString(), node: process.version, contacts: CONTACTS, settings, backends }, null, 2)}\n`,
	);
	console.log('\nwritten: bench-results/engagement.json');
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
