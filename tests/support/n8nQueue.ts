// n8n's queue mode for the end-to-end harness (startN8n({ queue })): what a production queue-mode
// setup has besides the main instance, all on 127.0.0.1 —
// - Redis: the machine's `redis-server` (Debian's redis-server package) on a free port, no
//   persistence, a child process killed at the end;
// - n8n's own database on the test PostgreSQL cluster (scripts/lib/postgres.js, 127.0.0.1:54329):
//   a fresh database per run (DB_TYPE=postgresdb), dropped at the end;
// - a fresh database for the Marketing Contact Store, for the test's credential (storeCredential());
// - `n8n worker` processes, each with its own user folder (the community package copied from the
//   main's, like a worker image built with the same nodes), its own task-runner broker port and a
//   health server (QUEUE_HEALTH_CHECK_ACTIVE) that says when it is ready.
// Main and workers share N8N_ENCRYPTION_KEY (credentials are decrypted on the workers).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { Client } from 'pg';

/* eslint-disable @typescript-eslint/no-require-imports */
const lib: {
	ROOT: string;
	n8nEntry(): string;
	freePorts(count?: number): Promise<number[]>;
	n8nEnv(options: { userFolder: string; port?: number; brokerPort?: number; env?: Record<string, string> }): NodeJS.ProcessEnv;
} = require('../../scripts/lib/n8n');
const { ensureNode24 }: { ensureNode24: () => { node: string } } = require('../../scripts/lib/node24');
const { pgConnection }: { pgConnection: () => { host: string; port: number; user: string; password: string; database: string } } = require('../../scripts/lib/postgres');
/* eslint-enable @typescript-eslint/no-require-imports */

export interface QueueOptions {
	/** How many `n8n worker` processes. */
	workers: number;
	/** Jobs each worker runs at once (`n8n worker --concurrency`). Default 10 (n8n's default). */
	concurrency?: number;
	/** Time allowed for each worker to become ready. Default 120 s. */
	readyTimeoutMs?: number;
}

export interface WorkerProcess {
	index: number;
	pid: number;
	userFolder: string;
	logFile: string;
	healthUrl: string;
	log(): string;
}

export interface QueueInfo {
	redisPort: number;
	/** n8n's own database on the test cluster. */
	database: string;
	/** The database created for the Marketing Contact Store (use storeCredential() on it). */
	storeDatabase: string;
	workers: WorkerProcess[];
	/** A client on n8n's own database (the caller ends it). */
	n8nDb(): Promise<Client>;
	/** A client on the contact store's database (the caller ends it). */
	storeDb(): Promise<Client>;
}

/** A detached child (its own process group, so signals reach its children too) with stop(). */
interface Group {
	child: ChildProcess;
	exited: () => boolean;
	stop(graceMs?: number): Promise<void>;
}

function spawnGroup(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Group {
	const fd = openSync(options.logFile, 'a');
	const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', fd, fd], detached: true });
	closeSync(fd);
	let exited = false;
	const exit = new Promise<void>((resolve) =>
		child.once('exit', () => {
			exited = true;
			resolve();
		}),
	);
	const signal = (s: NodeJS.Signals) => {
		try {
			process.kill(-child.pid!, s);
		} catch {
			try {
				child.kill(s);
			} catch {}
		}
	};
	// Should the test process end without stop(), take the group down with it.
	const killOnExit = () => signal('SIGKILL');
	process.once('exit', killOnExit);
	return {
		child,
		exited: () => exited,
		async stop(graceMs = 10_000) {
			if (!exited) {
				signal('SIGTERM');
				const done = await Promise.race([exit.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref())]);
				if (!done) {
					signal('SIGKILL');
					await Promise.race([exit, new Promise((r) => setTimeout(r, 5_000).unref())]);
				}
			}
			signal('SIGKILL');
			process.off('exit', killOnExit);
		},
	};
}

function tail(file: string, lines = 40): string {
	return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '';
}

/** Debian's redis-server (PATH, then /usr/bin and /usr/sbin). */
export function redisServerPath(): string {
	for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin']) {
		if (dir && existsSync(join(dir, 'redis-server'))) return join(dir, 'redis-server');
	}
	throw new Error('redis-server is not installed: `apt-get install -y redis-server` (Debian; .ci/run installs it)');
}

/** PING over RESP until Redis answers +PONG. */
async function waitForRedis(port: number, group: Group, logFile: string, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const pong = await new Promise<boolean>((resolve) => {
			const socket = connect({ port, host: '127.0.0.1' });
			socket.setTimeout(1000);
			let data = '';
			socket.once('connect', () => socket.write('PING\r\n'));
			socket.on('data', (d) => {
				data += d.toString();
				if (data.includes('\r\n')) {
					socket.destroy();
					resolve(data.startsWith('+PONG'));
				}
			});
			socket.once('timeout', () => {
				socket.destroy();
				resolve(false);
			});
			socket.once('error', () => resolve(false));
		});
		if (pong) return;
		if (group.exited() || Date.now() > deadline) {
			throw new Error(`redis-server on 127.0.0.1:${port} ${group.exited() ? 'exited' : `did not answer within ${timeoutMs / 1000} s`}\n${tail(logFile)}`);
		}
		await new Promise((r) => setTimeout(r, 100));
	}
}

async function pgAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
	const client = new Client({ ...pgConnection(), database: 'postgres' });
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

async function recreateDatabase(name: string): Promise<void> {
	await pgAdmin(async (c) => {
		await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
		await c.query(`CREATE DATABASE "${name}"`);
	});
}

