/**
 * Segment → Sendable in n8n's engine: the two outputs, every reason, replays,
 * racing executions, quiet hours on a daylight-saving night, bad input; on both
 * backends. Fixtures: tests/engine/sendable/*.json. A trigger item's "seed"
 * describes the contact's state, written to the store before the run.
 */
import { verifyUnsubscribeLink } from '../../lib/domain/unsubscribeLink';
import { join } from 'node:path';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { parseSendPolicy } from '../../lib/domain/sendable';
import { openUncachedStore, type ContactStore, type EngagementType, type StoreConfig, type SuppressionReason } from '../../lib/store';
import { expectPinnedOutputs, readFixture, registerNodeType, resetStores, runWorkflow, type Fixture, type RunOptions, type RunResult, freshEngineStore, withStoreOf } from '../support/engine';
import { BACKENDS, type Backend } from '../support/stores';

const TRIGGER = 'When clicking ‘Execute workflow’';
const fixture = (name: string) => readFixture(join(__dirname, 'sendable', name));

/** n8n's No Operation node, as far as these fixtures need it: the email sender and the held-back branch. */
class NoOp implements INodeType {
	description = {
		displayName: 'No Operation, do nothing',
		name: 'noOp',
		group: ['organization'],
		version: 1,
		description: 'No Operation',
		defaults: { name: 'No Operation, do nothing' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	} as unknown as INodeTypeDescription;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}
registerNodeType('n8n-nodes-base.noOp', new NoOp());

interface Seed {
	status?: 'subscribed' | 'not_subscribed' | 'pending' | 'unsubscribed';
	timeZone?: string;
	unsubscribe?: SuppressionReason;
	engagement?: EngagementType;
	sends?: Array<{ campaign: string; step: string; at: string }>;
}

const SEEDED_AT = Date.parse('2026-02-01T12:00:00Z');
const anyTime = parseSendPolicy({ maxEmails: 0, quietHours: false, fallbackTimeZone: 'UTC' });

/** Writes each trigger item's "seed" into the store. */
async function seed(config: StoreConfig, f: Fixture) {
	const store = await openUncachedStore(config);
	try {
		for (const item of f.pinData?.[TRIGGER] ?? []) {
			const json = ('json' in item ? item.json : item) as IDataObject & { seed?: Seed };
			const s = json.seed;
			if (!s) continue;
			const email = String(json.email).toLowerCase();
			await store.upsertProfile({ email, status: s.status, ...(s.timeZone ? { timeZone: s.timeZone } : {}) }, { now: SEEDED_AT });
			if (s.unsubscribe) await store.unsubscribe(email, s.unsubscribe, { now: SEEDED_AT });
			if (s.engagement) await store.recordEngagement({ contact: { email }, type: s.engagement, occurredAt: SEEDED_AT });
			for (const send of s.sends ?? []) {
				const [outcome] = await store.checkAndClaimSends([
					{ email, campaign: send.campaign, step: send.step, now: Date.parse(send.at), policy: anyTime, claim: true },
				]);
				expect(outcome.claimed).toBe(true);
			}
		}
	} finally {
		await store.close();
	}
}

function hints(result: RunResult, node = 'Sendable'): string[] {
	return (result.run.data.resultData.runData[node]?.[0]?.hints ?? []).map((h) => h.message);
}

/** Every output item of Sendable is paired with the input item it came from (the items carry their input's email). */
function expectPaired(result: RunResult, f: Fixture) {
	const input = (f.pinData?.[TRIGGER] ?? []).map((i) => ('json' in i ? i.json : i) as IDataObject);
	const seen: number[] = [];
	for (const outputIndex of [0, 1]) {
		for (const item of result.output('Sendable', outputIndex)) {
			const { item: index } = item.pairedItem as { item: number };
			expect(item.json.email).toBe(input[index].email);
			seen.push(index);
		}
	}
	expect(seen.sort((a, b) => a - b)).toEqual(input.map((_, i) => i));
}

describe.each(BACKENDS)('Segment → Sendable in the n8n engine, %s store', (backend: Backend) => {
	let store: StoreConfig;
	let options: RunOptions;
	beforeEach(() => {
		({ store, options } = freshEngineStore(backend));
	});
	afterEach(async () => await resetStores());

	const withStore = <T>(fn: (s: ContactStore) => Promise<T>): Promise<T> => withStoreOf(store, fn);

	/** Whether (campaign, step) is claimed for the contact: asked without claiming and without time checks. */
	async function claimedAt(email: string, campaign: string, step: string): Promise<number | null> {
		const lenient = parseSendPolicy({ maxEmails: 0, quietHours: false, requireSubscribed: false, fallbackTimeZone: 'UTC' });
		const [outcome] = await withStore((s) => s.checkAndClaimSends([{ email, campaign, step, now: Date.now(), policy: lenient, claim: false }]));
		return !outcome.sendable && outcome.reason === 'already_sent' ? outcome.alreadySentAt! : null;
	}

	it('happy path: subscribed contacts go to "Sendable" with their claim, paired with their input', async () => {
		const f = fixture('happy-path.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(result.output('Sendable', 0).map((i) => i.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		expect(result.output('Sendable', 1)).toEqual([]);
		expect(hints(result)).toEqual([]);
		expect(await claimedAt('ada@example.com', 'abandoned-cart-chk-101', '1h')).toBe(Date.parse('2026-03-02T12:00:00Z'));
	});

	it('gives each sendable item a signed one-click unsubscribe link to the shipped Unsubscribe workflow', async () => {
		const f = fixture('happy-path.json');
		const result = await runWorkflow(f, options);
		const secret = await withStore((s) => s.getLinkSecret());
		for (const item of result.json('Sendable', 0)) {
			const url = new URL(String(item.unsubscribeUrl));
			expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1/webhook/ecommerce-unsubscribe');
			const send = item.send as { email: string; campaign: string };
			expect(verifyUnsubscribeLink(Object.fromEntries(url.searchParams), secret)).toEqual({ valid: true, email: send.email, campaign: send.campaign });
		}
		// Another campaign, so the first run's claims do not hold these items back.
		const sendableOptions = f.nodes.find((n) => n.name === 'Sendable')!.parameters.options as object;
		const custom = await runWorkflow(fixture('happy-path.json'), {
			...options,
			parameters: { Sendable: { campaign: 'another-campaign', options: { ...sendableOptions, unsubscribeBaseUrl: 'https://shop.example.com/u?x=1' } } },
		});
		expect(String(custom.json('Sendable', 0)[0].unsubscribeUrl)).toMatch(/^https:\/\/shop\.example\.com\/u\?x=1&e=/);
		const bad = await runWorkflow(fixture('happy-path.json'), { ...options, parameters: { Sendable: { options: { ...sendableOptions, unsubscribeBaseUrl: 'javascript:alert(1)' } } } });
		expect(bad.error?.message).toBe('"Unsubscribe Link Base URL" must start with https:// or http:// [item 0]');
	});

	it('replay: running the same workflow again sends nobody anything twice', async () => {
		const f = fixture('happy-path.json');
		await runWorkflow(f, options);
		const replay = await runWorkflow(f, options);
		expect(replay.error).toBeUndefined();
		expect(replay.json('Send Email')).toEqual([]);
		const held = replay.json('Held Back');
		expect(held).toHaveLength(3);
		for (const item of held) {
			expect(item).toMatchObject({ sendable: false, reason: 'already_sent', sentAt: '2026-03-02T12:00:00.000Z', send: { claimed: false } });
		}
		expect(replay.output('Sendable', 1).map((i) => i.pairedItem)).toEqual([0, 1, 2].map((item) => ({ item })));
		expect(hints(replay)).toEqual(['3 contacts held back: 3 already sent']);
	});

	it('two executions racing each other: every contact gets the email exactly once', async () => {
		const f = fixture('happy-path.json');
		const runs = await Promise.all([runWorkflow(f, options), runWorkflow(f, options), runWorkflow(f, options)]);
		for (const run of runs) expect(run.error).toBeUndefined();
		const sent = runs.flatMap((r) => r.json('Send Email')).map((j) => (j.send as IDataObject).email);
		expect(sent.sort()).toEqual(['ada@example.com', 'grace@example.com', 'joao@example.com.br']);
		const held = runs.flatMap((r) => r.json('Held Back'));
		expect(held).toHaveLength(6);
		expect(held.every((j) => j.reason === 'already_sent')).toBe(true);
	});

	it('every reason goes to "Not Sendable" with reasonText (and sendAfter where waiting helps); nothing is claimed for them', async () => {
		const f = fixture('reasons.json');
		await seed(store, f);
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expectPaired(result, f);
		expect(result.output('Sendable', 0).map((i) => i.pairedItem)).toEqual([{ item: 0 }]);
		expect(result.output('Sendable', 1).map((i) => i.pairedItem)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((item) => ({ item })));
		expect(hints(result)).toEqual([
			'11 contacts held back: 2 quiet hours, 1 invalid email, 1 unknown contact, 1 unsubscribed, 1 bounced, 1 spam complaint, 1 suppressed, 1 not subscribed, 1 already sent, 1 frequency cap',
		]);
		expect(await claimedAt('ok@example.com', 'welcome', '1')).toBe(Date.parse('2026-03-02T12:00:00Z'));
		for (const email of ['unsub@example.com', 'buyer@example.com', 'busy@example.com', 'tokyo@example.com', 'nozone@example.com']) {
			expect({ email, claimedAt: await claimedAt(email, 'welcome', '1') }).toEqual({ email, claimedAt: null });
		}
		// The earlier claim is kept as it was.
		expect(await claimedAt('sent@example.com', 'welcome', '1')).toBe(Date.parse('2026-03-01T10:00:00Z'));
	});

	it('with "Only Subscribed Contacts" off, buyers who never opted in pass; opted-out contacts still do not', async () => {
		const f = fixture('reasons.json');
		await seed(store, f);
		const result = await runWorkflow(f, { ...options, parameters: { Sendable: { requireSubscribed: false } } });
		expect(result.error).toBeUndefined();
		expect(result.json('Send Email').map((j) => j.email)).toEqual(['ok@example.com', 'buyer@example.com']);
		expect(result.json('Held Back').map((j) => j.reason)).toEqual([
			'unsubscribed',
			'bounced',
			'complained',
			'suppressed',
			'unknown_contact',
			'invalid_email',
			'already_sent',
			'frequency_cap',
			'quiet_hours',
			'quiet_hours',
		]);
	});

	it('with "Mark as Sent" off, it only checks: the same contacts pass again and nothing is recorded', async () => {
		const f = fixture('reasons.json');
		await seed(store, f);
		const checkOnly = { Sendable: { options: { markAsSent: false, fallbackTimeZone: 'America/New_York', referenceTime: '2026-03-02T12:00:00Z' } } };
		for (let run = 0; run < 2; run++) {
			const result = await runWorkflow(f, { ...options, parameters: checkOnly });
			expect(result.json('Send Email')).toMatchObject([{ email: 'ok@example.com', sendable: true, send: { claimed: false, claimedAt: null } }]);
		}
		expect(await claimedAt('ok@example.com', 'welcome', '1')).toBeNull();
	});

	it('quiet hours follow each contact\'s clock across the night the clocks go forward', async () => {
		const f = fixture('quiet-hours-dst.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		// 01:30 EST to 07:00 EDT is 4.5 hours, not 5.5.
		const nyc = result.json('Held Back')[0];
		expect(Date.parse(String(nyc.sendAfter)) - Date.parse('2026-03-08T06:30:00Z')).toBe(4.5 * 3_600_000);
		// Retrying at sendAfter (what a Wait node would do) lets the email go.
		const retry = await runWorkflow(f, {
			...options,
			parameters: { Sendable: { options: { quietHoursStart: 22, quietHoursEnd: 7, referenceTime: String(nyc.sendAfter) } } },
		});
		expect(retry.json('Send Email').map((j) => (j.contact as IDataObject).email)).toEqual(['nyc@example.com']);
		expect(retry.json('Held Back').map((j) => [(j.contact as IDataObject).email, j.reason])).toEqual([
			['la@example.com', 'quiet_hours'],
			['paris@example.com', 'already_sent'],
		]);
	});

	it('an item coming round again after a Wait loses the old reason and sendAfter when it passes', async () => {
		const f = fixture('reasons.json');
		await seed(store, f);
		const cameBack = {
			email: 'ok@example.com',
			orderId: 'A-1',
			sendable: false,
			reason: 'quiet_hours',
			reasonText: 'It is 23:00 for the contact',
			sendAfter: '2026-03-02T08:00:00+01:00',
			send: { email: 'ok@example.com', campaign: 'welcome', step: '1', claimed: false, claimedAt: null },
		};
		const result = await runWorkflow(f, { ...options, input: [cameBack] });
		const [sent] = result.json('Send Email');
		expect(sent).toMatchObject({ email: 'ok@example.com', orderId: 'A-1', sendable: true, send: { claimed: true } });
		expect(Object.keys(sent).sort()).toEqual(['email', 'orderId', 'send', 'sendable', 'unsubscribeUrl']);
	});

	it('with Continue On Fail, bad items go to "Not Sendable" with their error (never towards the sender)', async () => {
		const f = fixture('bad-input.json');
		await seed(store, f);
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(result.output('Sendable', 0).map((i) => i.pairedItem)).toEqual([{ item: 0 }]);
		expect(result.output('Sendable', 1).map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		// n8n keeps only the message in an error item's JSON; the error itself says what to fix.
		expect(result.output('Sendable', 1).map((i) => i.error?.description)).toEqual([
			"Map the contact's email address to this field, e.g. {{ $json.contact.email }}",
			'Set "Campaign" to a fixed name such as abandoned-cart, or an expression',
		]);
		expect(await claimedAt('ok@example.com', 'welcome', '1')).toBe(Date.parse('2026-03-02T12:00:00Z'));
	});

	it('with "On Error: Continue (using error output)", bad items get their own third output', async () => {
		const f = fixture('bad-input.json');
		await seed(store, f);
		f.nodes.filter((n) => n.name === 'Sendable').forEach((n) => ((n as { onError?: string }).onError = 'continueErrorOutput'));
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expect(result.json('Sendable', 0)).toMatchObject([{ email: 'ok@example.com', sendable: true }]);
		expect(result.json('Sendable', 1)).toEqual([]);
		expect(result.json('Sendable', 2)).toMatchObject([
			{ error: 'No email address found in "Email" [item 1]' },
			{ error: '"Campaign" is empty [item 2]' },
		]);
		expect(result.output('Sendable', 2).map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
	});

	it('without Continue On Fail, a bad item stops the node with its index before anything is claimed', async () => {
		const f = fixture('bad-input.json');
		await seed(store, f);
		f.nodes.forEach((n) => delete (n as { onError?: string }).onError);
		const result = await runWorkflow(f, options);
		expect(result.error?.message).toBe('No email address found in "Email" [item 1]');
		expect(result.error?.description).toBe("Map the contact's email address to this field, e.g. {{ $json.contact.email }}");
		expect(result.error?.context?.itemIndex).toBe(1);
		// Item 0 was fine, but the node failed as a whole: its email must not count as sent.
		expect(await claimedAt('ok@example.com', 'welcome', '1')).toBeNull();
	});
});
