import { join } from 'node:path';
import { type ContactStore, type StoreConfig } from '../../lib/store';
import { expectPinnedOutputs, readFixture, resetStores, runWorkflow, type Fixture, type RunOptions, type RunResult, freshEngineStore, withStoreOf, hintsOf, expectPairedItems } from '../support/engine';
import { BACKENDS, type Backend } from '../support/stores';

const fixture = (name: string) => readFixture(join(__dirname, 'score', name));

const hints = hintsOf;

const expectPaired = (f: Fixture, result: RunResult) => expectPairedItems(f, result, 'n8n-nodes-ecommerce-marketing.score');

describe.each(BACKENDS)('Score in the n8n engine, %s store', (backend: Backend) => {
	let store: StoreConfig;
	let options: RunOptions;
	beforeEach(() => {
		({ store, options } = freshEngineStore(backend));
	});
	afterEach(async () => await resetStores());

	const withStore = <T>(fn: (s: ContactStore) => Promise<T>): Promise<T> => withStoreOf(store, fn);

	it('loyalty: points per currency unit and tiers give the pinned outputs; a replayed order awards nothing', async () => {
		const f = fixture('loyalty.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expectPaired(f, result);
		expect(hints(result, 'Update Tier')).toContain('2 contacts changed tier');
		const replay = await runWorkflow(f, options);
		expect(replay.json('Award Points').map((j) => [j.duplicate, j.awarded, j.points])).toEqual([
			[true, 0, 559],
			[true, 0, 40],
			[true, 0, 559],
		]);
		expect(hints(replay, 'Award Points')).toContain('3 awards were replays (same Event Key) and changed nothing');
		const ada = await withStore((s) => s.getContact('ada@example.com'));
		expect(ada).toMatchObject({ scores: { loyalty: 559 }, tiers: { loyalty: 'Silver' } });
		// A bigger order moves Ada to Gold.
		const gold = await runWorkflow(f, { ...options, input: [{ contact: { email: 'ada@example.com' }, order: { orderId: '1004', total: 450 } }] });
		expect(gold.json('Update Tier')).toEqual([expect.objectContaining({ previousTier: 'Silver', tier: 'Gold', changed: true, direction: 'up', points: 1009 })]);
	});

	it('threshold: passes a contact the first time the score reaches 50, and again only after it was below', async () => {
		const f = fixture('lead-threshold.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expectPaired(f, result);
		expect(result.json('Reached 50', 1)).toEqual([expect.objectContaining({ email: 'cold@example.com', scoreThreshold: expect.objectContaining({ crossed: false, armed: true, points: 10 }) })]);
		expect(hints(result, 'Reached 50')).toContain('1 contact crossed the threshold now; 1 did not (second output)');
		// More points: still above, it does not fire again.
		const again = await runWorkflow(f, options);
		expect(again.json('Reached 50')).toEqual([]);
		expect(again.json('Reached 50', 1).map((j) => (j.scoreThreshold as { points: number }).points)).toEqual([120, 20]);
		// Below 50 (seen by the write), then back above: it fires again.
		await runWorkflow(f, { ...options, input: [{ email: 'lead@example.com', points: -100, reason: 'unsubscribed' }] });
		const back = await runWorkflow(f, { ...options, input: [{ email: 'lead@example.com', points: 40, reason: 'visited pricing' }] });
		expect(back.json('Reached 50')).toEqual([expect.objectContaining({ scoreThreshold: expect.objectContaining({ crossed: true, points: 60 }) })]);
		// Without the second output, items that did not cross are dropped.
		const dropped = await runWorkflow(f, { ...options, parameters: { 'Reached 50': { notCrossedOutput: false } } });
		expect(dropped.json('Reached 50')).toEqual([]);
		expect(dropped.run.data.resultData.runData['Reached 50'][0].data?.main).toHaveLength(1);
		expect(hints(dropped, 'Reached 50')).toContain('0 contacts crossed the threshold now; 2 did not (dropped)');
	});

	it('points per page visit: each matching visit in the range is awarded once, also on replays', async () => {
		const f = fixture('page-visits.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expectPaired(f, result);
		const replay = await runWorkflow(f, options);
		expect(replay.json('Record Page Visit').map((j) => j.duplicate)).toEqual([true, true, true, true]);
		expect(replay.json('Pricing Page Points')).toEqual([expect.objectContaining({ awarded: 0, points: 10, visits: 2, newVisits: 0, changed: false })]);
		expect(hints(replay, 'Pricing Page Points')).toContain('1 award was 0 points (nothing new to award)');
		const more = await runWorkflow(f, { ...options, input: [{ email: 'ada@example.com', url: 'https://shop.example.com/pricing', at: '2026-03-04T09:00:00Z' }] });
		expect(more.json('Pricing Page Points')).toEqual([expect.objectContaining({ awarded: 5, points: 15, visits: 3, newVisits: 1 })]);
	});

	it('decay: a sweep takes points per period of inactivity, never below 0, once per period', async () => {
		const f = fixture('decay.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(result.output('Decay').map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
		expect(hints(result, 'Decay')).toContain('2 scores decayed by 19 points in all');
		const replay = await runWorkflow(f, options);
		expect(replay.json('Give Points').map((j) => j.duplicate)).toEqual([true, true, true]);
		expect(replay.json('Decay')).toEqual([]);
		const month = await runWorkflow(f, { ...options, parameters: { Decay: { options: { referenceTime: '2026-03-31T00:00:00Z' } } } });
		// A month on: old loses another period; fresh (last points 25 February) its first.
		expect(month.json('Decay').map((j) => [j.email, j.points])).toEqual([
			['old@example.com', 20],
			['fresh@example.com', 35],
		]);
		// One contact (from the input item).
		const one = await runWorkflow(f, { ...options, parameters: { Decay: { scope: 'contact', options: { referenceTime: '2026-05-01T00:00:00Z' } } } });
		expect(one.json('Decay').map((j) => [j.email, j.points, j.changed])).toEqual([['old@example.com', 15, true]]);
	});

	it('set, expiring bonus points, award history and Apply Expired Points give the pinned outputs', async () => {
		const f = fixture('set-expire.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expectPaired(f, result);
		expect(hints(result, 'Apply Expired Points')).toContain('1 score changed as points expired: 1 lead');
		// The stored score (what segments read) is now 20.
		const stored = await withStore(async (s) => (await s.getContact('ada@example.com', Date.parse('2026-03-02T00:00:00Z')))?.scores.lead);
		expect(stored).toBe(35);
		expect((await withStore((s) => s.getScore('ada@example.com', 'lead', { now: Date.parse('2026-05-01T00:00:00Z') }))).score.points).toBe(20);
	});

	it('with Continue On Fail, bad items carry their error and leave the store unchanged', async () => {
		const f = fixture('bad-input.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(result.output('Add Points').map((i) => i.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		for (const email of ['blank@example.com', 'days@example.com']) expect(await withStore((s) => s.getContact(email))).toBeNull();
		expect((await withStore((s) => s.getContact('ok@example.com')))?.scores).toEqual({ lead: 5 });
	});

	it('without Continue On Fail, the first bad item stops the node with its index and the field to fix', async () => {
		const f = fixture('bad-input.json');
		f.nodes.forEach((n) => delete (n as { onError?: string }).onError);
		const result = await runWorkflow(f, { ...options, input: [{ email: 'ok@example.com', score: 'lead', points: 1, key: 'a' }, { email: 'x@example.com', score: '', points: 1, key: 'b' }] });
		expect(result.error?.message).toBe('"Score Name" is empty [item 1]');
		expect(result.error?.description).toBe('Name the score, e.g. lead or loyalty');
		expect(result.error?.context?.itemIndex).toBe(1);
	});
});
