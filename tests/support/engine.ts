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
import { closeAllStores } from '../../lib/store';
import { isTriggerType, type Fixture, type RunResult } from './workflowRunner';

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
