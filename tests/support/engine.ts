/**
 * The project's own engine harness: runs workflow JSON fixtures through n8n-core's
 * real WorkflowExecute with this package's nodes registered, the way n8n runs them.
 * A fixture's `pinData` on the trigger is the input; on the other nodes it is the
 * expected output (each expected item must be contained in the actual one).
 * The runner itself (no jest in it) is in workflowRunner.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeAllStores, defaultSqlitePath, openUncachedStore, type ContactStore, type StoreConfig } from '../../lib/store';
import { freshConfig, type Backend } from './stores';
import { isTriggerType, type Fixture, type RunOptions, type RunResult } from './workflowRunner';

export * from './workflowRunner';

/** Expected pinData of each non-trigger node must be contained in the actual output. */
export function expectPinnedOutputs(fixture: Fixture, result: RunResult) {
	for (const [name, items] of Object.entries(fixture.pinData ?? {})) {
		const node = fixture.nodes.find((n) => n.name === name);
		if (!node || isTriggerType(node.type)) continue;
		const actual = result.json(name);
		const expected = items.map((i) => ('json' in i ? i.json : i));
		expect({ node: name, items: actual }).toMatchObject({ node: name, items: expected });
		expect(actual).toHaveLength(expected.length);
	}
}

/** A fresh default store for each test: a new n8n user folder (so a new SQLite file). */
export function useFreshUserFolder(): string {
	const dir = mkdtempSync(join(tmpdir(), 'ecm-n8n-'));
	process.env.N8N_USER_FOLDER = dir;
	return dir;
}

export async function resetStores() {
	await closeAllStores();
}

/**
 * The store one test runs on, in a fresh n8n user folder: for SQLite the zero-setup default file
 * (no credential, as users start), for PostgreSQL a fresh schema given through the credential.
 */
export function freshEngineStore(backend: Backend): { store: StoreConfig; options: RunOptions } {
	useFreshUserFolder();
	const store: StoreConfig = backend === 'sqlite' ? { backend: 'sqlite', path: defaultSqlitePath() } : freshConfig('postgres');
	return { store, options: backend === 'sqlite' ? {} : { store } };
}

/** Opens the store beside n8n's own connection, runs `fn` on it, closes it. */
export async function withStoreOf<T>(config: StoreConfig, fn: (store: ContactStore) => Promise<T>): Promise<T> {
	const store = await openUncachedStore(config);
	try {
		return await fn(store);
	} finally {
		await store.close();
	}
}

/** The execution hints a node showed in its first run. */
export function hintsOf(result: RunResult, node: string): string[] {
	return (result.run.data.resultData.runData[node]?.[0]?.hints ?? []).map((h) => h.message);
}

/** Every item on the first two outputs of each node of this type carries a pairedItem. */
export function expectPairedItems(fixture: Fixture, result: RunResult, nodeType: string) {
	for (const node of fixture.nodes.filter((n) => n.type === nodeType)) {
		for (const output of [0, 1]) {
			for (const item of result.output(node.name, output)) expect(item.pairedItem).toHaveProperty('item');
		}
	}
}
