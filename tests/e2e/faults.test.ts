// Faults in a real n8n with the packed package: n8n killed with SIGKILL in the middle of a batch of
// store writes (the zero-setup SQLite file, and PostgreSQL), then restarted on the same user folder
// and every event replayed; and a PostgreSQL server (a cluster of this test's own) stopped and
// started while n8n runs. The expected store is computed from the events alone, never read back
// from the store: each event is applied entirely or not at all, and replays add nothing.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Client } from 'pg';
import { startN8n, type N8nInstance } from '../support/n8nInstance';
import { startScratchPostgres, type ScratchPostgres } from '../support/pgCluster';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pgConnection } = require('../../scripts/lib/postgres');

const STORE_CREDENTIAL = 'marketingContactStoreApi';
const PG_CREDENTIAL = { id: 'faultsPgStore001', name: 'Faults: PostgreSQL store' };
const OUTAGE_CREDENTIAL = { id: 'faultsPgOutage01', name: 'Faults: PostgreSQL that restarts' };
const PG_SCHEMA = `faults_${process.pid}_${Date.now().toString(36)}`;
const OUTAGE_SCHEMA = 'outage';

const T0 = Date.parse('2026-02-02T09:00:00Z');
const MINUTE = 60_000;

// ---------------------------------------------------------------- the events and what they must give

interface ShopifyOrder {
	id: number;
	email: string;
	created_at: string;
	updated_at: string;
	currency: string;
	total_price: string;
	financial_status: string;
	fulfillment_status: null;
	cancelled_at: string | null;
	line_items: Array<{ id: number; product_id: number; sku: string; title: string; quantity: number; price: string }>;
}

const CONTACTS = 90;
const emailOf = (k: number) => `buyer${k}@faults.example.com`;

/**
 * Orders `from`…`from+count-1`: 1–3 line items each, every 11th cancelled (does not count), spread
 * over CONTACTS buyers so each buyer's orders land in every batch (concurrent writes per contact).
 */
function makeOrders(from: number, count: number): ShopifyOrder[] {
	return Array.from({ length: count }, (_, n) => {
		const i = from + n;
		const lines = Array.from({ length: 1 + (i % 3) }, (_, j) => ({
			id: i * 10 + j,
			product_id: 9000 + ((i + j * 7) % 25),
			sku: `SKU-${(i + j * 7) % 25}`,
			title: `Product ${(i + j * 7) % 25}`,
			quantity: 1 + ((i + j) % 2),
			price: (((i * 37 + j * 11) % 9000) / 100 + 1).toFixed(2),
		}));
		const cents = lines.reduce((sum, l) => sum + Math.round(Number(l.price) * 100) * l.quantity, 0);
		const at = new Date(T0 + i * MINUTE).toISOString();
		const cancelled = i % 11 === 5;
		return {
			id: 700_000 + i,
			email: emailOf((i * 7) % CONTACTS),
			created_at: at,
			updated_at: at,
			currency: 'EUR',
			total_price: (cents / 100).toFixed(2),
			financial_status: cancelled ? 'voided' : 'paid',
			fulfillment_status: null,
			cancelled_at: cancelled ? at : null,
			line_items: lines,
		};
	});
}

const cents = (money: number | string) => Math.round(Number(money) * 100);

/** Reads the store with SQL (SQLite file or PostgreSQL schema): rows with plain numbers. */
interface StoreReader {
	rows(sql: string): Promise<Array<Record<string, unknown>>>;
	close(): Promise<void>;
}

function sqliteReader(path: string): StoreReader {
	const db = new DatabaseSync(path, { readOnly: true });
	return {
		rows: async (sql) => db.prepare(sql).all() as Array<Record<string, unknown>>,
		close: async () => db.close(),
	};
}

async function pgReader(connection: { host: string; port: number; user: string; password: string; database: string }, schema: string): Promise<StoreReader> {
	const client = new Client({ ...connection, options: `-c search_path=${schema}`, connectionTimeoutMillis: 10_000, statement_timeout: 30_000 });
	client.on('error', () => undefined);
	await client.connect();
	return {
		rows: async (sql) => (await client.query(sql)).rows,
		close: async () => {
			await client.end().catch(() => undefined);
		},
	};
}

