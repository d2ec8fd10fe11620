/**
 * Signed links under attack, in n8n's engine on both backends. The links are the ones the
 * Sendable guard really puts on an item; each forged, altered, truncated, re-purposed or
 * foreign-secret variant clicked through "Unsubscribe From Link" (or "Subscribe From Link")
 * gets a clear answer (valid: false and why) and changes no contact; the right link suppresses
 * exactly its one contact, also long after it was sent (one-click unsubscribe links do not
 * expire, by design: laws require them to keep working).
 */
import type { IDataObject } from 'n8n-workflow';
import type { ContactProfile, StoreConfig } from '../../lib/store';
import { resetStores, runWorkflow, withStoreOf, type RunOptions } from '../support/engine';
import { dropEmptyStoreSchema, emptyStore, nodeWorkflow, TARGET } from '../support/hostile';
import { storeProblems } from '../support/storeConsistency';
import { BACKENDS, type Backend } from '../support/stores';

const UNSUBSCRIBE_BASE = 'https://n8n.example.com/webhook/ecommerce-unsubscribe';
const SUBSCRIBE_BASE = 'https://n8n.example.com/webhook/ecommerce-confirm-subscription';
const CONTACTS = ['ada@example.com', 'bob@example.com', 'cy@example.com'];
const SENT_AT = '2026-04-01T10:00:00Z';

type Query = Record<string, unknown>;
const queryOf = (url: string): Query => Object.fromEntries(new URL(url).searchParams);

