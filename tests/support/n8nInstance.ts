// A real n8n (pinned, from .cache/n8n) for end-to-end tests: a fresh user folder under
// <repo>/.e2e/<name>, this package packed and installed as users get it, an SMTP credential
// pointing at a test sink, imported (and published) workflows, and `n8n start` on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startQueueBackends, type QueueBackends, type QueueInfo, type QueueOptions } from './n8nQueue';

/* eslint-disable @typescript-eslint/no-require-imports */
const lib: N8nLib = require('../../scripts/lib/n8n');
const { ensureNode24 }: { ensureNode24: () => { node: string } } = require('../../scripts/lib/node24');
/* eslint-enable @typescript-eslint/no-require-imports */

/** The fixed id (and name) of the SMTP credential startN8n imports; reference it in workflow JSON:
 * `"credentials": { "smtp": { "id": "e2eSmtpSink00001", "name": "E2E SMTP sink" } }`. */
export const SMTP_CREDENTIAL_ID = 'e2eSmtpSink00001';
export const SMTP_CREDENTIAL_NAME = 'E2E SMTP sink';
export const N8N_VERSION: string = lib.N8N_VERSION;
export const PACKAGE_NAME: string = lib.PACKAGE_NAME;
export const ROOT: string = lib.ROOT;

export interface CredentialToImport {
	id: string;
	name: string;
	type: string;
	/** Plaintext; n8n encrypts it on import. */
	data: Record<string, unknown>;
}

export interface StartN8nOptions {
	/** Folder name under <repo>/.e2e/ (wiped first). */
	name: string;
	/** Workflow JSON files (one workflow or an array each; every workflow needs an `id`). */
	workflows?: string[];
	/** Workflows as objects (e.g. recipes prepared by tests/support/recipes.ts), imported with the files. */
	workflowData?: Array<{ id: string; nodes?: unknown[] }>;
	/**
	 * Which imported workflows to publish (activate): 'triggers' (default: those with a webhook,
	 * schedule or other trigger node), 'all', 'none', or a list of ids.
	 */
	publish?: 'triggers' | 'all' | 'none' | string[];
	/**
	 * How to publish: 'api' (default; after start, through the public API as the owner: fast, and
	 * a workflow that cannot be activated fails here with n8n's reason) or 'cli' (`n8n publish:workflow`
	 * before start, ~4 s a workflow; a failure only shows in the log).
	 */
	publishWith?: 'api' | 'cli';
	/** Port of an SMTP sink: imports the SMTP credential SMTP_CREDENTIAL_ID pointing at it. */
	smtpPort?: number;
	/** More credentials to import. */
	credentials?: CredentialToImport[];
	/** Install this package (built and packed once per process) into the user folder. Default true. */
	installPackage?: boolean;
	/** Extra environment for the server and CLI commands (e.g. contact store settings). */
	env?: Record<string, string>;
	/** Time allowed from `n8n start` to readiness. Default 120 s. */
	readyTimeoutMs?: number;
	/**
	 * n8n's queue mode (tests/support/n8nQueue.ts): Redis and n8n's database on PostgreSQL (fresh,
	 * dropped by stop()), EXECUTIONS_MODE=queue, and this many `n8n worker` processes that run the
	 * executions while the main instance receives the webhooks.
	 */
	queue?: QueueOptions;
}

export interface WebhookResult {
	status: number;
	headers: Headers;
	/** Parsed JSON when the answer is JSON, else the text. */
	body: any;
}

export interface CliResult {
	code: number;
	stdout: string;
	stderr: string;
	ms: number;
}

export interface Execution {
	id: string;
	workflowId: string;
	status: string;
	finished: boolean;
	mode: string;
	startedAt: string;
	stoppedAt: string | null;
	data?: any;
	[key: string]: unknown;
}