/**
 * Checks every invariant of a store that recorded some of `events` (each fully or not at all) and
 * returns the ids of the orders it holds: every processed key has its order and vice versa, each
 * order holds exactly its event's total, status and line items and belongs to its buyer, each
 * contact's order count, total spent and purchase dates equal those of its applied events, no
 * contact exists without its order, no line item without its order.
 */
async function checkStore(reader: StoreReader, events: ShopifyOrder[]): Promise<Set<number>> {
	const byId = new Map(events.map((e) => [e.id, e]));
	const orders = await reader.rows('SELECT o.id AS pk, o.order_id, o.total, o.counted, o.placed_at, o.contact_id, c.email FROM orders o JOIN contacts c ON c.id = o.contact_id');
	const items = await reader.rows('SELECT order_pk, line, title, quantity, price, product_id, sku FROM order_items ORDER BY order_pk, line');
	const contacts = await reader.rows('SELECT id, email, order_count, total_spent, first_purchase_at, last_purchase_at FROM contacts');
	const keys = await reader.rows('SELECT event_key, contact_id FROM processed_events');
	const orphans = await reader.rows('SELECT count(*) AS n FROM order_items i LEFT JOIN orders o ON o.id = i.order_pk WHERE o.id IS NULL');
	const ordersWithoutContact = await reader.rows('SELECT count(*) AS n FROM orders o LEFT JOIN contacts c ON c.id = o.contact_id WHERE c.id IS NULL');
	expect(Number(orphans[0].n)).toBe(0);
	expect(Number(ordersWithoutContact[0].n)).toBe(0);

	const applied = new Set(orders.map((o) => Number(o.order_id) - 0));
	expect(applied.size).toBe(orders.length);
	for (const id of applied) expect(byId.has(id)).toBe(true);

	// Processed keys ↔ orders, one key per order event, linked to the order's contact.
	const orderContact = new Map(orders.map((o) => [Number(o.order_id), Number(o.contact_id)]));
	const keyOrders = keys.map((k) => {
		const m = /^shopify:order:(\d+):/.exec(String(k.event_key));
		expect(m).not.toBeNull();
		const id = Number(m![1]);
		expect({ key: k.event_key, contact: Number(k.contact_id) }).toEqual({ key: k.event_key, contact: orderContact.get(id) });
		return id;
	});
	expect([...keyOrders].sort()).toEqual([...applied].sort());

	// Each order exactly as its event says.
	const itemsByOrder = new Map<number, Array<Record<string, unknown>>>();
	for (const item of items) {
		const list = itemsByOrder.get(Number(item.order_pk)) ?? [];
		list.push(item);
		itemsByOrder.set(Number(item.order_pk), list);
	}
	for (const o of orders) {
		const e = byId.get(Number(o.order_id))!;
		expect({ order: e.id, email: o.email, total: cents(o.total as number), counted: Number(o.counted), placedAt: Number(o.placed_at) }).toEqual({
			order: e.id,
			email: e.email,
			total: cents(e.total_price),
			counted: e.cancelled_at ? 0 : 1,
			placedAt: Date.parse(e.created_at),
		});
		expect({
			order: e.id,
			items: (itemsByOrder.get(Number(o.pk)) ?? []).map((i) => [Number(i.line), i.title, Number(i.quantity), cents(i.price as number), String(i.product_id), i.sku]),
		}).toEqual({ order: e.id, items: e.line_items.map((l, line) => [line, l.title, l.quantity, cents(l.price), String(l.product_id), l.sku]) });
	}

	// Each contact's purchase figures from its applied events (computed here, not by the store).
	const expected = new Map<string, { count: number; spent: number; first: number | null; last: number | null }>();
	for (const id of applied) {
		const e = byId.get(id)!;
		const x = expected.get(e.email) ?? { count: 0, spent: 0, first: null, last: null };
		if (!e.cancelled_at) {
			const at = Date.parse(e.created_at);
			x.count++;
			x.spent += cents(e.total_price);
			x.first = x.first === null ? at : Math.min(x.first, at);
			x.last = x.last === null ? at : Math.max(x.last, at);
		}
		expected.set(e.email, x);
	}
	const actual = new Map(
		contacts.map((c) => [
			String(c.email),
			{
				count: Number(c.order_count),
				spent: cents(c.total_spent as number),
				first: c.first_purchase_at === null ? null : Number(c.first_purchase_at),
				last: c.last_purchase_at === null ? null : Number(c.last_purchase_at),
			},
		]),
	);
	expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));
	return applied;
}

