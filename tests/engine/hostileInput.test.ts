/**
 * The bad-and-hostile input catalogue (tests/fixtures/hostile/catalogue.ts) through n8n's real
 * engine, on SQLite and PostgreSQL, with and without Continue On Fail. Each entry's hostile item
 * runs between two valid items of the same kind:
 * - `error` entries: the item fails with its index and a message saying what to fix; with
 *   Continue On Fail the valid items around it are processed, without it the run stops at it;
 *   either way the store holds exactly what the valid items alone would have written;
 * - `safe` entries: the item is processed as documented, and the store shows it.
 * After every run the store is consistent (tests/support/storeConsistency.ts) and no object
 * prototype has been polluted.
 */
import type { IDataObject } from 'n8n-workflow';
import { CATALOGUE, TARGETS, type HostileCase, type SafeOutcome, type StoredExpectation } from '../fixtures/hostile/catalogue';
import type { DetailKind, StoreConfig } from '../../lib/store';
import { resetStores, withStoreOf, type RunOptions } from '../support/engine';
import { dropEmptyStoreSchema, emptyStore, expectContains, outputsByInput, runSeeds, runTarget } from '../support/hostile';
import { storeProblems, tableCounts } from '../support/storeConsistency';
import { BACKENDS, type Backend } from '../support/stores';

const MODES = [
	{ name: 'with Continue On Fail', continueOnFail: true },
	{ name: 'without Continue On Fail', continueOnFail: false },
];

/** Table row counts after the valid items alone (per backend, target and mode), computed once. */
const baselines = new Map<string, Promise<Record<string, number>>>();

async function baseline(backend: Backend, entry: HostileCase, continueOnFail: boolean): Promise<Record<string, number>> {
	const key = `${backend}|${entry.target}|${JSON.stringify(entry.parameters ?? {})}|${continueOnFail}`;
	let counts = baselines.get(key);
	if (!counts) {
		counts = (async () => {
			const target = TARGETS[entry.target];
			const { store, options } = await emptyStore(backend);
			try {
				await runSeeds(target.seed ?? [], options);
				// Without Continue On Fail the run stops at the hostile item: only the first valid one is in.
				const goods = continueOnFail ? [target.good(0), target.good(2)] : [target.good(0)];
				const result = await runTarget(target, entry.parameters ?? {}, goods, false, options);
				if (result.error) throw new Error(`The valid items of ${entry.target} fail: ${result.error.message}`);
				return await tableCounts(store);
			} finally {
				await resetStores();
			}
		})();
		baselines.set(key, counts);
	}
	return await counts;
}

async function expectStored(store: StoreConfig, stored: Record<string, StoredExpectation | null>) {
	for (const [email, expected] of Object.entries(stored)) {
		const include = (['orders', 'carts', 'productViews'] as DetailKind[]).filter((k) => expected && k in expected);
		const details = await withStoreOf(store, (s) => s.getContactDetails(email, include));
		if (expected === null) {
			expect({ email, details }).toEqual({ email, details: null });
			continue;
		}
		expect({ email, found: details !== null }).toEqual({ email, found: true });
		expectContains(details, expected, email);
	}
}

function expectPrototypesClean() {
	for (const proto of [Object.prototype, Array.prototype, Function.prototype]) {
		expect(Object.getOwnPropertyNames(proto).filter((name) => ['isAdmin', 'polluted'].includes(name))).toEqual([]);
	}
	expect(({} as IDataObject).isAdmin).toBeUndefined();
}

describe.each(BACKENDS)('Hostile input catalogue in the n8n engine, %s store', (backend: Backend) => {
	afterEach(async () => await resetStores());
	afterAll(async () => await dropEmptyStoreSchema());

	describe.each(MODES)('$name', ({ continueOnFail }) => {
		it.each(CATALOGUE.map((entry) => [`${entry.category}: ${entry.id}`, entry] as const))('%s', async (_name, entry) => {
			const target = TARGETS[entry.target];
			const expected = entry.expect;
			const before = expected.outcome === 'error' ? await baseline(backend, entry, continueOnFail) : undefined;

			const { store, options }: { store: StoreConfig; options: RunOptions } = await emptyStore(backend);
			await runSeeds([...(target.seed ?? []), ...(entry.seed ?? [])], options);
			const result = await runTarget(target, entry.parameters ?? {}, [target.good(0), entry.payload, target.good(2)], continueOnFail, options);
			const outputs = outputsByInput(result);

			if (expected.outcome === 'error') {
				if (continueOnFail) {
					expect(result.error).toBeUndefined();
					const failed = outputs.get(1) ?? [];
					expect(failed).toHaveLength(1);
					expect(String(failed[0].item.json.error)).toContain(expected.message);
					expect(String(failed[0].item.json.error)).toMatch(/\[item 1\]$/);
					// The item carries the NodeOperationError: its index and what to check.
					const itemError = failed[0].item.error as (Error & { description?: string; context?: IDataObject }) | undefined;
					expect(itemError?.context?.itemIndex).toBe(1);
					expect(itemError?.description ?? '').not.toBe('');
					for (const i of [0, 2]) {
						expect((outputs.get(i) ?? []).length).toBeGreaterThan(0);
						for (const { item } of outputs.get(i)!) expect(item.json.error).toBeUndefined();
					}
				} else {
					expect(result.error?.message).toContain(expected.message);
					expect(result.error?.message).toMatch(/\[item 1\]$/);
					expect(result.error?.context?.itemIndex).toBe(1);
					expect(result.error?.description ?? '').not.toBe('');
				}
				// Nothing of the hostile item was written; the valid ones are all there.
				expect(await tableCounts(store)).toEqual(before);
			} else {
				const outcome = expected as SafeOutcome;
				expect(result.error).toBeUndefined();
				for (const i of [0, 1, 2]) {
					const placed = outputs.get(i) ?? [];
					expect({ item: i, outputs: placed.length > 0 }).toEqual({ item: i, outputs: true });
					for (const { item } of placed) expect({ item: i, error: item.json.error }).toEqual({ item: i, error: undefined });
				}
				const [hostile] = outputs.get(1)!;
				expect(hostile.branch).toBe(outcome.branch ?? 0);
				if (outcome.output) expectContains(hostile.item.json, outcome.output, 'output');
				if (outcome.stored) await expectStored(store, outcome.stored);
			}
			expect(await storeProblems(store)).toEqual([]);
			expectPrototypesClean();
		});
	});
});

describe('the catalogue', () => {
	it('covers every category with entries of unique ids, each saying what to fix or how it is handled', () => {
		const ids = CATALOGUE.map((c) => c.id);
		expect(new Set(ids).size).toBe(ids.length);
		const categories = new Set(CATALOGUE.map((c) => c.category));
		for (const category of [
			'missing email',
			'invalid email',
			'huge carts',
			'negative prices',
			'wrong types',
			'null everywhere',
			'numbers as strings',
			'quantities',
			'unknown currency',
			'dates',
			'time zones',
			'unicode and RTL',
			'1 MB fields',
			'HTML and script',
			'dangerous URLs',
			'SQL metacharacters',
			'prototype pollution',
		]) {
			expect({ category, covered: categories.has(category as HostileCase['category']) }).toEqual({ category, covered: true });
		}
		for (const entry of CATALOGUE) {
			if (entry.expect.outcome === 'error') expect(entry.expect.message.length).toBeGreaterThan(8);
			else expect(entry.expect.handling.length).toBeGreaterThan(8);
			if (entry.seed) expect({ id: entry.id, outcome: entry.expect.outcome }).toEqual({ id: entry.id, outcome: 'safe' });
		}
	});
});
