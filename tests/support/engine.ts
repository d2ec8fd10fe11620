/**
 * The project's own engine harness: runs workflow JSON fixtures through n8n-core's
 * real WorkflowExecute with this package's nodes registered, the way n8n runs them.
 * A fixture's `pinData` on the trigger is the input; on the other nodes it is the
 * expected output (each expected item must be contained in the actual one).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IPinData,
	type IRun,
	type IRunExecutionData,
	type ITriggerFunctions,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { closeAllStores, type StoreConfig } from '../../lib/store';

export const PACKAGE = 'n8n-nodes-ecommerce-marketing';

/** n8n's Manual Trigger, as far as a run needs it: its items come from the fixture's pinData. */
class ManualTrigger implements INodeType {
	description = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Runs the flow on clicking a button in n8n',
		defaults: { name: 'When clicking ‘Execute workflow’' },
		inputs: [],
		outputs: ['main'],
		properties: [] as INodeProperties[],
	} as INodeType['description'];

	async trigger(this: ITriggerFunctions) {
		return { manualTriggerFunction: async () => this.emit([[{ json: {} }]]) };
	}
}

const registry: Record<string, INodeType> = {
	'n8n-nodes-base.manualTrigger': new ManualTrigger(),
};

/** Every node of this package (nodes/<Name>/<Name>.node.ts), registered as `<package>.<description name>`. */
function registerPackageNodes() {
	const nodesDir = join(__dirname, '..', '..', 'nodes');
	for (const dir of readdirSync(nodesDir, { withFileTypes: true })) {
		if (!dir.isDirectory()) continue;
		for (const file of readdirSync(join(nodesDir, dir.name))) {
			if (!file.endsWith('.node.ts')) continue;
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const exported = require(join(nodesDir, dir.name, file)) as Record<string, new () => INodeType>;
			for (const NodeClass of Object.values(exported)) {
				if (typeof NodeClass !== 'function') continue;
				const node = new NodeClass();
				if (node.description?.name) registry[`${PACKAGE}.${node.description.name}`] = node;
			}
		}
	}
}
registerPackageNodes();

export function registerNodeType(type: string, node: INodeType) {
	registry[type] = node;
}

const nodeTypes: INodeTypes = {
	getByName: (type) => lookup(type),
	getByNameAndVersion: (type) => lookup(type),
	getKnownTypes: () => ({}),
};

function lookup(type: string): INodeType {
	const node = registry[type];
	if (!node) throw new Error(`Unrecognized node type: ${type}`);
	return node;
}

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly credentials: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}
	getParentTypes() {
		return [];
	}
	isCredentialUsableByNode() {
		return true;
	}
	async authenticate(_c: ICredentialDataDecryptedObject, _t: string, requestOptions: never) {
		return requestOptions;
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used');
	}
	async getDecrypted(_a: IWorkflowExecuteAdditionalData, _n: unknown, type: string) {
		const data = this.credentials[type];
		if (!data) throw new Error(`No test credentials for ${type}`);
		return data;
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties() {
		return [];
	}
}

export interface Fixture extends IWorkflowBase {
	pinData?: IPinData;
}

export function readFixture(path: string): Fixture {
	return JSON.parse(readFileSync(path, 'utf8')) as Fixture;
}

export interface RunResult {
	run: IRun;
	/** Output items of a node's first run, first output (or the given output). */
	output(node: string, outputIndex?: number): INodeExecutionData[];
	json(node: string, outputIndex?: number): IDataObject[];
	error?: Error & { description?: string; context?: IDataObject; node?: INode };
}

export interface RunOptions {
	/** Input items for the trigger (defaults to the trigger's pinData). */
	input?: IDataObject[];
	/** Store to use: credentials are injected into every node of this package. */
	store?: StoreConfig;
	/** Change node parameters before the run: { nodeName: { param: value } }. */
	parameters?: Record<string, IDataObject>;
}