export interface N8nInstance {
	baseUrl: string;
	port: number;
	userFolder: string;
	logFile: string;
	/** Seconds spent in each phase, for reports. */
	timings: Record<string, number>;
	/** Calls a production webhook: `${baseUrl}/webhook/${path}`. POST with a JSON body by default. */
	webhook(path: string, body?: unknown, options?: { method?: string; headers?: Record<string, string>; timeoutMs?: number }): Promise<WebhookResult>;
	/** Runs an n8n CLI command on this instance's user folder (with its own task-runner broker port). */
	cli(args: string[], options?: { timeoutMs?: number; env?: Record<string, string> }): Promise<CliResult>;
	/** Calls the public API (`/api/v1/...`) as the owner (created on first use). */
	api<T = any>(method: string, apiPath: string, body?: unknown): Promise<T>;
	/** Executions, newest first, with their data (`/api/v1/executions?includeData=true`). */
	executions(query?: { workflowId?: string; status?: string; limit?: number }): Promise<Execution[]>;
	/** Waits for a finished execution of the workflow (after `since`, an ISO time or Date). */
	waitForExecution(workflowId: string, options?: { since?: Date; timeoutMs?: number }): Promise<Execution>;
	/** Publishes (activates) a workflow through the public API and waits for its webhooks. */
	activate(workflowId: string): Promise<void>;
	/** The node types the server loaded (`/types/nodes.json`): names such as `n8n-nodes-ecommerce-marketing.marketingContact`. */
	nodeTypes(): Promise<string[]>;
	/** The server log so far. */
	log(): string;
	/** SIGTERM, then SIGKILL after 10 s (in queue mode: then the workers, Redis and the databases). */
	stop(): Promise<void>;
	/** SIGKILL to n8n and its task runner at once (a crash: no graceful shutdown). */
	kill(): Promise<void>;
	/**
	 * Starts n8n again on the same user folder (database, store, installed package) and ports,
	 * after kill() or stop() (stops it first if it runs); waits for readiness and for the webhooks
	 * of the workflows published at start. Not in queue mode.
	 */
	restart(): Promise<void>;
	/** Whether the n8n process is alive (not exited since the last start). */
	running(): boolean;
	/** The n8n process id, also the id of its process group (with the task runner). */
	pid(): number;
	/** Queue mode only: Redis, the databases and the workers. */
	queue?: QueueInfo;
}

