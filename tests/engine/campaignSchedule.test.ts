import { join } from 'node:path';
import { type StoreConfig } from '../../lib/store';
import { expectPinnedOutputs, readFixture, type Fixture, resetStores, runWorkflow, type RunOptions, freshEngineStore, withStoreOf, hintsOf } from '../support/engine';
import { BACKENDS, type Backend } from '../support/stores';

const fixture = (name: string) => readFixture(join(__dirname, 'campaignSchedule', name));
/** The fixture with only these nodes after the trigger (and their connections), Continue On Fail off. */
function only(f: Fixture, names: string[]): Fixture {
	f.nodes = f.nodes.filter((n) => n.type === 'n8n-nodes-base.manualTrigger' || names.includes(n.name));
	f.nodes.forEach((n) => delete (n as { onError?: string }).onError);
	for (const outputs of Object.values(f.connections)) outputs.main = outputs.main.map((list) => (list ?? []).filter((c) => names.includes(c.node)));
	return f;
}
const hints = hintsOf;

describe.each(BACKENDS)('Campaign Schedule in the n8n engine, %s store', (backend: Backend) => {
	let store: StoreConfig;
	let options: RunOptions;
	beforeEach(() => {
		({ store, options } = freshEngineStore(backend));
	});
	afterEach(async () => await resetStores());

	const contactInStore = (email: string) => withStoreOf(store, (s) => s.getContact(email));

	it.each(['cart-reminders.json', 'drip.json', 'date-emails.json'])('%s gives the pinned outputs, each paired with its input item', async (name) => {
		const f = fixture(name);
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		for (const node of f.nodes.filter((n) => n.type === 'n8n-nodes-ecommerce-marketing.campaignSchedule')) {
			for (const [i, item] of result.output(node.name).entries()) expect(item.pairedItem).toEqual({ item: node.executeOnce ? 0 : i });
		}
	});

	it('cart reminders: hints say which reminders went; a replay emits nothing; later runs send the next reminder', async () => {
		const f = fixture('cart-reminders.json');
		const first = await runWorkflow(f, options);
		expect(hints(first, 'Get Due Cart Reminders')).toEqual([
			'3 cart reminders due: 1 × 1h, 1 × 24h, 1 × 72h',
			'2 carts were found late: only the latest due step was sent, older steps were skipped (see skippedSteps)',
		]);
		const replay = await runWorkflow(f, options);
		expect(replay.json('Get Due Cart Reminders')).toEqual([]);
		expect(hints(replay, 'Get Due Cart Reminders')).toEqual(['0 cart reminders due']);
		const later = await runWorkflow(f, { ...options, parameters: { 'Get Due Cart Reminders': { options: { referenceTime: '2026-06-02T12:00:00Z' } } } });
		expect(later.json('Get Due Cart Reminders').map((json) => `${json.email} ${json.stepName}`)).toEqual(['cy@example.com 24h', 'ada@example.com 24h']);
	});

	it('drips: enrolling again keeps the enrollment; a replay emits nothing', async () => {
		const f = fixture('drip.json');
		const first = await runWorkflow(f, options);
		expect(hints(first, 'Enroll in Drip')).toEqual(['3 contacts enrolled']);
		expect(hints(first, 'Get Due Drip Emails')[0]).toBe('2 drip emails due: 1 × day-0, 1 × day-2');
		const replay = await runWorkflow(f, options);
		expect(replay.json('Enroll in Drip').map((json) => json.enrolled)).toEqual([false, false, false]);
		expect(hints(replay, 'Enroll in Drip')).toEqual(['3 contacts were already enrolled: kept as is']);
		expect(replay.json('Get Due Drip Emails')).toEqual([]);
	});

	it('date-based emails: once a year, the replay emits nothing', async () => {
		const f = fixture('date-emails.json');
		const first = await runWorkflow(f, options);
		expect(hints(first, 'Get Due Birthday Emails')).toEqual(['2 date-based emails due']);
		const replay = await runWorkflow(f, options);
		expect(replay.json('Get Due Birthday Emails')).toEqual([]);
		expect(replay.json('Get Due Anniversary Emails')).toEqual([]);
		const la = await runWorkflow(f, { ...options, parameters: { 'Get Due Birthday Emails': { options: { referenceTime: '2026-06-02T17:00:00Z', fallbackTimeZone: 'UTC' } } } });
		expect(la.json('Get Due Birthday Emails').map((json) => json.email)).toEqual(['la@example.com']);
	});

	it('with Continue On Fail, bad items carry their error and change nothing', async () => {
		const f = fixture('bad-input.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(result.output('Enroll in Drip').map((i) => i.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		expect(await contactInStore('ok@example.com')).not.toBeNull();
		expect(await contactInStore('late@example.com')).toBeNull();
	});

	it('without Continue On Fail, the first bad item stops the node with its index and what to fix', async () => {
		const f = only(fixture('bad-input.json'), ['Enroll in Drip']);
		const result = await runWorkflow(f, options);
		expect(result.error?.message).toBe('No email address found in "Email" [item 1]');
		expect(result.error?.context?.itemIndex).toBe(1);
		const carts = only(fixture('bad-input.json'), ['Get Due Cart Reminders']);
		const bad = await runWorkflow(carts, options);
		expect(bad.error?.message).toBe('"Reminders After (Hours)" must list each time once, in increasing order (got 24, 1) [item 1]');
		expect(bad.error?.context?.itemIndex).toBe(1);
	});
});
