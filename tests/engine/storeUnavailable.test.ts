/**
 * A node whose PostgreSQL contact store is down (a server of this test's own, stopped and started
 * while the engine keeps its store open): the item fails with a NodeOperationError that says which
 * store is unreachable and what to check; with Continue On Fail the items carry that error; once
 * the server is back the same workflow runs without anything being reopened by hand.
 */
import { join } from 'node:path';
import type { StoreConfig } from '../../lib/store';
import { readFixture, resetStores, runWorkflow, withStoreOf } from '../support/engine';
import { startScratchPostgres, type ScratchPostgres } from '../support/pgCluster';

const fixture = () => readFixture(join(__dirname, 'marketingContact', 'shopify-order.json'));

describe('Marketing Contact with its PostgreSQL store down', () => {
	let pg: ScratchPostgres | undefined;
	let store: StoreConfig;

	beforeAll(async () => {
		pg = await startScratchPostgres();
		store = { backend: 'postgres', host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database, schema: 'engine_outage', ssl: 'disable' };
	});
	afterAll(async () => {
		await resetStores();
		pg?.destroy();
	});

	it('fails the item with where the store is and what to check, then works again when the server is back', async () => {
		const f = fixture();
		const first = await runWorkflow(f, { store });
		expect(first.error).toBeUndefined();
		const order = f.pinData![Object.keys(f.pinData!)[0]][0].json as { id: number };
		const second = { ...order, id: order.id + 1 };

		pg!.stop('fast');
		const started = Date.now();
		const down = await runWorkflow(f, { store, input: [second] });
		expect(Date.now() - started).toBeLessThan(12_000);
		expect(down.error?.message).toBe(`The contact store (PostgreSQL at 127.0.0.1:${pg!.port}, database postgres) is unreachable: connection refused (is the server running?) [item 0]`);
		expect(down.error?.description).toBe(
			'Check that the PostgreSQL server is running and accepts connections from n8n, and the Host, Port, SSL, User and Password of the Marketing Contact Store credential. ' +
				`Nothing was recorded for this item: run it again once the store is back (replayed events change nothing). Driver error: connect ECONNREFUSED 127.0.0.1:${pg!.port}`,
		);
		expect(down.error?.context?.itemIndex).toBe(0);

		// Continue On Fail: each item carries the error, paired with its input.
		const tolerant = fixture();
		tolerant.nodes.forEach((n) => n.type.startsWith('n8n-nodes-ecommerce-marketing.') && ((n as { onError?: string }).onError = 'continueRegularOutput'));
		const carried = await runWorkflow(tolerant, { store, input: [second, { ...order, id: order.id + 2 }] });
		expect(carried.error).toBeUndefined();
		expect(carried.output('Record Order').map((i) => [i.pairedItem, i.json.error])).toEqual([
			[{ item: 0 }, expect.stringMatching(/^The contact store \(PostgreSQL at 127\.0\.0\.1:\d+, database postgres\) is unreachable: .* \[item 0\]$/)],
			[{ item: 1 }, expect.stringMatching(/is unreachable: .* \[item 1\]$/)],
		]);

		pg!.start();
		const back = await runWorkflow(f, { store, input: [second] });
		expect(back.error).toBeUndefined();
		expect(back.json('Record Order')[0]).toMatchObject({ duplicate: false, contact: { orderCount: 2 } });
		const email = (back.json('Record Order')[0].contact as { email: string }).email;
		expect(await withStoreOf(store, (s) => s.getContact(email))).toMatchObject({ orderCount: 2 });
	});

	it('a store first opened while the server is down says it is unreachable', async () => {
		pg!.stop('fast');
		try {
			const result = await runWorkflow(fixture(), { store: { ...store, schema: 'engine_never_opened' } as StoreConfig });
			expect(result.error?.message).toBe(`The contact store (PostgreSQL at 127.0.0.1:${pg!.port}, database postgres) is unreachable: connection refused (is the server running?)`);
			expect(result.error?.description).toMatch(/^Check that the PostgreSQL server is running/);
		} finally {
			pg!.start();
		}
	});
});
