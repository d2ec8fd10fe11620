import { join } from 'node:path';
import { type StoreConfig } from '../../lib/store';
import { expectPinnedOutputs, readFixture, type Fixture, resetStores, runWorkflow, type RunOptions, freshEngineStore, withStoreOf, hintsOf } from '../support/engine';
import { BACKENDS, type Backend } from '../support/stores';

const fixture = (name: string) => readFixture(join(__dirname, 'winbackWindow', name));
/** The fixture with only these nodes after the trigger (and their connections), Continue On Fail off. */
function only(f: Fixture, names: string[]): Fixture {
	f.nodes = f.nodes.filter((n) => n.type === 'n8n-nodes-base.manualTrigger' || names.includes(n.name));
	f.nodes.forEach((n) => delete (n as { onError?: string }).onError);
	for (const outputs of Object.values(f.connections)) outputs.main = outputs.main.map((list) => (list ?? []).filter((c) => names.includes(c.node)));
	return f;
}
const hints = hintsOf;

describe.each(BACKENDS)('Win-back Window in the n8n engine, %s store', (backend: Backend) => {
	let store: StoreConfig;
	let options: RunOptions;
	beforeEach(() => {
		({ store, options } = freshEngineStore(backend));
	});
	afterEach(async () => await resetStores());

	const contactInStore = (email: string) => withStoreOf(store, (s) => s.getContact(email));

	it.each(['get-due-contacts.json', 'check-contact.json', 'expire-and-suppress.json'])('%s gives the pinned outputs, each paired with its input item', async (name) => {
		const f = fixture(name);
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		for (const node of f.nodes.filter((n) => n.type === 'n8n-nodes-ecommerce-marketing.winbackWindow')) {
			const output = result.output(node.name);
			expect(output.length).toBeGreaterThan(0);
			for (const [i, item] of output.entries()) expect(item.pairedItem).toEqual({ item: node.executeOnce ? 0 : i });
		}
	});

	it('Get Due Contacts says what it found; a replay with the same Reference Time emits nothing', async () => {
		const f = fixture('get-due-contacts.json');
		const first = await runWorkflow(f, options);
		expect(hints(first, 'Get Due Contacts')).toEqual([
			'3 contacts due: 1 first, 1 follow-up, 1 final; 1 expired → tagged "lapsed"',
			'3 contacts were found late: only the latest due step was sent, older steps were skipped (see skippedSteps)',
		]);
		const replay = await runWorkflow(f, options);
		expect(replay.error).toBeUndefined();
		expect(replay.json('Record Order').map((json) => json.newOrder)).toEqual([false, false, false, false, false]);
		expect(replay.json('Get Due Contacts')).toEqual([]);
		expect(hints(replay, 'Get Due Contacts')).toEqual(['0 contacts due']);
		// 60 days later, the same contacts each move one step on.
		const later = await runWorkflow(f, { ...options, parameters: { 'Get Due Contacts': { options: { referenceTime: '2026-07-31T12:00:00Z' } } } });
		expect(later.json('Get Due Contacts').map((json) => `${json.email} ${json.stepName}`)).toEqual([
			'first@example.com follow-up-1',
			'late@example.com follow-up-2',
			'final@example.com expired',
		]);
		expect((await contactInStore('final@example.com'))?.tags).toEqual(['lapsed']);
	});

	it('Check Contact claims a due step once: a replay of the claiming run claims nothing', async () => {
		const f = fixture('check-contact.json');
		await runWorkflow(f, options);
		const replay = await runWorkflow(f, options);
		expect(replay.json('Check and Claim').map((json) => json.claimed)).toEqual([false, false, false]);
		expect(replay.json('Check Contact').map((json) => json.status)).toEqual(['waitingForFirst', 'waitingForNext', 'done']);
		expect(hints(replay, 'Check and Claim')).toEqual(['3 contacts: 1 waiting for the first email, 1 waiting for the next email, 1 done (waiting for expiry)']);
		expect(hints((await runWorkflow(fixture('check-contact.json'), options)), 'Check Contact')[0]).toMatch(/^3 contacts: /);
	});

	it('Max Contacts limits a run and warns that more are due', async () => {
		const f = fixture('get-due-contacts.json');
		const result = await runWorkflow(f, {
			...options,
			parameters: { 'Get Due Contacts': { options: { referenceTime: '2026-06-01T12:00:00Z', maxContacts: 2 } } },
		});
		expect(result.json('Get Due Contacts').map((json) => json.email)).toEqual(['first@example.com', 'late@example.com']);
		expect(hints(result, 'Get Due Contacts')).toContain('Max Contacts (2) reached: more are due and will come in the next run');
	});

	it('with Continue On Fail, bad items carry their error and change nothing', async () => {
		const f = fixture('bad-input.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(result.output('Check Contact').map((i) => i.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		expect(result.output('Get Due Contacts').map((i) => i.pairedItem)).toEqual([1, 2].map((item) => ({ item })));
		expect(await contactInStore('nobody@example.com')).toBeNull();
	});

	it('without Continue On Fail, the first bad item stops the node with its index and what to fix', async () => {
		const f = only(fixture('bad-input.json'), ['Check Contact']);
		const result = await runWorkflow(f, options);
		expect(result.error?.message).toBe('No email address found in "Email" [item 1]');
		expect(result.error?.context?.itemIndex).toBe(1);
		const timing = only(fixture('bad-input.json'), ['Get Due Contacts']);
		const bad = await runWorkflow(timing, options);
		expect(bad.error?.message).toBe('"Final Email After (Days)" (60) must be later than "First Email After (Days)" (90) [item 1]');
		expect(bad.error?.description).toBe('Check the "Final Email After (Days)" field of this item');
	});
});