// ---------------------------------------------------------------- workflows

function batchWorkflow(id: string, path: string, credential?: { id: string; name: string }) {
	return {
		id,
		name: `Faults: a batch of Shopify orders → Record Order (${path})`,
		nodes: [
			{
				id: `${id}-1`,
				name: 'Orders webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `${id}-hook`,
				parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
			},
			{
				id: `${id}-2`,
				name: 'One item per order',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.orders', options: {} },
			},
			{
				id: `${id}-3`,
				name: 'Record Order',
				type: 'n8n-nodes-ecommerce-marketing.marketingContact',
				typeVersion: 1,
				position: [440, 0],
				parameters: { operation: 'recordOrder', source: 'shopify', payload: '={{ $json }}', options: {} },
				...(credential ? { credentials: { [STORE_CREDENTIAL]: credential } } : {}),
			},
		],
		connections: {
			'Orders webhook': { main: [[{ node: 'One item per order', type: 'main', index: 0 }]] },
			'One item per order': { main: [[{ node: 'Record Order', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

const BATCH_SQLITE = batchWorkflow('faultsBatchSqlite', 'faults-orders-sqlite');
const BATCH_PG = batchWorkflow('faultsBatchPg0001', 'faults-orders-pg', PG_CREDENTIAL);
const BATCH_OUTAGE = batchWorkflow('faultsBatchOutage', 'faults-orders-outage', OUTAGE_CREDENTIAL);

// ---------------------------------------------------------------- driving

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Posts each batch (at once) and returns the pending answers (a killed server answers nothing). */
function postBatches(n8n: N8nInstance, path: string, batches: ShopifyOrder[][], timeoutMs = 120_000) {
	return batches.map((orders) => n8n.webhook(path, { orders }, { timeoutMs }).catch((error: Error) => ({ status: 0, body: String(error), headers: new Headers() })));
}

/** Polls the number of recorded events until `until` says stop; returns the last count. Bounded by `timeoutMs`. */
async function watchCount(count: () => Promise<number>, until: (n: number) => boolean, timeoutMs: number, what: string): Promise<number> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		let n = -1;
		try {
			n = await count();
		} catch {
			// Store not created yet.
		}
		if (n >= 0 && until(n)) return n;
		if (Date.now() > deadline) throw new Error(`${what}: still at ${n} after ${timeoutMs / 1000} s`);
		await sleep(25);
	}
}

/**
 * A process of its own that watches the SQLite store and, once `killAt` events are in, kills n8n
 * inside a write transaction: when n8n holds the write lock (its `BEGIN IMMEDIATE` makes ours fail
 * with "database is locked") it freezes n8n's process group (SIGSTOP), checks that the lock is still
 * held (n8n stopped between BEGIN and COMMIT; else it lets n8n go on and tries again), and sends
 * SIGKILL. It then kills itself, so that its own connection never checkpoints the file. Prints the
 * number of events it saw committed.
 */
const SQLITE_KILLER = `
const { DatabaseSync } = require('node:sqlite');
const fs = require('node:fs');
const [dbPath, pgid, killAt, deadline] = process.argv.slice(1);
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const stopped = () => {
	const until = Date.now() + 2000;
	while (Date.now() < until) {
		try { if (fs.readFileSync('/proc/' + pgid + '/stat', 'utf8').replace(/^.*\\) /s, '')[0] === 'T') return; } catch { return; }
		pause(1);
	}
};
let db;
let seen = 0;
let retries = 0;
const writing = () => {
	try {
		db.exec('BEGIN IMMEDIATE');
		db.exec('ROLLBACK');
		return false;
	} catch (error) {
		if (/locked|busy/i.test(error.message)) return true;
		throw error;
	}
};
while (Date.now() < Number(deadline)) {
	try {
		if (!db) {
			// Only once n8n has set the file to WAL mode (the log exists): never race its first open.
			if (!fs.existsSync(dbPath) || !fs.existsSync(dbPath + '-wal')) { pause(20); continue; }
			db = new DatabaseSync(dbPath, { timeout: 0 });
		}
		if (seen < Number(killAt)) {
			seen = Number(db.prepare('SELECT count(*) AS n FROM processed_events').get().n);
			if (seen < Number(killAt)) pause(20);
			continue;
		}
		if (!writing()) { pause(0.2); continue; }
		process.kill(-Number(pgid), 'SIGSTOP');
		stopped();
		if (writing()) {
			process.kill(-Number(pgid), 'SIGKILL');
			fs.writeSync(1, JSON.stringify({ seen, retries }));
			process.kill(process.pid, 'SIGKILL');
		}
		retries++;
		process.kill(-Number(pgid), 'SIGCONT');
	} catch (error) {
		pause(20);
	}
}
try { process.kill(-Number(pgid), 'SIGCONT'); } catch {}
fs.writeSync(1, JSON.stringify({ timeout: true, seen, retries }));
process.exit(2);
`;

async function killInSqliteWrite(n8n: N8nInstance, dbPath: string, killAt: number, timeoutMs: number): Promise<number> {
	const child = spawn(process.execPath, ['-e', SQLITE_KILLER, dbPath, String(n8n.pid()), String(killAt), String(Date.now() + timeoutMs)], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let out = '';
	child.stdout.on('data', (d) => (out += d));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	let timer: NodeJS.Timeout | undefined;
	const bounded = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs + 10_000)))]);
	clearTimeout(timer);
	if (!bounded) child.kill('SIGKILL');
	await n8n.kill();
	const result = JSON.parse(out || '{}') as { seen?: number; retries?: number; timeout?: boolean };
	if (result.seen === undefined || result.timeout) throw new Error(`the SQLite killer did not kill n8n in a write (${out || 'no output'})`);
	console.log(`SQLite: n8n killed inside a write transaction (${result.retries} freezes let go first)`);
	return result.seen;
}

/** Waits (bounded) until the process is stopped by SIGSTOP. */
async function stoppedState(pid: number) {
	const until = Date.now() + 2000;
	while (Date.now() < until) {
		try {
			if (readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] === 'T') return;
		} catch {
			return;
		}
		await sleep(1);
	}
}

