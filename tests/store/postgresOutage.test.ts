/**
 * The PostgreSQL store when its server goes away and comes back (a cluster of this test's own,
 * stopped and started; never the shared test server): calls fail fast with a StoreUnavailableError
 * that names host and port, nothing is half-written, no error escapes as an uncaught exception,
 * and the same store object works again once the server is back.
 */
import { openUncachedStore, type ContactStore, type OrderEvent } from '../../lib/store';
import { CONNECT_TIMEOUT_MS, PostgresDriver, type PostgresOptions } from '../../lib/store/postgresDriver';
import { isConnectionError, StoreUnavailableError } from '../../lib/store/storeErrors';
import { startScratchPostgres, type ScratchPostgres } from '../support/pgCluster';

const T0 = Date.parse('2026-03-01T10:00:00Z');

function order(orderId: string, total: number): OrderEvent {
	return {
		source: 'shopify',
		orderId,
		contact: { email: 'ada@example.com' },
		placedAt: T0,
		total,
		currency: 'EUR',
		financialStatus: 'paid',
		lineItems: [{ productId: 'p1', title: 'Trail shoe', quantity: 1, price: total }],
	};
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected a rejection');
}

describe('PostgreSQL store through a server restart', () => {
	let pg: ScratchPostgres | undefined;
	let config: PostgresOptions & { backend: 'postgres' };
	let store: ContactStore | undefined;
	const uncaught: Error[] = [];
	const onUncaught = (error: Error) => uncaught.push(error);

	beforeAll(async () => {
		pg = await startScratchPostgres();
		config = { backend: 'postgres', host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database, schema: 'outage', ssl: 'disable' };
		process.on('uncaughtException', onUncaught);
	});
	afterAll(async () => {
		process.off('uncaughtException', onUncaught);
		await store?.close().catch(() => undefined);
		pg?.destroy();
	});
	afterEach(() => {
		// Whatever the server did, nothing may surface as an uncaught exception (in n8n: an error report per lost connection).
		expect(uncaught.map((e) => e.message)).toEqual([]);
	});

	it('connection errors are told apart from SQL errors', () => {
		expect(isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
		expect(isConnectionError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
		expect(isConnectionError(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(true);
		expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
		expect(isConnectionError(new Error('timeout exceeded when trying to connect'))).toBe(true);
		expect(isConnectionError(Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' }))).toBe(false);
		expect(isConnectionError(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
		expect(isConnectionError(new Error('"Email" is empty'))).toBe(false);
	});

	it('sessions carry a statement timeout and an idle-in-transaction timeout', async () => {
		const driver = new PostgresDriver(config);
		try {
			expect(await driver.get('SHOW statement_timeout')).toEqual({ statement_timeout: '2min' });
			expect(await driver.get('SHOW idle_in_transaction_session_timeout')).toEqual({ idle_in_transaction_session_timeout: '1min' });
			// A SQL error stays what it is.
			const error = await rejection(driver.get('SELEC 1'));
			expect(error).not.toBeInstanceOf(StoreUnavailableError);
			expect((error as Error & { code?: string }).code).toBe('42601');
		} finally {
			await driver.close();
		}
	});

	it('fails fast and clearly while the server is down, then the same store works again (fast shutdown)', async () => {
		store = await openUncachedStore(config);
		await store.recordOrder(order('1', 10), { eventKey: 'o1', now: T0 });

		pg!.stop('fast');
		const started = Date.now();
		const error = await rejection(store.recordOrder(order('2', 20), { eventKey: 'o2', now: T0 }));
		expect(Date.now() - started).toBeLessThan(CONNECT_TIMEOUT_MS + 2000);
		expect(error).toBeInstanceOf(StoreUnavailableError);
		expect(error.message).toBe(`The contact store (PostgreSQL at 127.0.0.1:${pg!.port}, database postgres) is unreachable: connection refused (is the server running?)`);
		expect((error as StoreUnavailableError).detail).toBe(`connect ECONNREFUSED 127.0.0.1:${pg!.port}`);
		expect((error as StoreUnavailableError).hint).toMatch(/PostgreSQL server is running/);
		// Reads too.
		expect(await rejection(store.getContact('ada@example.com'))).toBeInstanceOf(StoreUnavailableError);

		pg!.start();
		const retried = await store.recordOrder(order('2', 20), { eventKey: 'o2', now: T0 });
		expect(retried.duplicate).toBe(false);
		expect(retried.contact).toMatchObject({ orderCount: 2, totalSpent: 30 });
	});

	it('a transaction cut by a crash of the server is rolled back and reported, nothing escapes (immediate shutdown)', async () => {
		const driver = new PostgresDriver(config);
		try {
			await driver.run('CREATE TABLE IF NOT EXISTS outage_probe (n INTEGER)');
			const cut = driver.transaction(async (tx) => {
				await tx.run('INSERT INTO outage_probe (n) VALUES (1)');
				await tx.get('SELECT pg_sleep(20)');
				await tx.run('INSERT INTO outage_probe (n) VALUES (2)');
			});
			// Also idle pooled connections to lose.
			await Promise.all([driver.get('SELECT 1'), driver.get('SELECT 2')]);
			await new Promise((r) => setTimeout(r, 300));
			pg!.stop('immediate');
			const error = await rejection(cut);
			expect(error).toBeInstanceOf(StoreUnavailableError);
			expect(error.message).toMatch(
				new RegExp(`^The contact store \\(PostgreSQL at 127\\.0\\.0\\.1:${pg!.port}, database postgres\\) is unreachable: (the server was shut down or restarted|the connection was lost)$`),
			);
			await new Promise((r) => setTimeout(r, 200));

			pg!.start();
			expect(await driver.all('SELECT n FROM outage_probe')).toEqual([]);
			await driver.transaction(async (tx) => tx.run('INSERT INTO outage_probe (n) VALUES (3)'));
			expect(await driver.all('SELECT n FROM outage_probe')).toEqual([{ n: 3 }]);
		} finally {
			await driver.close();
		}
		// The store of the previous test (its pooled connections died too) works at once.
		expect((await store!.getContact('ada@example.com'))?.orderCount).toBe(2);
	});

	it('opening a store while the server is down says the store is unreachable', async () => {
		pg!.stop('fast');
		try {
			const error = await rejection(openUncachedStore({ ...config, schema: 'never_opened' }));
			expect(error).toBeInstanceOf(StoreUnavailableError);
			expect(error.message).toContain(`PostgreSQL at 127.0.0.1:${pg!.port}`);
		} finally {
			pg!.start();
		}
	});
});
