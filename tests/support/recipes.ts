// Shipped recipes (workflows/*.json) made drivable in a test n8n. The JSON on disk is what is
// tested; the only change is that triggers which need the real store or the clock — Shopify
// Trigger, WooCommerce Trigger and Schedule Trigger — are replaced by an entry point: a Webhook
// node plus an "Edit Fields" node that carries the original trigger's name and outputs exactly
// the payload that trigger would (the webhook body). Nodes that read a real shop's API may be
// stubbed by name with fixed items (`stubs`). Every expression and connection of the recipe
// stays as shipped. Credentials are pointed at the test SMTP sink (and, when asked, at a
// Marketing Contact Store credential).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTP_CREDENTIAL_ID, SMTP_CREDENTIAL_NAME } from './n8nInstance';

export const WORKFLOWS_DIR = join(__dirname, '..', '..', 'workflows');
export const PACKAGE_PREFIX = 'n8n-nodes-ecommerce-marketing.';

/** Trigger types the harness replaces with an entry point, and why. */
export const REPLACED_TRIGGERS: Record<string, string> = {
	'n8n-nodes-base.shopifyTrigger': 'registers a webhook in a real Shopify store',
	'n8n-nodes-base.wooCommerceTrigger': 'registers a webhook in a real WooCommerce store',
	'n8n-nodes-base.scheduleTrigger': 'fires on the clock; tests choose the time',
};

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	disabled?: boolean;
	[key: string]: unknown;
}

export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, { main?: Array<Array<{ node: string; type: string; index: number }>> }>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

/** workflows/*.json file names, sorted. */
export function recipeFiles(): string[] {
	return readdirSync(WORKFLOWS_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort();
}

export function readRecipe(file: string): Workflow {
	return JSON.parse(readFileSync(join(WORKFLOWS_DIR, file), 'utf8')) as Workflow;
}

export interface Entry {
	/** The replaced trigger's type. */
	type: string;
	/** POST the payload the trigger would have emitted to /webhook/<path>. */
	path: string;
}

export interface PreparedRecipe {
	workflow: Workflow;
	/** By original trigger name. */
	entries: Record<string, Entry>;
}

export interface PrepareOptions {
	/** Select this Marketing Contact Store credential on every node of the package (default: none, i.e. the SQLite file). */
	storeCredential?: { id: string; name: string };
	/** SMTP credential for every Send Email node (default: the e2e sink). */
	smtpCredential?: { id: string; name: string };
	/**
	 * Nodes (by name) that read from a real shop's API, e.g. a Shopify node getting products,
	 * replaced by a Code node of the same name that outputs these items' JSON (like the triggers,
	 * they need a real store; everything downstream runs as shipped).
	 */
	stubs?: Record<string, unknown[]>;
	/**
	 * How the entry webhooks answer: 'lastNode' (default: when the execution has ended, with the last
	 * node's first item) or 'onReceived' (at once, as the Shopify and WooCommerce Triggers answer a
	 * store's webhook; the test then follows the executions).
	 */
	entryResponse?: 'lastNode' | 'onReceived';
}

function slug(value: string): string {
	return value
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-|-$/g, '');
}

/** A copy of a recipe with its store and schedule triggers replaced by webhook entry points. */
export function prepareRecipe(source: Workflow, options: PrepareOptions = {}): PreparedRecipe {
	const workflow: Workflow = JSON.parse(JSON.stringify(source));
	const entries: Record<string, Entry> = {};
	const added: WorkflowNode[] = [];
	const stubs = options.stubs ?? {};
	for (const name of Object.keys(stubs)) {
		if (!workflow.nodes.some((n) => n.name === name)) throw new Error(`stubs: ${workflow.id} has no node named "${name}"`);
	}
	workflow.nodes = workflow.nodes.map((node) => {
		if (node.name in stubs) {
			const items = stubs[node.name].map((json) => ({ json }));
			return {
				id: node.id,
				name: node.name,
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: node.position,
				parameters: { mode: 'runOnceForAllItems', jsCode: `return ${JSON.stringify(items)};` },
			};
		}
		if (!(node.type in REPLACED_TRIGGERS) || node.disabled) return node;
		const path = `e2e-${slug(workflow.id)}-${slug(node.name)}`;
		const webhookName = `${node.name} (test entry)`;
		entries[node.name] = { type: node.type, path };
		added.push({
			id: `${node.id}-entry`,
			name: webhookName,
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [node.position[0] - 220, node.position[1]],
			webhookId: `${node.id}-entry`,
			parameters: { httpMethod: 'POST', path, responseMode: options.entryResponse ?? 'lastNode', options: {} },
		});
		workflow.connections[webhookName] = { main: [[{ node: node.name, type: 'main', index: 0 }]] };
		// Same name, so every `$('<trigger>')` expression and connection of the recipe still holds.
		return {
			id: node.id,
			name: node.name,
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: node.position,
			parameters: { mode: 'raw', jsonOutput: '={{ JSON.stringify($json.body) }}', options: {} },
		};
	});
	workflow.nodes.push(...added);
	const smtp = options.smtpCredential ?? { id: SMTP_CREDENTIAL_ID, name: SMTP_CREDENTIAL_NAME };
	for (const node of workflow.nodes) {
		if (node.type === 'n8n-nodes-base.emailSend') node.credentials = { ...(node.credentials ?? {}), smtp };
		if (options.storeCredential && node.type.startsWith(PACKAGE_PREFIX)) {
			node.credentials = { ...(node.credentials ?? {}), marketingContactStoreApi: options.storeCredential };
		}
	}
	return { workflow, entries };
}
