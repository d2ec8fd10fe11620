import { join } from 'node:path';
import { type ContactStore, type StoreConfig } from '../../lib/store';
import { expectPinnedOutputs, readFixture, resetStores, runWorkflow, type Fixture, type RunOptions, type RunResult, freshEngineStore, withStoreOf, hintsOf, expectPairedItems } from '../support/engine';
import { BACKENDS, type Backend } from '../support/stores';

const fixture = (name: string) => readFixture(join(__dirname, 'tag', name));

const hints = hintsOf;

const expectPaired = (f: Fixture, result: RunResult) => expectPairedItems(f, result, 'n8n-nodes-ecommerce-marketing.tag');

describe.each(BACKENDS)('Tag in the n8n engine, %s store', (backend: Backend) => {
	let store: StoreConfig;
	let options: RunOptions;
	beforeEach(() => {
		({ store, options } = freshEngineStore(backend));
	});
	afterEach(async () => await resetStores());

	const withStore = <T>(fn: (s: ContactStore) => Promise<T>): Promise<T> => withStoreOf(store, fn);

	it('Add, Add with expiry, Replace Group, Remove and Has Tag give the pinned outputs; Has Tag routes to two outputs', async () => {
		const f = fixture('tagging.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expectPaired(f, result);
		// Bob has no vip tag: second output, the input item passed through with the check added.
		expect(result.json('Has VIP', 1)).toEqual([
			expect.objectContaining({ email: 'bob@example.com', found: true, tagCheck: expect.objectContaining({ hasTag: false, matched: [] }) }),
		]);
		expect(result.output('Has VIP', 0)[0].pairedItem).toEqual({ item: 0 });
		expect(result.output('Has VIP', 1)[0].pairedItem).toEqual({ item: 1 });
		expect(hints(result, 'Has VIP')).toContain('1 contact has the tag, 1 does not');
		// "recent activity" expired after 7 days: the stored profile no longer shows it.
		expect((await withStore((s) => s.getContact('ada@example.com', Date.parse('2026-03-09T10:00:00Z'))))?.tags).toEqual(['engagement:engaged', 'vip']);
	});

	it('running the tagging flow again: tags already there change nothing and it says so', async () => {
		const f = fixture('tagging.json');
		await runWorkflow(f, options);
		const again = await runWorkflow(f, options);
		// "newsletter" was removed, so it is added (and removed) again; the rest is already in place.
		expect(again.json('Add Tags').map((j) => j.added)).toEqual([['newsletter'], ['newsletter']]);
		expect(again.json('Add Recent Activity').map((j) => j.changed)).toEqual([false, false]);
		expect(hints(again, 'Add Recent Activity')).toContain('2 contacts already had the tags: nothing changed');
		expect(again.json('Replace Engagement').map((j) => j.changed)).toEqual([false, false]);
		const none = await runWorkflow(f, { ...options, input: [{ email: 'ada@example.com', vip: true }], parameters: { 'Remove Newsletter': { tags: 'never-added' } } });
		expect(none.json('Remove Newsletter')).toEqual([expect.objectContaining({ found: true, removed: [], changed: false })]);
		expect(hints(none, 'Remove Newsletter')).toContain('1 contact had none of the tags');
	});

	it('Engagement Tags sweep: tags every contact once, then only contacts whose state changed; replayed events change nothing', async () => {
		const f = fixture('engagement.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(result.output('Engagement Tags').map((i) => i.pairedItem)).toEqual([0, 0, 0, 0].map((item) => ({ item })));
		expect(hints(result, 'Engagement Tags')).toContain('4 contacts changed engagement state: 1 engaged, 1 recent-activity, 1 disengaged, 1 inactive');
		// Same events again a week later: the opens are replays, a and c move on, b and d stay.
		const later = await runWorkflow(f, { ...options, parameters: { 'Engagement Tags': { options: { referenceTime: '2026-03-08T10:00:00Z' } } } });
		expect(later.json('Record Open').map((j) => j.duplicate)).toEqual([true, true, true, true]);
		expect(later.json('Engagement Tags').map((j) => [j.email, j.previousState, j.state])).toEqual([
			['a@example.com', 'engaged', 'recent-activity'],
			['c@example.com', 'disengaged', 'inactive'],
		]);
		const same = await runWorkflow(f, { ...options, parameters: { 'Engagement Tags': { options: { referenceTime: '2026-03-08T10:00:00Z' } } } });
		expect(same.json('Engagement Tags')).toEqual([]);
		expect(hints(same, 'Engagement Tags')).toContain('0 contacts changed engagement state');
		expect((await withStore((s) => s.getTags('c@example.com', Date.parse('2026-03-08T10:00:00Z')))).tags).toEqual(['engagement:inactive']);
	});

	it('Engagement Tags sweep stops at Max Contacts and says so; the next run continues', async () => {
		const f = fixture('engagement.json');
		const first = await runWorkflow(f, { ...options, parameters: { 'Engagement Tags': { options: { referenceTime: '2026-03-01T10:00:00Z', maxContacts: 3 } } } });
		expect(first.json('Engagement Tags').map((j) => j.email)).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
		expect(hints(first, 'Engagement Tags')).toContain('Max Contacts (3) reached: more are due and will come in the next run');
		const second = await runWorkflow(f, { ...options, parameters: { 'Engagement Tags': { options: { referenceTime: '2026-03-01T10:00:00Z', maxContacts: 3 } } } });
		expect(second.json('Engagement Tags').map((j) => [j.email, j.state])).toEqual([['d@example.com', 'inactive']]);
	});

	it('Engagement Tags for one contact with custom thresholds, group and signals', async () => {
		const f = fixture('engagement-one-contact.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expectPaired(f, result);
		const again = await runWorkflow(f, options);
		expect(again.json('Engagement Tags').map((j) => [j.changed, j.previousState])).toEqual([
			[false, 'recent-activity'],
			[false, 'inactive'],
		]);
		const unknown = await runWorkflow(f, { ...options, input: [{ email: 'nobody@example.com', at: '2026-03-01T10:00:00Z' }], parameters: { 'Engagement Tags': { email: 'other@example.com' } } });
		expect(unknown.json('Engagement Tags')).toEqual([expect.objectContaining({ email: 'other@example.com', found: false, changed: false })]);
		expect(hints(unknown, 'Engagement Tags')).toContain('1 contact was not found');
		expect(await withStore((s) => s.getContact('other@example.com'))).toBeNull();
	});

	it('Product Interest Tags: products and categories viewed at least N times within D days, once', async () => {
		const f = fixture('product-interest.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expectPaired(f, result);
		expect(hints(result, 'Product Interest')).toContain('2 interest tags were added');
		// The tags expire after 60 days.
		expect((await withStore((s) => s.getTags('kim@example.com', Date.parse('2026-05-05T10:00:00Z')))).tags).toEqual([]);
		// A replay of the views changes nothing, and the tags stay.
		const again = await runWorkflow(f, options);
		expect(again.json('Record Product View').map((j) => j.duplicate)).toEqual([true, true, true, true]);
		expect(again.json('Product Interest')[0]).toMatchObject({ added: [], changed: false, interests: [{ views: 2 }, { views: 3 }] });
	});

	it('with Continue On Fail, bad items carry their error and leave the store unchanged', async () => {
		const f = fixture('bad-input.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(result.output('Add Tags').map((i) => i.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		for (const email of ['empty@example.com', 'long@example.com', 'days@example.com']) expect(await withStore((s) => s.getContact(email))).toBeNull();
		expect((await withStore((s) => s.getContact('ok@example.com')))?.tags).toEqual(['vip']);
	});

	it('without Continue On Fail, the first bad item stops the node with its index and the field to fix', async () => {
		const f = fixture('bad-input.json');
		f.nodes.forEach((n) => delete (n as { onError?: string }).onError);
		const result = await runWorkflow(f, { ...options, input: [{ email: 'ok@example.com', tags: 'vip' }, { email: 'empty@example.com', tags: ',' }] });
		expect(result.error?.message).toBe('"Tags" has no tag [item 1]');
		expect(result.error?.description).toBe('Enter one or more tags, separated by commas');
		expect(result.error?.context?.itemIndex).toBe(1);
	});
});
