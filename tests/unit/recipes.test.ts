// The shipped recipes (workflows/*.json), checked without running them: what users import must
// name only nodes and parameters that exist, guard every marketing send with Sendable, explain
// itself on the canvas, and not collide with another recipe when several are active at once.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { INodeProperties, INodeType } from 'n8n-workflow';
import { PACKAGE_PREFIX, readRecipe, recipeFiles, type Workflow, type WorkflowNode } from '../support/recipes';

const NODES_DIR = join(__dirname, '..', '..', 'nodes');

/** This package's node types by name (`segment`, `tag`, …). */
function packageNodes(): Map<string, INodeType> {
	const nodes = new Map<string, INodeType>();
	for (const dir of readdirSync(NODES_DIR, { withFileTypes: true })) {
		if (!dir.isDirectory()) continue;
		for (const file of readdirSync(join(NODES_DIR, dir.name)).filter((f) => f.endsWith('.node.ts'))) {
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			for (const NodeClass of Object.values(require(join(NODES_DIR, dir.name, file)) as Record<string, new () => INodeType>)) {
				if (typeof NodeClass !== 'function') continue;
				const node = new NodeClass();
				if (node.description?.name) nodes.set(node.description.name, node);
			}
		}
	}
	return nodes;
}

const NODES = packageNodes();
const FILES = recipeFiles();
const RECIPES = FILES.map((file) => ({ file, workflow: readRecipe(file) }));

/** Names of the properties shown for these parameter values (display conditions on top-level values only). */
function visibleProperties(node: INodeType, parameters: Record<string, unknown>): INodeProperties[] {
	return node.description.properties.filter((p) => {
		const show = p.displayOptions?.show;
		if (!show) return true;
		return Object.entries(show).every(([key, allowed]) => {
			if (key.startsWith('@')) return true;
			const value = key in parameters ? parameters[key] : node.description.properties.find((q) => q.name === key)?.default;
			return (allowed as unknown[]).includes(value);
		});
	});
}

function predecessors(workflow: Workflow, name: string): Array<{ node: string; output: number }> {
	const found: Array<{ node: string; output: number }> = [];
	for (const [from, conn] of Object.entries(workflow.connections)) {
		(conn.main ?? []).forEach((targets, output) => {
			for (const t of targets ?? []) if (t.node === name) found.push({ node: from, output });
		});
	}
	return found;
}

function isSendableOutput(node: WorkflowNode | undefined, output: number): boolean {
	return node?.type === `${PACKAGE_PREFIX}segment` && node.parameters.operation === 'sendable' && output === 0;
}

/** Every path from a trigger to `target` passes a Sendable guard's "Sendable" output. */
function guardedPaths(workflow: Workflow, target: string, seen = new Set<string>()): boolean {
	const byName = new Map(workflow.nodes.map((n) => [n.name, n]));
	const incoming = predecessors(workflow, target);
	if (incoming.length === 0) return false; // reached a trigger without passing a guard
	return incoming.every(({ node, output }) => {
		if (isSendableOutput(byName.get(node), output)) return true;
		if (seen.has(node)) return true; // a loop back into an already checked path
		return guardedPaths(workflow, node, new Set([...seen, node]));
	});
}

describe('recipes in workflows/', () => {
	it('are the 22 recipes and the unsubscribe utility, named NN-kebab-name.json', () => {
		expect(FILES).toHaveLength(23);
		for (const file of FILES) expect(file).toMatch(/^\d\d-[a-z0-9]+(-[a-z0-9]+)*\.json$/);
		expect(FILES.map((f) => f.slice(0, 2))).toEqual(Array.from({ length: 23 }, (_, i) => String(i + 1).padStart(2, '0')));
	});

	it('have unique ids, names, webhook paths and webhook ids', () => {
		const ids = RECIPES.map((r) => r.workflow.id);
		expect(new Set(ids).size).toBe(ids.length);
		const names = RECIPES.map((r) => r.workflow.name);
		expect(new Set(names).size).toBe(names.length);
		const hooks = RECIPES.flatMap((r) => r.workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.webhook'));
		const paths = hooks.map((n) => `${String(n.parameters.httpMethod ?? 'GET')} ${String(n.parameters.path)}`);
		expect(new Set(paths).size).toBe(paths.length);
		for (const hook of hooks) expect(hook.webhookId).toEqual(expect.any(String));
		expect(new Set(hooks.map((n) => n.webhookId)).size).toBe(hooks.length);
	});

	describe.each(RECIPES.map((r) => [r.file, r.workflow] as const))('%s', (_file, workflow) => {
		it('is a complete n8n workflow with a trigger, v1 execution order and connected nodes', () => {
			expect(workflow.id).toMatch(/^[A-Za-z0-9]{8,}$/);
			expect(workflow.settings).toMatchObject({ executionOrder: 'v1' });
			const names = new Set(workflow.nodes.map((n) => n.name));
			expect(names.size).toBe(workflow.nodes.length);
			for (const [from, conn] of Object.entries(workflow.connections)) {
				expect(names).toContain(from);
				for (const targets of conn.main ?? []) for (const t of targets ?? []) expect(names).toContain(t.node);
			}
			const triggers = workflow.nodes.filter((n) => /Trigger$|\.webhook$/.test(n.type));
			expect(triggers.length).toBeGreaterThan(0);
		});

		it('explains itself on the canvas with sticky notes (what it does, what to set up)', () => {
			const notes = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote').map((n) => String(n.parameters.content ?? ''));
			expect(notes.length).toBeGreaterThan(0);
			const text = notes.join('\n').toLowerCase();
			expect(text).toMatch(/set ?up|setup|credential/);
		});

		it('uses only operations and parameters that the package nodes have', () => {
			for (const node of workflow.nodes.filter((n) => n.type.startsWith(PACKAGE_PREFIX))) {
				const type = NODES.get(node.type.slice(PACKAGE_PREFIX.length));
				expect({ node: node.name, known: Boolean(type) }).toEqual({ node: node.name, known: true });
				const visible = new Set(visibleProperties(type!, node.parameters).map((p) => p.name));
				for (const key of Object.keys(node.parameters)) {
					expect({ node: node.name, parameter: key, shown: visible.has(key) }).toEqual({ node: node.name, parameter: key, shown: true });
				}
				// Nodes with resources have one Operation list per resource: the one shown must offer it.
				const resource = type!.description.properties.find((p) => p.name === 'resource');
				if (resource) {
					expect({ node: node.name, resource: node.parameters.resource }).toEqual({ node: node.name, resource: expect.any(String) });
					expect((resource.options as Array<{ value: unknown }>).map((o) => o.value)).toContain(node.parameters.resource);
				}
				const operation = visibleProperties(type!, node.parameters).find((p) => p.name === 'operation');
				if (operation && node.parameters.operation !== undefined) {
					expect((operation.options as Array<{ value: unknown }>).map((o) => o.value)).toContain(node.parameters.operation);
				}
			}
		});

		it('sends marketing email only after the Sendable guard, through SMTP credentials left for the user to pick', () => {
			for (const send of workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.emailSend')) {
				expect({ node: send.name, guarded: guardedPaths(workflow, send.name) }).toEqual({ node: send.name, guarded: true });
				expect(send.credentials?.smtp?.name).toEqual(expect.any(String));
			}
		});
	});
});
