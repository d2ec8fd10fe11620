/**
 * Every event is applied entirely or not at all, on both backends: each write runs with a fault
 * injected after its 1st, 2nd, … statement (what a crash or a lost connection at that point
 * leaves behind), and the whole store must be exactly as before; then it runs for real, and
 * its replay changes nothing. Also: the SQLite file's crash-safety settings.
 */
import { migrate } from '../../lib/store/migrations';
import { PostgresDriver } from '../../lib/store/postgresDriver';
import { SqlContactStore } from '../../lib/store/SqlContactStore';
import { SqliteDriver } from '../../lib/store/sqliteDriver';
import type { SqlDriver, SqlExecutor, SqlValue } from '../../lib/store/sql';
import type { CartEvent, ContactStore, OrderEvent } from '../../lib/store';
import { BACKENDS, freshConfig, sampleCart, type Backend } from '../support/stores';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const HOUR = 3_600_000;

class InjectedFault extends Error {
	constructor(readonly statement: number) {
		super(`injected fault after statement ${statement}`);
	}
}

/** A driver whose transactions fail right after their n-th statement (once armed). */
class FaultyDriver implements SqlDriver {
	failAfter = 0;
	count = 0;
	constructor(readonly inner: SqlDriver) {}
	get dialect() {
		return this.inner.dialect;
	}
	arm(n: number) {
		this.failAfter = n;
		this.count = 0;
	}
	disarm() {
		this.failAfter = 0;
		this.count = 0;
	}
	private step() {
		this.count++;
		if (this.failAfter > 0 && this.count === this.failAfter) throw new InjectedFault(this.count);
	}
	all<T>(sql: string, params?: SqlValue[]) {
		return this.inner.all<T>(sql, params);
	}
	get<T>(sql: string, params?: SqlValue[]) {
		return this.inner.get<T>(sql, params);
	}
	run(sql: string, params?: SqlValue[]) {
		return this.inner.run(sql, params);
	}
	exec(script: string) {
		return this.inner.exec(script);
	}
	close() {
		return this.inner.close();
	}
	transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
		return this.inner.transaction((tx) =>
			fn({
				all: async <R>(sql: string, params?: SqlValue[]) => {
					const rows = await tx.all<R>(sql, params);
					this.step();
					return rows;
				},
				get: async <R>(sql: string, params?: SqlValue[]) => {
					const row = await tx.get<R>(sql, params);
					this.step();
					return row;
				},
				run: async (sql: string, params?: SqlValue[]) => {
					const n = await tx.run(sql, params);
					this.step();
					return n;
				},
			}),
		);
	}
}

async function openDriver(backend: Backend): Promise<SqlDriver> {
	const config = freshConfig(backend);
	if (config.backend === 'sqlite') {
		const driver = new SqliteDriver(config.path);
		await migrate(driver);
		return driver;
	}
	const driver = new PostgresDriver(config);
	await driver.ensureSchema();
	await migrate(driver);
	return driver;
}

/** Every row of every table (but the migrations table), sorted: the whole store's state. */
async function snapshot(driver: SqlDriver): Promise<Record<string, string[]>> {
	const tables =
		driver.dialect.name === 'sqlite'
			? await driver.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
			: await driver.all<{ name: string }>(
					"SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
				);
	const out: Record<string, string[]> = {};
	for (const { name } of tables) {
		if (name === 'schema_migrations') continue;
		out[name] = (await driver.all(`SELECT * FROM ${name}`)).map((row) => JSON.stringify(row)).sort();
	}
	return out;
}

function order(overrides: Partial<OrderEvent> = {}): OrderEvent {
	return {
		source: 'shopify',
		orderId: '5001',
		contact: { email: 'ada@example.com', firstName: 'Ada', country: 'DE' },
		placedAt: T0,
		total: 64.9,
		currency: 'EUR',
		status: 'open',
		financialStatus: 'paid',
		checkoutToken: 'chk-1',
		lineItems: [
			{ productId: 'p1', sku: 'SKU-1', title: 'Trail shoe', quantity: 1, price: 49.9 },
			{ productId: 'p2', title: 'Socks', quantity: 2, price: 5 },
			{ productId: 'p3', title: 'Laces', quantity: 1, price: 5 },
		],
		...overrides,
	};
}

const cart = (overrides: Partial<CartEvent> = {}): CartEvent => sampleCart(T0, overrides);

interface Case {
	name: string;
	/** State the write starts from (e.g. the contact's earlier order). */
	setup?: (store: ContactStore) => Promise<unknown>;
	write: (store: ContactStore) => Promise<unknown>;
	/** The write has an idempotency key: its replay must change nothing. */
	replayable: boolean;
}