/** Runs a workflow (a fixture) in n8n's execution engine. */
export async function runWorkflow(fixture: Fixture, options: RunOptions = {}): Promise<RunResult> {
	const nodes: INode[] = JSON.parse(JSON.stringify(fixture.nodes));
	const trigger = nodes.find((n) => registry[n.type]?.description.group.includes('trigger'));
	if (!trigger) throw new Error('The fixture has no trigger node');
	for (const node of nodes) {
		if (options.parameters?.[node.name]) Object.assign(node.parameters, options.parameters[node.name]);
		if (options.store && node.type.startsWith(`${PACKAGE}.`)) {
			node.credentials = { marketingContactStoreApi: { id: 'test-store', name: 'Test store' } };
		}
	}
	const credentials: Record<string, ICredentialDataDecryptedObject> = {};
	if (options.store) credentials.marketingContactStoreApi = toCredential(options.store);

	const workflow = new Workflow({
		id: fixture.id ?? 'test',
		name: fixture.name,
		nodes,
		connections: fixture.connections,
		nodeTypes,
		settings: { executionOrder: 'v1', ...(fixture.settings ?? {}) },
		active: false,
	});

	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', { ...fixture, nodes } as IWorkflowBase);
	let resolveRun!: (run: IRun) => void;
	const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));
	const additionalData = {
		hooks,
		credentialsHelper: new TestCredentialsHelper(credentials),
		variables: {},
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		formBaseUrl: '',
		formWaitingBaseUrl: '',
		formTestBaseUrl: '',
		webhookBaseUrl: '',
		webhookWaitingBaseUrl: '',
		webhookTestBaseUrl: '',
		mcpBaseUrl: '',
		mcpTestBaseUrl: '',
		logAiEvent: () => undefined,
		executeWorkflow: async () => {
			throw new Error('Sub-workflows are not part of these tests');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: async () => {
			throw new Error('Task runners are not part of these tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;

	const input = options.input ?? (fixture.pinData?.[trigger.name] ?? [{ json: {} }]).map((i) => ('json' in i ? (i.json as IDataObject) : (i as IDataObject)));
	const runExecutionData: IRunExecutionData = {
		version: 1,
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: null,
			nodeExecutionStack: [],
		},
	} as unknown as IRunExecutionData;
	// The trigger has already "fired": its items go straight to the nodes after it.
	runExecutionData.resultData.runData[trigger.name] = [
		{
			startTime: Date.now(),
			executionTime: 0,
			executionIndex: 0,
			source: [],
			data: { main: [input.map((json) => ({ json }))] },
		},
	] as never;
	const children = fixture.connections[trigger.name]?.main?.[0] ?? [];
	for (const connection of children) {
		runExecutionData.executionData!.nodeExecutionStack.push({
			node: workflow.getNode(connection.node)!,
			data: { main: [input.map((json, i) => ({ json, pairedItem: { item: i } }))] },
			source: { main: [{ previousNode: trigger.name, previousNodeOutput: 0, previousNodeRun: 0 }] },
		});
	}

	const execute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	await execute.processRunExecutionData(workflow);
	const run = await finished;
	const output = (node: string, outputIndex = 0) => {
		const runs = run.data.resultData.runData[node];
		if (!runs) return [];
		return runs[0]?.data?.main?.[outputIndex] ?? [];
	};
	const error = run.data.resultData.error as RunResult['error'];
	return { run, output, json: (node, i) => output(node, i).map((item) => item.json), error };
}

export function toCredential(config: StoreConfig): ICredentialDataDecryptedObject {
	if (config.backend === 'sqlite') return { backend: 'sqlite', sqlitePath: config.path };
	return { ...config, backend: 'postgres' } as unknown as ICredentialDataDecryptedObject;
}

/** Expected pinData of each non-trigger node must be contained in the actual output. */
export function expectPinnedOutputs(fixture: Fixture, result: RunResult) {
	for (const [name, items] of Object.entries(fixture.pinData ?? {})) {
		const node = fixture.nodes.find((n) => n.name === name);
		if (!node || registry[node.type]?.description.group.includes('trigger')) continue;
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