interface N8nLib {
	N8N_VERSION: string;
	PACKAGE_NAME: string;
	ROOT: string;
	ensureN8n(): string;
	n8nEntry(): string;
	freePorts(count?: number): Promise<number[]>;
	n8nEnv(options: { userFolder: string; port?: number; brokerPort?: number; listenAddress?: string; env?: Record<string, string> }): NodeJS.ProcessEnv;
	runN8nCli(args: string[], options: { userFolder: string; brokerPort: number; env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult>;
	buildAndPack(options?: { build?: boolean; quiet?: boolean }): string;
	installTarball(userFolder: string, tarball: string): string;
	importCredentials(credentials: CredentialToImport[], options: { userFolder: string; brokerPort: number; env?: Record<string, string> }): Promise<unknown>;
	readWorkflows(files: string[]): Array<{ id: string; nodes?: Array<{ type: string; disabled?: boolean; parameters?: Record<string, unknown> }> }>;
	importWorkflows(workflows: unknown[], options: { userFolder: string; brokerPort: number; env?: Record<string, string> }): Promise<unknown>;
	hasTrigger(workflow: unknown): boolean;
	publishWorkflows(ids: string[], options: { userFolder: string; brokerPort: number; env?: Record<string, string> }): Promise<void>;
	waitForReady(baseUrl: string, options: { timeoutMs?: number; child?: ChildProcess; logFile?: string }): Promise<void>;
}

const OWNER = { email: 'owner@example.test', firstName: 'E2E', lastName: 'Owner', password: 'E2e-Owner-passw0rd' };

let packedTarball: string | undefined;

/**
 * The package tarball, built and packed once per process. Set E2E_PREBUILT=1 to pack the
 * existing dist/ without building (e.g. when the build runs elsewhere first), or E2E_TARBALL to
 * test a given tarball (e.g. a published release, or a build changed on purpose to see a test fail).
 */
export function packedPackage(): string {
	if (process.env.E2E_TARBALL) return process.env.E2E_TARBALL;
	if (packedTarball && existsSync(packedTarball)) return packedTarball;
	packedTarball = lib.buildAndPack({ build: process.env.E2E_PREBUILT !== '1' });
	return packedTarball;
}

function seconds(since: number): number {
	return Math.round((Date.now() - since) / 100) / 10;
}

/** Webhook nodes of a workflow: [{ path, methods }] (what n8n registers when it is published). */
function webhooksOf(workflow: { nodes?: Array<{ type: string; disabled?: boolean; webhookId?: string; parameters?: Record<string, any> }> }) {
	return (workflow.nodes ?? [])
		.filter((n) => n.type === 'n8n-nodes-base.webhook' && !n.disabled)
		.map((n) => {
			const p = n.parameters ?? {};
			const methods: string[] = p.multipleMethods ? (p.httpMethod ?? ['GET', 'POST']) : [p.httpMethod ?? 'GET'];
			const path = String(p.path ?? '');
			// Paths with route parameters are registered as <webhookId>/<path>.
			return { path: path.includes(':') ? `${n.webhookId}/${path}` : path, methods, dynamic: path.includes(':') };
		})
		.filter((w) => w.path && !w.dynamic);
}

export async function startN8n(options: StartN8nOptions): Promise<N8nInstance> {
	if (!options.queue) return await startMain(options);
	const started = Date.now();
	const queue = await startQueueBackends(options.name, options.queue);
	const queueSeconds = seconds(started);
	let instance: N8nInstance;
	try {
		instance = await startMain({ ...options, env: { ...(options.env ?? {}), ...queue.env } }, queue);
	} catch (error) {
		await queue.stop();
		throw error;
	}
	instance.timings.queueBackends = queueSeconds;
	const stopMain = instance.stop;
	instance.stop = async () => {
		try {
			await stopMain();
		} finally {
			await queue.stop();
		}
	};
	instance.queue = queue.info;
	return instance;
}

async function startMain(options: StartN8nOptions, queue?: QueueBackends): Promise<N8nInstance> {
	const timings: Record<string, number> = {};
	let t = Date.now();
	lib.ensureN8n();
	timings.ensureN8n = seconds(t);

	const userFolder = join(ROOT, '.e2e', options.name);
	rmSync(userFolder, { recursive: true, force: true });
	mkdirSync(userFolder, { recursive: true });
	const logFile = join(userFolder, 'n8n.log');
	const env = options.env ?? {};

	if (options.installPackage !== false) {
		t = Date.now();
		const tarball = packedPackage();
		timings.buildAndPack = seconds(t);
		t = Date.now();
		lib.installTarball(userFolder, tarball);
		timings.installPackage = seconds(t);
	}

	const [port, brokerPort] = await lib.freePorts(2);
	// CLI commands get their own broker port each time (the server holds brokerPort).
	const cliOptions = async (extraEnv: Record<string, string> = {}) => ({ userFolder, brokerPort: (await lib.freePorts(1))[0], env: { ...env, ...extraEnv } });

	const credentials: CredentialToImport[] = [...(options.credentials ?? [])];
	if (options.smtpPort) {
		credentials.push({
			id: SMTP_CREDENTIAL_ID,
			name: SMTP_CREDENTIAL_NAME,
			type: 'smtp',
			data: { host: '127.0.0.1', port: options.smtpPort, secure: false, disableStartTls: true, user: '', password: '' },
		});
	}
	if (credentials.length > 0) {
		t = Date.now();
		await lib.importCredentials(credentials, await cliOptions());
		timings.importCredentials = seconds(t);
	}

	const workflows = [...lib.readWorkflows(options.workflows ?? []), ...((options.workflowData ?? []) as ReturnType<N8nLib['readWorkflows']>)];
	if (workflows.length > 0) {
		t = Date.now();
		await lib.importWorkflows(workflows, await cliOptions());
		timings.importWorkflows = seconds(t);
	}
	const publish = options.publish ?? 'triggers';
	const toPublish = Array.isArray(publish)
		? workflows.filter((w) => publish.includes(w.id))
		: publish === 'all'
			? workflows
			: publish === 'triggers'
				? workflows.filter((w) => lib.hasTrigger(w))
				: [];
	if (Array.isArray(publish)) {
		const missing = publish.filter((id) => !workflows.some((w) => w.id === id));
		if (missing.length > 0) throw new Error(`publish: no imported workflow has id ${missing.join(', ')}`);
	}
	const publishWith = options.publishWith ?? 'api';
	if (publishWith === 'cli' && toPublish.length > 0) {
		t = Date.now();
		await lib.publishWorkflows(
			toPublish.map((w) => w.id),
			await cliOptions(),
		);
		timings.publishCli = seconds(t);
	}

	t = Date.now();
	const { node } = ensureNode24();
	let child!: ChildProcess;
	let exited = false;
	let exitPromise!: Promise<void>;
	// Should this process end without stop() (a crash, a forced exit), take n8n down with it.
	const killOnExit = () => {
		try {
			process.kill(-child.pid!, 'SIGKILL');
		} catch {}
	};
	/** `n8n start` on this user folder and these ports (again by restart()). */
	const spawnServer = () => {
		const logFd = openSync(logFile, 'a');
		const current = spawn(node, [lib.n8nEntry(), 'start'], {
			cwd: userFolder,
			env: lib.n8nEnv({ userFolder, port, brokerPort, env }),
			stdio: ['ignore', logFd, logFd],
			// Its own process group: stop() signals n8n and its task runner together.
			detached: true,
		});
		closeSync(logFd);
		child = current;
		exited = false;
		exitPromise = new Promise<void>((resolve) =>
			current.once('exit', () => {
				if (child === current) exited = true;
				resolve();
			}),
		);
		process.once('exit', killOnExit);
	};
	spawnServer();
	const baseUrl = `http://127.0.0.1:${port}`;

	const signalGroup = (signal: NodeJS.Signals) => {
		try {
			process.kill(-child.pid!, signal);
		} catch {
			try {
				child.kill(signal);
			} catch {}
		}
	};
	const stop = async () => {
		if (exited) {
			signalGroup('SIGKILL');
			process.off('exit', killOnExit);
			return;
		}
		signalGroup('SIGTERM');
		const killed = await Promise.race([exitPromise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref())]);
		if (!killed) {
			signalGroup('SIGKILL');
			await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 5_000).unref())]);
		}
		// The task runner may outlive n8n by a moment; make sure nothing of the group is left.
		signalGroup('SIGKILL');
		process.off('exit', killOnExit);
	};
	/** SIGKILL to the whole process group at once, as a crash: no shutdown, nothing flushed. */
	const kill = async () => {
		signalGroup('SIGKILL');
		await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 10_000).unref())]);
		process.off('exit', killOnExit);
	};

	try {
		// Queue mode: the workers start beside the main instance (n8n's database is migrated by the imports).
		const workersReady = queue
			? queue.startWorkers(userFolder, env).then(() => {
					timings.workersReady = seconds(t);
				})
			: Promise.resolve();
		await Promise.all([lib.waitForReady(baseUrl, { timeoutMs: options.readyTimeoutMs ?? 120_000, child, logFile }), workersReady]);
	} catch (error) {
		await stop();
		throw error;
	}
	timings.startToReady = seconds(t);

	// ---- helpers ----

	let cookie: string | undefined;
	/** The owner's session cookie: sets the owner up on first use (a fresh instance has none). */
	const ownerSession = async (): Promise<string> => {
		if (cookie) return cookie;
		const setup = await fetch(`${baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(OWNER),
			signal: AbortSignal.timeout(30_000),
		});
		if (setup.status !== 200) throw new Error(`owner setup failed: ${setup.status} ${await setup.text()}`);
		cookie = setup.headers
			.getSetCookie()
			.map((c) => c.split(';')[0])
			.join('; ');
		return cookie;
	};

	let apiKey: string | undefined;
	const ownerApiKey = async (): Promise<string> => {
		if (apiKey) return apiKey;
		const session = await ownerSession();
		const scopes = await fetch(`${baseUrl}/rest/api-keys/scopes`, { headers: { cookie: session }, signal: AbortSignal.timeout(30_000) });
		if (scopes.status !== 200) throw new Error(`api key scopes failed: ${scopes.status} ${await scopes.text()}`);
		const created = await fetch(`${baseUrl}/rest/api-keys`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie: session },
			body: JSON.stringify({ label: 'e2e', scopes: ((await scopes.json()) as { data: string[] }).data, expiresAt: null }),
			signal: AbortSignal.timeout(30_000),
		});
		if (created.status !== 200) throw new Error(`api key creation failed: ${created.status} ${await created.text()}`);
		apiKey = ((await created.json()) as { data: { rawApiKey: string } }).data.rawApiKey;
		return apiKey;
	};

	const api = async <T = any>(method: string, apiPath: string, body?: unknown): Promise<T> => {
		const key = await ownerApiKey();
		const res = await fetch(`${baseUrl}/api/v1${apiPath.startsWith('/') ? '' : '/'}${apiPath}`, {
			method,
			headers: { 'X-N8N-API-KEY': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		const text = await res.text();
		if (res.status >= 400) throw new Error(`${method} /api/v1${apiPath}: ${res.status} ${text}`);
		return (text ? JSON.parse(text) : undefined) as T;
	};

	/** Waits until n8n answers a CORS preflight for each webhook (a probe that runs nothing). */
	const waitForWebhooks = async (hooks: Array<{ path: string; methods: string[] }>, timeoutMs = 30_000) => {
		const deadline = Date.now() + timeoutMs;
		for (const hook of hooks) {
			for (const method of hook.methods) {
				for (;;) {
					const res = await fetch(`${baseUrl}/webhook/${hook.path}`, {
						method: 'OPTIONS',
						headers: { origin: baseUrl, 'access-control-request-method': method },
						signal: AbortSignal.timeout(5_000),
					}).catch(() => undefined);
					const allowed = res?.headers.get('access-control-allow-methods') ?? '';
					if (res?.status === 204 && allowed.split(/,\s*/).includes(method)) break;
					if (Date.now() > deadline) throw new Error(`webhook ${method} /webhook/${hook.path} was not registered within ${timeoutMs / 1000} s; see ${logFile}`);
					await new Promise((r) => setTimeout(r, 100));
				}
			}
		}
	};

	const activate = async (workflowId: string) => {
		await api('POST', `/workflows/${encodeURIComponent(workflowId)}/activate`);
		const wf = (workflows.find((w) => w.id === workflowId) ?? (await api('GET', `/workflows/${encodeURIComponent(workflowId)}`))) as Parameters<typeof webhooksOf>[0];
		await waitForWebhooks(webhooksOf(wf));
	};

	const executions = async (query: { workflowId?: string; status?: string; limit?: number } = {}): Promise<Execution[]> => {
		const params = new URLSearchParams({ includeData: 'true', limit: String(query.limit ?? 100) });
		if (query.workflowId) params.set('workflowId', query.workflowId);
		if (query.status) params.set('status', query.status);
		return (await api<{ data: Execution[] }>('GET', `/executions?${params}`)).data;
	};

	const instance: N8nInstance = {
		baseUrl,
		port,
		userFolder,
		logFile,
		timings,
		async webhook(path, body, { method = 'POST', headers = {}, timeoutMs = 60_000 } = {}) {
			const hasBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
			const res = await fetch(`${baseUrl}/webhook/${path.replace(/^\//, '')}`, {
				method,
				headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...headers },
				body: hasBody ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined,
				signal: AbortSignal.timeout(timeoutMs),
			});
			const text = await res.text();
			let parsed: unknown = text;
			if ((res.headers.get('content-type') ?? '').includes('json') && text) {
				try {
					parsed = JSON.parse(text);
				} catch {}
			}
			return { status: res.status, headers: res.headers, body: parsed };
		},
		async cli(args, { timeoutMs, env: extraEnv } = {}) {
			return await lib.runN8nCli(args, { ...(await cliOptions(extraEnv)), timeoutMs });
		},
		api,
		executions,
		async waitForExecution(workflowId, { since, timeoutMs = 30_000 } = {}) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const done = (await executions({ workflowId, limit: 20 })).find(
					(e) => e.stoppedAt && !['running', 'new', 'waiting'].includes(e.status) && (!since || new Date(e.startedAt) >= since),
				);
				if (done) return done;
				if (Date.now() > deadline) throw new Error(`no finished execution of workflow ${workflowId} within ${timeoutMs / 1000} s`);
				await new Promise((r) => setTimeout(r, 200));
			}
		},
		activate,
		async nodeTypes() {
			const res = await fetch(`${baseUrl}/types/nodes.json`, { headers: { cookie: await ownerSession() }, signal: AbortSignal.timeout(30_000) });
			if (res.status !== 200) throw new Error(`/types/nodes.json: ${res.status}`);
			return ((await res.json()) as Array<{ name: string }>).map((n) => n.name);
		},
		log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
		stop,
		kill,
		async restart() {
			if (queue) throw new Error('restart() is for a single n8n process, not queue mode');
			if (!exited) await stop();
			const started = Date.now();
			spawnServer();
			try {
				await lib.waitForReady(baseUrl, { timeoutMs: options.readyTimeoutMs ?? 120_000, child, logFile });
				// The published workflows are active in n8n's database: n8n activates them again.
				await waitForWebhooks(toPublish.flatMap(webhooksOf));
			} catch (error) {
				await stop();
				throw error;
			}
			timings.restartToReady = seconds(started);
		},
		running: () => !exited,
		pid: () => child.pid!,
	};

	try {
		if (publishWith === 'api' && toPublish.length > 0) {
			t = Date.now();
			for (const wf of toPublish) await activate(wf.id);
			timings.publishApi = seconds(t);
		} else if (publishWith === 'cli' && toPublish.length > 0) {
			// Published before start, activated in the background after readiness.
			t = Date.now();
			await waitForWebhooks(toPublish.flatMap(webhooksOf));
			timings.webhooksRegistered = seconds(t);
		}
	} catch (error) {
		await stop();
		throw error;
	}
	return instance;
}
