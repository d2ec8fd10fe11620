/**
 * Running the hostile input catalogue (tests/fixtures/hostile/catalogue.ts) through n8n's
 * engine: a workflow of a manual trigger and the target node, fed [valid, hostile, valid].
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { openUncachedStore, type StoreConfig } from '../../lib/store';
import { PostgresDriver, quoteIdent } from '../../lib/store/postgresDriver';
import type { Seed, Target } from '../fixtures/hostile/catalogue';
import { freshEngineStore, PACKAGE, runWorkflow, useFreshUserFolder, type Fixture, type RunOptions, type RunResult } from './engine';
import { schemaTables } from './storeConsistency';
import { freshConfig, type Backend } from './stores';

let postgres: (StoreConfig & { backend: 'postgres' }) | undefined;
let migrated = false;

/**
 * An empty store for one run. SQLite: a fresh default file in a new n8n user folder. PostgreSQL:
 * one schema for the whole test file, emptied (TRUNCATE) before each run, which is much faster
 * than migrating a new schema every time. Call resetStores() between runs.
 */
export async function emptyStore(backend: Backend): Promise<{ store: StoreConfig; options: RunOptions }> {
	if (backend === 'sqlite') return freshEngineStore('sqlite');
	useFreshUserFolder();
	const config = (postgres ??= freshConfig('postgres') as StoreConfig & { backend: 'postgres' });
	if (!migrated) {
		await (await openUncachedStore(config)).close();
		migrated = true;
	}
	const db = new PostgresDriver(config);
	try {
		// Children before parents; for a few rows DELETE is far quicker than TRUNCATE.
		const tables = schemaTables('postgres').filter((t) => t !== 'schema_migrations').reverse();
		await db.exec(tables.map((t) => `DELETE FROM ${t};`).join('\n'));
	} finally {
		await db.close();
	}
	return { store: config, options: { store: config } };
}

/** Drops the PostgreSQL schema emptyStore used (end of the test file). */
export async function dropEmptyStoreSchema(): Promise<void> {
	if (!postgres) return;
	const db = new PostgresDriver(postgres);
	try {
		await db.exec(`DROP SCHEMA IF EXISTS ${quoteIdent(postgres.schema)} CASCADE`);
	} finally {
		await db.close();
		postgres = undefined;
		migrated = false;
	}
}

export const TRIGGER = 'When clicking ‘Execute workflow’';
export const TARGET = 'Target';

/** A workflow: the manual trigger and one node of this package. */
export function nodeWorkflow(node: string, parameters: IDataObject, continueOnFail: boolean): Fixture {
	return {
		id: 'hostile',
		name: 'Hostile input',
		active: false,
		nodes: [
			{ id: 'trigger', name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'target',
				name: TARGET,
				type: `${PACKAGE}.${node}`,
				typeVersion: 1,
				position: [220, 0],
				parameters,
				...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			},
		],
		connections: { [TRIGGER]: { main: [[{ node: TARGET, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	} as unknown as Fixture;
}

export async function runSeeds(seeds: Seed[], options: RunOptions): Promise<void> {
	for (const seed of seeds) {
		const result = await runWorkflow(nodeWorkflow(seed.node, seed.parameters, false), { ...options, input: seed.items });
		if (result.error) throw new Error(`Seeding failed: ${result.error.message}`);
	}
}

export function runTarget(target: Target, parameters: IDataObject, items: IDataObject[], continueOnFail: boolean, options: RunOptions): Promise<RunResult> {
	return runWorkflow(nodeWorkflow(target.node, { ...target.parameters, ...parameters }, continueOnFail), { ...options, input: items });
}

export interface PlacedItem {
	branch: number;
	item: INodeExecutionData;
}

/** Every output item of the target node, on every output, by the input item it came from. */
export function outputsByInput(result: RunResult): Map<number, PlacedItem[]> {
	const byInput = new Map<number, PlacedItem[]>();
	const main = result.run.data.resultData.runData[TARGET]?.[0]?.data?.main ?? [];
	main.forEach((items, branch) => {
		for (const item of items ?? []) {
			const paired = item.pairedItem as { item: number } | undefined;
			const index = paired?.item ?? -1;
			if (!byInput.has(index)) byInput.set(index, []);
			byInput.get(index)!.push({ branch, item });
		}
	});
	return byInput;
}

/**
 * `actual` holds everything `expected` says: objects key by key (an `undefined` expected value
 * means the key is absent), arrays element by element with the same length. Tag lists are
 * compared as sets (each backend sorts text its own way).
 */
export function expectContains(actual: unknown, expected: unknown, path = '$'): void {
	if (expected === undefined) {
		expect({ path, value: actual }).toEqual({ path, value: undefined });
		return;
	}
	if (Array.isArray(expected)) {
		expect({ path, isList: Array.isArray(actual) }).toEqual({ path, isList: true });
		const list = actual as unknown[];
		if (path.endsWith('.tags')) {
			expect({ path, tags: [...(list as string[])].sort() }).toEqual({ path, tags: [...(expected as string[])].sort() });
			return;
		}
		expect({ path, length: list.length }).toEqual({ path, length: expected.length });
		expected.forEach((e, i) => expectContains(list[i], e, `${path}[${i}]`));
		return;
	}
	if (expected !== null && typeof expected === 'object') {
		expect({ path, isObject: actual !== null && typeof actual === 'object' }).toEqual({ path, isObject: true });
		for (const [key, value] of Object.entries(expected)) expectContains((actual as IDataObject)[key], value, `${path}.${key}`);
		return;
	}
	expect({ path, value: actual }).toEqual({ path, value: expected });
}