/**
 * Kills n8n once `killAt` events are in, inside a write transaction of this store: n8n is frozen
 * (SIGSTOP) and killed only if one of its transactions then holds the lock on processed_events
 * that every event write takes first; otherwise it goes on (SIGCONT) and this tries again.
 */
async function killInPostgresWrite(n8n: N8nInstance, poll: StoreReader, killAt: number, timeoutMs: number): Promise<number> {
	const deadline = Date.now() + timeoutMs;
	const inflight = async () =>
		(
			await poll.rows(
				"SELECT (SELECT count(*) FROM processed_events) AS n, (SELECT count(*) FROM pg_locks WHERE relation = 'processed_events'::regclass AND pid <> pg_backend_pid()) AS inflight",
			)
		)[0];
	let retries = 0;
	for (;;) {
		const row = await inflight();
		if (Number(row.n) >= killAt && Number(row.inflight) > 0) {
			process.kill(-n8n.pid(), 'SIGSTOP');
			await stoppedState(n8n.pid());
			const frozen = await inflight();
			if (Number(frozen.inflight) > 0) {
				await n8n.kill();
				console.log(`PostgreSQL: n8n killed with ${frozen.inflight} write transaction(s) open (${retries} freezes let go first)`);
				return Number(frozen.n);
			}
			retries++;
			process.kill(-n8n.pid(), 'SIGCONT');
		}
		if (Date.now() > deadline) throw new Error(`no write in flight with ${killAt} events in after ${timeoutMs / 1000} s (at ${row.n})`);
		await sleep(Number(row.n) >= killAt ? 1 : 25);
	}
}