const CASES: Case[] = [
	{
		name: 'Record Order (new contact, line items, converts the open cart)',
		setup: (s) => s.recordCart(cart({ contact: { email: 'ada@example.com' } }), { eventKey: 'cart:1', now: T0 - HOUR }),
		write: (s) => s.recordOrder(order(), { eventKey: 'order:5001:create', now: T0 }),
		replayable: true,
	},
	{
		name: 'Record Order (second order of a contact: recount of order count and total spent)',
		setup: (s) => s.recordOrder(order({ orderId: '5000', total: 20, placedAt: T0 - 24 * HOUR }), { eventKey: 'order:5000', now: T0 - 24 * HOUR }),
		write: (s) => s.recordOrder(order(), { eventKey: 'order:5001:create', now: T0 }),
		replayable: true,
	},
	{
		name: 'Record Order (cancellation of a counted order)',
		setup: (s) => s.recordOrder(order(), { eventKey: 'order:5001:create', now: T0 }),
		write: (s) => s.recordOrder(order({ status: 'cancelled', financialStatus: 'voided' }), { eventKey: 'order:5001:cancel', now: T0 + HOUR }),
		replayable: true,
	},
	{
		name: 'Record Cart (an order for it already arrived)',
		setup: (s) => s.recordOrder(order(), { eventKey: 'order:5001:create', now: T0 }),
		write: (s) => s.recordCart(cart(), { eventKey: 'cart:1', now: T0 + HOUR }),
		replayable: true,
	},
	{
		name: 'Record Product View',
		setup: (s) => s.recordProductView({ contact: { email: 'ada@example.com' }, productId: 'p1', viewedAt: T0 - HOUR }, { eventKey: 'view:0', now: T0 - HOUR }),
		write: (s) => s.recordProductView({ contact: { email: 'ada@example.com' }, productId: 'p1', title: 'Trail shoe', price: 49.9, viewedAt: T0 }, { eventKey: 'view:1', now: T0 }),
		replayable: true,
	},
	{
		name: 'Record Page Visit',
		write: (s) => s.recordPageVisit({ contact: { email: 'ada@example.com', firstName: 'Ada' }, url: 'https://shop.example.com/p/1', visitedAt: T0 }, { eventKey: 'visit:1', now: T0 }),
		replayable: true,
	},
	{
		name: 'Record Email Engagement (complaint: unsubscribes and suppresses)',
		setup: (s) => s.upsertProfile({ email: 'ada@example.com', status: 'subscribed' }, { now: T0 - HOUR }),
		write: (s) => s.recordEngagement({ contact: { email: 'ada@example.com' }, type: 'complaint', occurredAt: T0, provider: 'mailgun', campaign: 'welcome' }, { eventKey: 'eng:1', now: T0 }),
		replayable: true,
	},
	{
		name: 'Upsert Profile',
		write: (s) => s.upsertProfile({ email: 'ada@example.com', firstName: 'Ada', custom: { size: 38 }, customerIds: { shopify: '7' } }, { eventKey: 'customer:7', now: T0 }),
		replayable: true,
	},
	{
		name: 'Score Adjust (points award with an event key)',
		setup: (s) => s.upsertProfile({ email: 'ada@example.com' }, { now: T0 - HOUR }),
		write: (s) => s.adjustScore('ada@example.com', 'loyalty', 65, { eventKey: 'order:5001', reason: 'order', now: T0 }),
		replayable: true,
	},
	{
		name: 'Tag Add (with expiry)',
		setup: (s) => s.upsertProfile({ email: 'ada@example.com' }, { now: T0 - HOUR }),
		write: (s) => s.addTags('ada@example.com', ['vip', 'recent-activity'], { now: T0, expiresAt: T0 + 7 * 24 * HOUR }),
		replayable: false,
	},
	{
		name: 'Issue Coupon',
		setup: (s) => s.upsertProfile({ email: 'ada@example.com' }, { now: T0 - HOUR }),
		write: (s) => s.issueCoupon({ email: 'ada@example.com', campaign: 'winback', prefix: 'WB', codeLength: 8, now: T0 }),
		replayable: false,
	},
];

describe.each(BACKENDS)('event writes are atomic on %s', (backend: Backend) => {
	let driver: SqlDriver;
	let faulty: FaultyDriver;
	let store: ContactStore;

	beforeEach(async () => {
		driver = await openDriver(backend);
		faulty = new FaultyDriver(driver);
		store = new SqlContactStore(faulty);
	});
	afterEach(async () => {
		await driver.close();
	});

	it.each(CASES.map((c) => [c.name, c] as const))('%s: a fault after any statement leaves the store unchanged; the event then applies once', async (_name, c) => {
		if (c.setup) await c.setup(store);
		const before = await snapshot(driver);
		let statements = 0;
		for (let n = 1; n < 200; n++) {
			faulty.arm(n);
			let failed: InjectedFault | undefined;
			try {
				await c.write(store);
			} catch (error) {
				if (!(error instanceof InjectedFault)) throw error;
				failed = error;
			}
			if (!failed) {
				// The fault was never reached: the write ran all its statements and committed.
				statements = faulty.count;
				break;
			}
			expect({ faultAfterStatement: n, state: await snapshot(driver) }).toEqual({ faultAfterStatement: n, state: before });
		}
		faulty.disarm();
		// Each write has several statements (the fault loop above was not vacuous) and changed the store.
		expect(statements).toBeGreaterThanOrEqual(3);
		const after = await snapshot(driver);
		expect(after).not.toEqual(before);
		if (c.replayable) {
			const replay = (await c.write(store)) as { duplicate?: boolean };
			expect(replay.duplicate).toBe(true);
			expect(await snapshot(driver)).toEqual(after);
		}
	});
});

describe('the SQLite store file is crash-safe', () => {
	it('uses WAL with synchronous NORMAL (a killed process loses no committed write) and waits for locks', async () => {
		const driver = (await openDriver('sqlite')) as SqliteDriver;
		try {
			expect(await driver.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
			expect(await driver.get('PRAGMA synchronous')).toEqual({ synchronous: 1 });
			expect(await driver.get('PRAGMA busy_timeout')).toEqual({ timeout: 15000 });
			expect(await driver.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
		} finally {
			await driver.close();
		}
	});
});
