/**
 * Runs workflow JSON through n8n-core's real WorkflowExecute with this package's nodes
 * registered, the way n8n runs them. No test framework here: the jest harness
 * (engine.ts) and the benchmarks (bench/) both use it.
 */
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
import { readdirSync, readFileSync } from 'node:fs';
import type { StoreConfig } from '../../lib/store';

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

/**
 * Every node of this package (nodes/<Name>/<Name>.node.ts, or the compiled .node.js in a
 * build), registered as `<package>.<description name>`.
 */
function registerPackageNodes() {
	const nodesDir = join(__dirname, '..', '..', 'nodes');
	for (const dir of readdirSync(nodesDir, { withFileTypes: true })) {
		if (!dir.isDirectory()) continue;
		for (const file of readdirSync(join(nodesDir, dir.name))) {
			if (!/\.node\.(ts|js)$/.test(file) || file.endsWith('.d.ts')) continue;
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

/** Whether a registered node type is a trigger (its pinData is the run's input). */
export function isTriggerType(type: string): boolean {
	return registry[type]?.description.group.includes('trigger') ?? false;
}

const nodeTypes: INodeTypes = {
	getByName: (type) => lookup(type),
	getByNameAndVersion: (type, version) => lookup(type, version),
	getKnownTypes: () => ({}),
};

/** A registered node; for a versioned node (e.g. n8n's own Filter), the given version of it. */
function lookup(type: string, version?: number): INodeType {
	const node = registry[type] as INodeType & { getNodeType?: (version?: number) => INodeType };
	if (!node) throw new Error(`Unrecognized node type: ${type}`);
	return typeof node.getNodeType === 'function' ? node.getNodeType(version) : node;
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
	/** More fields of the store credential (e.g. linkSecret). */
	credentialData?: ICredentialDataDecryptedObject;
	/** Change node parameters before the run: { nodeName: { param: value } }. */
	parameters?: Record<string, IDataObject>;
}

/** Runs a workflow (a fixture) in n8n's execution engine. */
export async function runWorkflow(fixture: Fixture, options: RunOptions = {}): Promise<RunResult> {
	const nodes: INode[] = JSON.parse(JSON.stringify(fixture.nodes));
	const trigger = nodes.find((n) => isTriggerType(n.type));
	if (!trigger) throw new Error('The fixture has no trigger node');
	for (const node of nodes) {
		if (options.parameters?.[node.name]) Object.assign(node.parameters, options.parameters[node.name]);
		if (options.store && node.type.startsWith(`${PACKAGE}.`)) {
			node.credentials = { marketingContactStoreApi: { id: 'test-store', name: 'Test store' } };
		}
	}
	const credentials: Record<string, ICredentialDataDecryptedObject> = {};
	if (options.store) credentials.marketingContactStoreApi = { ...toCredential(options.store), ...(options.credentialData ?? {}) };

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