/** The replayed answers: for every order, whether the store said it was a replay. */
function duplicatesOf(answers: Array<{ status: number; body: any }>): Map<number, boolean> {
	const out = new Map<number, boolean>();
	for (const answer of answers) {
		expect(answer.status).toBe(200);
		for (const item of answer.body as Array<{ duplicate: boolean; order: { orderId: string } }>) out.set(Number(item.order.orderId), item.duplicate);
	}
	return out;
}

function interleave(events: ShopifyOrder[], parts: number): ShopifyOrder[][] {
	return Array.from({ length: parts }, (_, p) => events.filter((_, i) => i % parts === p));
}

// ---------------------------------------------------------------- the tests

describe('faults: n8n killed mid-batch, PostgreSQL restarted under n8n', () => {
	let n8n: N8nInstance | undefined;
	let outagePg: ScratchPostgres | undefined;
	const shared = pgConnection() as { host: string; port: number; user: string; password: string; database: string };
	const started = Date.now();

	beforeAll(async () => {
		outagePg = await startScratchPostgres();
		const pgData = (c: { host: string; port: number; user: string; password: string; database: string }, schema: string) => ({
			backend: 'postgres',
			host: c.host,
			port: c.port,
			database: c.database,
			user: c.user,
			password: c.password,
			ssl: 'disable',
			schema,
			maxConnections: 10,
		});
		n8n = await startN8n({
			name: 'faults',
			workflowData: [BATCH_SQLITE, BATCH_PG, BATCH_OUTAGE],
			credentials: [
				{ ...PG_CREDENTIAL, type: STORE_CREDENTIAL, data: pgData(shared, PG_SCHEMA) },
				{ ...OUTAGE_CREDENTIAL, type: STORE_CREDENTIAL, data: pgData(outagePg, OUTAGE_SCHEMA) },
			],
		});
		console.log(`n8n ${n8n.baseUrl} timings (s): ${JSON.stringify(n8n.timings)}`);
	});

	afterAll(async () => {
		try {
			await n8n?.stop();
		} finally {
			outagePg?.destroy();
			const admin = await pgReader(shared, 'public').catch(() => undefined);
			await admin?.rows(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`).catch(() => undefined);
			await admin?.close();
			console.log(`faults: ${((Date.now() - started) / 1000).toFixed(1)} s in all; n8n timings (s): ${JSON.stringify(n8n?.timings ?? {})}`);
		}
	});

	beforeEach(async () => {
		// A test that failed half-way may have left n8n killed.
		if (n8n && !n8n.running()) await n8n.restart();
	});

	/**
	 * The crash drill on one store: post the batches at once, SIGKILL n8n's process group once
	 * `killAt` events are in, check the store (integrity, all-or-nothing, nothing committed lost),
	 * restart n8n on the same folder, replay every batch, check the final store.
	 */
	async function crashDrill(options: {
		path: string;
		events: ShopifyOrder[];
		batches: number;
		/** Kills n8n inside a write; returns how many events were in before. */
		kill: () => Promise<number>;
		/** Checks right after the kill, before n8n opens the store again; returns a reader of the crashed store. */
		afterKill: () => Promise<StoreReader>;
	}) {
		const { events } = options;
		const batches = interleave(events, options.batches);
		const answers = postBatches(n8n!, options.path, batches);
		const seen = await options.kill();
		expect(n8n!.running()).toBe(false);
		const answered = await Promise.all(answers);

		const reader = await options.afterKill();
		let applied: Set<number>;
		try {
			applied = await checkStore(reader, events);
		} finally {
			await reader.close();
		}
		console.log(`${options.path}: killed with ${seen} events seen, ${applied.size} of ${events.length} applied`);
		// A batch answered with success only if all its events are in.
		answered.forEach((answer, b) => {
			if (answer.status === 200) for (const e of batches[b]) expect(applied.has(e.id)).toBe(true);
		});
		// Killed in the middle: some events in, some not; nothing committed before the kill was lost.
		expect(applied.size).toBeGreaterThanOrEqual(seen);
		expect(applied.size).toBeLessThan(events.length);

		await n8n!.restart();
		const replay = await Promise.all(postBatches(n8n!, options.path, interleave(events, options.batches)));
		const duplicates = duplicatesOf(replay);
		// Every event answered once; exactly those applied before the kill were replays.
		expect(duplicates.size).toBe(events.length);
		expect([...duplicates].filter(([, dup]) => dup).map(([id]) => id).sort()).toEqual([...applied].sort());
		return applied;
	}

	it('SQLite (the default file): kill -9 mid-batch leaves a sound file with whole events only; the replay completes it exactly', async () => {
		const dbPath = join(n8n!.userFolder, '.n8n', 'ecommerce-marketing', 'contacts.db');
		const events = makeOrders(0, 1200);
		const crashCopy = mkdtempSync(join(tmpdir(), 'ecm-crash-'));
		try {
			await crashDrill({
				path: 'faults-orders-sqlite',
				events,
				batches: 4,
				kill: () => killInSqliteWrite(n8n!, dbPath, 200, 90_000),
				afterKill: async () => {
					// The crash left the write-ahead log behind (committed pages not yet checkpointed into the file).
					expect(existsSync(`${dbPath}-wal`)).toBe(true);
					expect(statSync(`${dbPath}-wal`).size).toBeGreaterThan(0);
					// Checked on a copy of the file and its log, without the shared-memory index: opening it
					// rebuilds the index from the log (recovery as after a reboot). n8n recovers the original.
					const copy = join(crashCopy, 'contacts.db');
					copyFileSync(dbPath, copy);
					copyFileSync(`${dbPath}-wal`, `${copy}-wal`);
					const check = new DatabaseSync(copy);
					try {
						expect(check.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }]);
						expect(check.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
						expect(check.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
					} finally {
						check.close();
					}
					return sqliteReader(copy);
				},
			});
		} finally {
			rmSync(crashCopy, { recursive: true, force: true });
		}
		const reader = sqliteReader(dbPath);
		try {
			expect((await checkStore(reader, events)).size).toBe(events.length);
			expect(await reader.rows('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
		} finally {
			await reader.close();
		}
	});

	it('PostgreSQL: kill -9 mid-batch leaves whole events only; the replay completes it exactly', async () => {
		const events = makeOrders(10_000, 1200);
		const poll = await pgReader(shared, PG_SCHEMA);
		await crashDrill({
			path: 'faults-orders-pg',
			events,
			batches: 4,
			kill: async () => {
				// The store's tables exist once n8n opened it (first event).
				await watchCount(async () => Number((await poll.rows('SELECT count(*) AS n FROM processed_events'))[0].n), (n) => n > 0, 60_000, 'first events');
				return await killInPostgresWrite(n8n!, poll, 200, 90_000);
			},
			afterKill: async () => {
				// The server rolls back what the dead connections left open; wait until no transaction of
				// theirs holds the events table (each event write locks it first), then read.
				await poll.rows("SET lock_timeout = '20s'");
				await poll.rows('BEGIN');
				await poll.rows('LOCK TABLE processed_events IN ACCESS EXCLUSIVE MODE');
				await poll.rows('COMMIT');
				return poll;
			},
		});
		const reader = await pgReader(shared, PG_SCHEMA);
		try {
			expect((await checkStore(reader, events)).size).toBe(events.length);
		} finally {
			await reader.close();
		}
	});

	it('PostgreSQL stopped while n8n runs: clear errors, no crash, no half event; back up, the next calls succeed', async () => {
		const pg = outagePg!;
		const path = 'faults-orders-outage';
		// Two orders of one buyer.
		const one = makeOrders(20_000, 2).map((o) => ({ ...o, email: emailOf(0) }));
		const readStore = () => pgReader(pg, OUTAGE_SCHEMA);

		// Up: the store opens (schema created) and records.
		const first = await n8n!.webhook(path, { orders: [one[0]] });
		expect(first.status).toBe(200);
		expect(first.body[0]).toMatchObject({ duplicate: false, contact: { email: one[0].email, orderCount: 1 } });

		// Down (fast shutdown: the pool's idle connections are closed by the server).
		pg.stop('fast');
		let since = new Date();
		let t = Date.now();
		const refused = await n8n!.webhook(path, { orders: [one[1]] }, { timeoutMs: 30_000 });
		const refusedMs = Date.now() - t;
		expect(refused.status).toBe(500);
		let execution = await n8n!.waitForExecution(BATCH_OUTAGE.id, { since });
		expect(execution.status).toBe('error');
		const error = execution.data.resultData.error;
		expect(error.message).toBe(`The contact store (PostgreSQL at 127.0.0.1:${pg.port}, database postgres) is unreachable: connection refused (is the server running?) [item 0]`);
		expect(error.description).toMatch(/^Check that the PostgreSQL server is running and accepts connections from n8n, and the Host, Port, SSL, User and Password of the Marketing Contact Store credential\. Nothing was recorded for this item/);
		expect(refusedMs).toBeLessThan(15_000);
		expect(n8n!.running()).toBe(true);
		expect((await fetch(`${n8n!.baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);

		// Back up: the very next call succeeds, n8n untouched.
		pg.start();
		const back = await n8n!.webhook(path, { orders: [one[1]] });
		expect(back.status).toBe(200);
		expect(back.body[0]).toMatchObject({ duplicate: false, contact: { orderCount: 2 } });

		// A crash of the server (immediate shutdown) in the middle of a batch: the execution fails with
		// the clear error, the events written so far are whole, n8n stays up; the replay completes it.
		const events = makeOrders(30_000, 600);
		const all = [...one, ...events];
		const poll = await readStore();
		since = new Date();
		const [batchAnswer] = postBatches(n8n!, path, [events]);
		await watchCount(async () => Number((await poll.rows('SELECT count(*) AS n FROM processed_events'))[0].n), (n) => n >= 2 + 60, 60_000, 'outage batch progress');
		await poll.close();
		t = Date.now();
		pg.stop('immediate');
		const cut = await batchAnswer;
		expect(cut.status).toBe(500);
		execution = await n8n!.waitForExecution(BATCH_OUTAGE.id, { since });
		expect(execution.status).toBe('error');
		expect(execution.data.resultData.error.message).toMatch(
			new RegExp(`^The contact store \\(PostgreSQL at 127\\.0\\.0\\.1:${pg.port}, database postgres\\) is unreachable: (the server was shut down or restarted|the server is starting up, shutting down or in recovery|the connection was lost|connection refused \\(is the server running\\?\\)) \\[item \\d+\\]$`),
		);
		expect(Date.now() - t).toBeLessThan(15_000);
		expect(n8n!.running()).toBe(true);

		pg.start();
		let reader = await readStore();
		let applied: Set<number>;
		try {
			applied = await checkStore(reader, all);
		} finally {
			await reader.close();
		}
		console.log(`outage batch: ${applied.size - 2} of ${events.length} applied before the server stopped`);
		expect(applied.size).toBeGreaterThan(2);
		expect(applied.size).toBeLessThan(all.length);

		const replay = duplicatesOf(await Promise.all(postBatches(n8n!, path, [events])));
		expect([...replay].filter(([, dup]) => dup).map(([id]) => id).sort()).toEqual([...applied].filter((id) => id >= 700_000 + 30_000).sort());
		reader = await readStore();
		try {
			expect((await checkStore(reader, all)).size).toBe(all.length);
		} finally {
			await reader.close();
		}
		// No lost connection surfaced as an uncaught error in n8n.
		expect(n8n!.log()).not.toMatch(/uncaught|Unhandled error/i);
	});
});
