import { join } from 'node:path';
import { type StoreConfig } from '../../lib/store';
import { expectPinnedOutputs, readFixture, resetStores, runWorkflow, type RunOptions, freshEngineStore, withStoreOf } from '../support/engine';
import { BACKENDS, type Backend } from '../support/stores';

const fixture = (name: string) => readFixture(join(__dirname, 'marketingContact', name));

describe.each(BACKENDS)('Marketing Contact in the n8n engine, %s store', (backend: Backend) => {
	let store: StoreConfig;
	let options: RunOptions;
	beforeEach(() => {
		({ store, options } = freshEngineStore(backend));
	});
	afterEach(async () => await resetStores());

	const contactInStore = (email: string) => withStoreOf(store, (s) => s.getContact(email));

	it.each(['shopify-order.json', 'checkout-then-order.json', 'tracking.json', 'profile-lifecycle.json'])(
		'%s gives the pinned outputs, each paired with its input item',
		async (name) => {
			const f = fixture(name);
			const result = await runWorkflow(f, options);
			expect(result.error).toBeUndefined();
			expectPinnedOutputs(f, result);
			for (const node of f.nodes.filter((n) => n.type.startsWith('n8n-nodes-ecommerce-marketing.'))) {
				for (const [i, item] of result.output(node.name).entries()) {
					expect(item.pairedItem).toEqual({ item: i });
				}
			}
		},
	);

	it('a replayed Shopify order changes nothing and says so', async () => {
		const f = fixture('shopify-order.json');
		await runWorkflow(f, options);
		const replay = await runWorkflow(f, options);
		expect(replay.json('Record Order')[0]).toMatchObject({ duplicate: true, changes: [], contact: { orderCount: 1, totalSpent: 598.94 } });
		const hints = replay.run.data.resultData.runData['Record Order'][0].hints ?? [];
		expect(hints.map((h) => h.message)).toContain('1 event was a replay and changed nothing');
		expect(await contactInStore('bob.norman@mail.example.com')).toMatchObject({ orderCount: 1 });
	});

	it('with Continue On Fail, bad items carry their error and leave the store unchanged', async () => {
		const f = fixture('bad-input.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(result.output('Record Order').map((i) => i.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		for (const email of ['bad@example.com', 'late@example.com', 'neg@example.com']) expect(await contactInStore(email)).toBeNull();
		expect(await contactInStore('ok@example.com')).toMatchObject({ orderCount: 1 });
	});

	it('without Continue On Fail, the first bad item stops the node with its index and the field to fix', async () => {
		const f = fixture('bad-input.json');
		f.nodes.forEach((n) => delete (n as { onError?: string }).onError);
		const result = await runWorkflow(f, options);
		expect(result.error?.message).toBe('No email address found in "Email" [item 1]');
		expect(result.error?.description).toBe("Map the customer's email address to this field");
		expect(result.error?.context?.itemIndex).toBe(1);
	});
});