async function dropDatabase(name: string): Promise<void> {
	await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

function databaseName(name: string, suffix: string): string {
	return `e2e_${name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_${suffix}`.slice(0, 63);
}

/** The databases a queue-mode run named `name` creates on the test cluster (to write credentials before it starts). */
export function queueDatabases(name: string): { n8n: string; store: string } {
	return { n8n: databaseName(name, 'n8n'), store: databaseName(name, 'store') };
}

/** Waits for GET <url> = 200; fails early when the process exits. */
async function waitForHealth(url: string, group: Group, logFile: string, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
			if (res.status === 200) return;
		} catch {}
		if (group.exited() || Date.now() > deadline) {
			throw new Error(`n8n worker at ${url} ${group.exited() ? 'exited early' : `was not ready after ${timeoutMs / 1000} s`}\n--- last lines of ${logFile} ---\n${tail(logFile)}`);
		}
		await new Promise((r) => setTimeout(r, 250));
	}
}

export interface QueueBackends {
	/** Environment for the main instance, its CLI commands and the workers. */
	env: Record<string, string>;
	info: QueueInfo;
	/** Spawns the workers on the main's user folder (after the package is installed there); resolves when all are ready. */
	startWorkers(mainUserFolder: string, env: Record<string, string>): Promise<void>;
	/** Stops the workers, Redis, and drops both databases. */
	stop(): Promise<void>;
}

/** Redis and fresh databases for a queue-mode run named `name`. */
export async function startQueueBackends(name: string, options: QueueOptions): Promise<QueueBackends> {
	const dir = join(lib.ROOT, '.e2e', `${name}-queue`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	const { n8n: database, store: storeDatabase } = queueDatabases(name);
	await recreateDatabase(database);
	await recreateDatabase(storeDatabase);

	const [redisPort] = await lib.freePorts(1);
	const redisLog = join(dir, 'redis.log');
	const redis = spawnGroup(
		redisServerPath(),
		['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes'],
		{ cwd: dir, env: process.env, logFile: redisLog },
	);
	const workers: Group[] = [];
	const stop = async () => {
		await Promise.all(workers.map((w) => w.stop(15_000)));
		await redis.stop(5_000);
		await dropDatabase(database).catch(() => undefined);
		await dropDatabase(storeDatabase).catch(() => undefined);
	};
	try {
		await waitForRedis(redisPort, redis, redisLog);
	} catch (error) {
		await stop();
		throw error;
	}

	const pg = pgConnection();
	const env: Record<string, string> = {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: pg.host,
		DB_POSTGRESDB_PORT: String(pg.port),
		DB_POSTGRESDB_DATABASE: database,
		DB_POSTGRESDB_USER: pg.user,
		DB_POSTGRESDB_PASSWORD: pg.password,
		N8N_ENCRYPTION_KEY: randomBytes(24).toString('base64url'),
	};
	const clientOn = async (db: string) => {
		const client = new Client({ ...pg, database: db });
		await client.connect();
		return client;
	};
	const info: QueueInfo = {
		redisPort,
		database,
		storeDatabase,
		workers: [],
		n8nDb: () => clientOn(database),
		storeDb: () => clientOn(storeDatabase),
	};

	const startWorkers = async (mainUserFolder: string, workerEnv: Record<string, string>) => {
		const { node } = ensureNode24();
		const ready: Array<Promise<void>> = [];
		for (let index = 1; index <= options.workers; index++) {
			const userFolder = join(mainUserFolder, `worker-${index}`);
			mkdirSync(join(userFolder, '.n8n'), { recursive: true });
			const nodes = join(mainUserFolder, '.n8n', 'nodes');
			if (existsSync(nodes)) cpSync(nodes, join(userFolder, '.n8n', 'nodes'), { recursive: true });
			const [brokerPort, healthPort] = await lib.freePorts(2);
			const logFile = join(userFolder, 'n8n-worker.log');
			const group = spawnGroup(node, [lib.n8nEntry(), 'worker', `--concurrency=${options.concurrency ?? 10}`], {
				cwd: userFolder,
				logFile,
				env: lib.n8nEnv({
					userFolder,
					brokerPort,
					env: {
						...workerEnv,
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						QUEUE_HEALTH_CHECK_PORT: String(healthPort),
						N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					},
				}),
			});
			workers.push(group);
			const healthUrl = `http://127.0.0.1:${healthPort}/healthz/readiness`;
			info.workers.push({ index, pid: group.child.pid!, userFolder, logFile, healthUrl, log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') });
			ready.push(waitForHealth(healthUrl, group, logFile, options.readyTimeoutMs ?? 120_000));
		}
		await Promise.all(ready);
	};

	return { env, info, startWorkers, stop };
}

/**
 * A Marketing Contact Store credential (plaintext, for startN8n's `credentials`) on a database of
 * the test cluster: PostgreSQL backend, schema ecommerce_marketing.
 */
export function storeCredential(database: string, options: { id?: string; name?: string; maxConnections?: number } = {}) {
	const pg = pgConnection();
	return {
		id: options.id ?? 'e2eContactStorePg',
		name: options.name ?? 'Contact store (PostgreSQL)',
		type: 'marketingContactStoreApi',
		data: {
			backend: 'postgres',
			host: pg.host,
			port: pg.port,
			database,
			user: pg.user,
			password: pg.password,
			ssl: 'disable',
			schema: 'ecommerce_marketing',
			maxConnections: options.maxConnections ?? 10,
		},
	};
}
