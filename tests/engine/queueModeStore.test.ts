/**
 * In n8n's queue mode the nodes refuse the zero-setup SQLite file: it lives in each process's own
 * n8n folder, so every worker would keep contacts of its own (order counts split between workers,
 * the same email claimed and sent by two of them). The node fails with what to do instead; a
 * PostgreSQL credential (or a SQLite file the user chose explicitly) works as before.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inQueueMode } from '../../nodes/shared/store';
import { freshEngineStore, readFixture, resetStores, runWorkflow, useFreshUserFolder } from '../support/engine';
import { BACKENDS } from '../support/stores';

const fixture = () => readFixture(join(__dirname, 'marketingContact', 'shopify-order.json'));

describe('the contact store in queue mode', () => {
	const saved = process.env.EXECUTIONS_MODE;
	beforeEach(() => {
		process.env.EXECUTIONS_MODE = 'queue';
	});
	afterEach(async () => {
		if (saved === undefined) delete process.env.EXECUTIONS_MODE;
		else process.env.EXECUTIONS_MODE = saved;
		await resetStores();
	});

	it('knows a queue-mode process: EXECUTIONS_MODE=queue, or the `n8n worker` command', () => {
		expect(inQueueMode({ EXECUTIONS_MODE: 'queue' }, ['node', '/usr/bin/n8n', 'start'])).toBe(true);
		expect(inQueueMode({}, ['node', '/usr/local/lib/node_modules/n8n/bin/n8n', 'worker', '--concurrency=10'])).toBe(true);
		expect(inQueueMode({}, ['node', '/usr/bin/n8n', 'start'])).toBe(false);
		expect(inQueueMode({ EXECUTIONS_MODE: 'regular' }, ['node', '/usr/bin/n8n'])).toBe(false);
	});

	it('without a credential, fails with what to do instead of writing a SQLite file of its own', async () => {
		const folder = useFreshUserFolder();
		const result = await runWorkflow(fixture());
		expect(result.error?.message).toBe('No Marketing Contact Store credential is selected, and the default SQLite file is not shared by queue-mode workers');
		expect(result.error?.description).toBe(
			'n8n runs in queue mode: each worker would keep contacts of its own (lost order counts, emails sent twice). Create a Marketing Contact Store credential with Backend PostgreSQL and select it on every node of this package.',
		);
		expect(result.output('Record Order')).toEqual([]);
		// Nothing was created in this process's n8n folder.
		expect(existsSync(join(folder, '.n8n', 'ecommerce-marketing'))).toBe(false);
	});

	it('a SQLite credential without a file of its own choosing is refused too', async () => {
		useFreshUserFolder();
		const result = await runWorkflow(fixture(), { store: { backend: 'sqlite', path: '' } });
		expect(result.error?.message).toBe('The Marketing Contact Store credential uses the SQLite file of this n8n process, which queue-mode workers do not share');
	});

	it.each(BACKENDS)('records the order with a %s credential that names its store', async (backend) => {
		const { store } = freshEngineStore(backend);
		const result = await runWorkflow(fixture(), { store });
		expect(result.error).toBeUndefined();
		expect(result.json('Record Order')[0]).toMatchObject({ duplicate: false, contact: { orderCount: 1 } });
	});
});