describe.each(BACKENDS)('Signed links under attack, %s store', (backend: Backend) => {
	let store: StoreConfig;
	let options: RunOptions;
	beforeEach(async () => {
		({ store, options } = await emptyStore(backend));
		await withStoreOf(store, async (s) => {
			for (const email of CONTACTS) await s.upsertProfile({ email, status: 'subscribed' });
			await s.upsertProfile({ email: 'dan@example.com', status: 'not_subscribed' });
		});
	});
	afterEach(async () => await resetStores());
	afterAll(async () => await dropEmptyStoreSchema());

	/** The links the Sendable guard gives one contact's email (with a subscribe link too). */
	async function sendableLinks(email: string, runOptions: RunOptions = options): Promise<{ unsubscribe: string; subscribe: string }> {
		const parameters = {
			operation: 'sendable',
			email: '={{ $json.email }}',
			campaign: 'winback',
			step: '1',
			requireSubscribed: false,
			options: { addSubscribeLink: true, quietHours: false, markAsSent: false, referenceTime: SENT_AT, unsubscribeBaseUrl: UNSUBSCRIBE_BASE, subscribeBaseUrl: SUBSCRIBE_BASE },
		};
		const result = await runWorkflow(nodeWorkflow('segment', parameters, false), { ...runOptions, input: [{ email }] });
		expect(result.error).toBeUndefined();
		const [json] = result.json(TARGET);
		expect(json).toMatchObject({ sendable: true });
		return { unsubscribe: String(json.unsubscribeUrl), subscribe: String(json.subscribeUrl) };
	}

	async function click(operation: 'unsubscribeFromLink' | 'subscribeFromLink', queries: unknown[], referenceTime = SENT_AT): Promise<IDataObject[]> {
		const result = await runWorkflow(nodeWorkflow('marketingContact', { operation, linkParameters: '={{ $json.query }}', options: { referenceTime } }, false), {
			...options,
			input: queries.map((query) => ({ query })) as IDataObject[],
		});
		expect(result.error).toBeUndefined();
		return result.json(TARGET);
	}

	async function contacts(): Promise<ContactProfile[]> {
		return await withStoreOf(store, async (s) => [...(await s.getContactsByEmail([...CONTACTS, 'dan@example.com'])).values()]);
	}

	async function contactCount(): Promise<number> {
		return await withStoreOf(store, async (s) => (await s.findSegmentContacts({ combinator: 'and', conditions: [] }, { afterId: 0, limit: 100, context: { now: Date.now(), abandonedAfterMs: 3_600_000 } })).length);
	}

	it('forged, altered, truncated, re-purposed and foreign links suppress no one and say why', async () => {
		const ada = await sendableLinks('ada@example.com');
		const good = queryOf(ada.unsubscribe);
		expect(good).toEqual({ e: 'ada@example.com', c: 'winback', t: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
		const token = String(good.t);
		const flipped = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
		// The same email signed with another secret (a credential's Link Signing Secret).
		const foreign = queryOf((await sendableLinks('ada@example.com', { store, credentialData: { linkSecret: 'another-secret-of-forty-characters-000000' } })).unsubscribe);
		await resetStores();

		const attacks: Array<[string, Query, string]> = [
			['another contact’s email', { ...good, e: 'bob@example.com' }, 'bad_signature'],
			['the email in upper case', { ...good, e: 'ADA@EXAMPLE.COM' }, 'bad_signature'],
			['another campaign', { ...good, c: 'black-friday' }, 'bad_signature'],
			['the campaign left out', { e: good.e, t: good.t }, 'bad_signature'],
			['a truncated token', { ...good, t: token.slice(0, 42) }, 'bad_signature'],
			['half a token', { ...good, t: token.slice(0, 21) }, 'bad_signature'],
			['one character of the token changed', { ...good, t: flipped }, 'bad_signature'],
			['the token in base64 with padding', { ...good, t: `${Buffer.from(token, 'base64url').toString('base64')}` }, 'bad_signature'],
			['a 1 MB token', { ...good, t: 'A'.repeat(1024 * 1024) }, 'bad_signature'],
			['the subscribe link used to unsubscribe', queryOf(ada.subscribe), 'bad_signature'],
			['a link signed with another secret', foreign, 'bad_signature'],
			['the campaign moved into the email after a line break', { e: 'ada@example.com\nwinback', t: good.t }, 'bad_signature'],
			['no token', { e: good.e, c: good.c }, 'missing'],
			['an empty token', { ...good, t: '' }, 'missing'],
			['no email', { c: good.c, t: good.t }, 'missing'],
			['the email twice (a list)', { ...good, e: ['ada@example.com', 'bob@example.com'] }, 'missing'],
			['no parameters at all', {}, 'missing'],
		];
		const before = await contacts();
		const answers = await click(
			'unsubscribeFromLink',
			attacks.map(([, query]) => query),
		);
		expect(answers.map((a, i) => ({ attack: attacks[i][0], ...a }))).toEqual(
			attacks.map(([attack, , reason]) => ({ attack, valid: false, unsubscribed: false, reason })),
		);
		// Nobody suppressed, nobody created, nothing else changed.
		expect(await contacts()).toEqual(before);
		expect((await contacts()).filter((c) => c.suppressed)).toEqual([]);
		expect(await contactCount()).toBe(4);

		// An unsubscribe link never confirms a subscription either.
		const dan = await sendableLinks('dan@example.com');
		await resetStores();
		const confirm = await click('subscribeFromLink', [queryOf(dan.unsubscribe), { ...queryOf(dan.subscribe), e: 'bob@example.com' }]);
		expect(confirm).toEqual([
			{ valid: false, subscribed: false, reason: 'bad_signature' },
			{ valid: false, subscribed: false, reason: 'bad_signature' },
		]);
		expect((await contacts()).find((c) => c.email === 'dan@example.com')).toMatchObject({ status: 'not_subscribed', suppressed: false });
		expect(await storeProblems(store)).toEqual([]);
	});

	it('the right link suppresses exactly its contact, even a year later, and a second click changes nothing', async () => {
		const ada = await sendableLinks('ada@example.com');
		await resetStores();
		const aYearLater = '2027-04-15T10:00:00Z';
		const [first] = await click('unsubscribeFromLink', [queryOf(ada.unsubscribe)], aYearLater);
		expect(first).toMatchObject({ valid: true, unsubscribed: true, email: 'ada@example.com', campaign: 'winback', contact: { suppressed: true, suppressionReason: 'unsubscribed' } });
		const suppressed = (await contacts()).filter((c) => c.suppressed).map((c) => c.email);
		expect(suppressed).toEqual(['ada@example.com']);
		const [again] = await click('unsubscribeFromLink', [queryOf(ada.unsubscribe)], aYearLater);
		expect(again).toMatchObject({ valid: true, unsubscribed: true, contact: { suppressed: true } });
		expect((await contacts()).filter((c) => c.suppressed).map((c) => c.email)).toEqual(['ada@example.com']);
		expect(await contactCount()).toBe(4);
		expect(await storeProblems(store)).toEqual([]);
	});
});
