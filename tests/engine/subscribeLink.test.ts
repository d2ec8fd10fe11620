/**
 * Double opt-in in n8n's engine: Sendable's "Add Subscribe Link" option signs a
 * "yes, subscribe me" link, and Marketing Contact › Subscribe From Link turns a click
 * on it into status subscribed; forged, altered and unsubscribe-purpose links change
 * nothing; bounced addresses stay suppressed. Both backends.
 */
import { join } from 'node:path';
import { buildSubscribeUrl, verifySubscribeLink } from '../../lib/domain/subscribeLink';
import { buildUnsubscribeUrl } from '../../lib/domain/unsubscribeLink';
import { type ContactStore, type StoreConfig } from '../../lib/store';
import { readFixture, resetStores, runWorkflow, type RunOptions, freshEngineStore, withStoreOf } from '../support/engine';
import { BACKENDS, type Backend } from '../support/stores';

const BASE = 'https://n8n.example.com/webhook/ecommerce-confirm-subscription';
const query = (url: string) => ({ query: Object.fromEntries(new URL(url).searchParams) });
const subscribeFixture = () => readFixture(join(__dirname, 'marketingContact', 'subscribe-link.json'));
const sendableFixture = () => readFixture(join(__dirname, 'sendable', 'subscribe-link.json'));

describe.each(BACKENDS)('Subscribe links in the n8n engine, %s store', (backend: Backend) => {
	let store: StoreConfig;
	let options: RunOptions;
	let secret: string;
	beforeEach(async () => {
		({ store, options } = freshEngineStore(backend));
		secret = await withStore(async (s) => {
			await s.upsertProfile({ email: 'ada@example.com', status: 'not_subscribed' });
			await s.upsertProfile({ email: 'eve@example.com', status: 'not_subscribed' });
			await s.upsertProfile({ email: 'una@example.com', status: 'subscribed' });
			await s.unsubscribe('una@example.com', 'unsubscribed');
			await s.upsertProfile({ email: 'bo@example.com', status: 'subscribed' });
			await s.unsubscribe('bo@example.com', 'bounced');
			return await s.getLinkSecret();
		});
	});
	afterEach(async () => await resetStores());

	const withStore = <T>(fn: (s: ContactStore) => Promise<T>): Promise<T> => withStoreOf(store, fn);

	it('Sendable adds a signed subscribe link only when asked, to this n8n or to the base URL given', async () => {
		const f = sendableFixture();
		const sendableOptions = f.nodes.find((n) => n.name === 'Sendable')!.parameters.options as object;
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		// Not subscribed contacts pass ("Only Subscribed Contacts" off); the unsubscribed one does not, and gets no link.
		expect(result.json('Sendable', 0).map((i) => (i.send as { email: string }).email)).toEqual(['ada@example.com', 'eve@example.com']);
		expect(result.json('Sendable', 1)).toEqual([expect.objectContaining({ email: 'una@example.com', reason: 'unsubscribed' })]);
		expect(result.json('Sendable', 1)[0].subscribeUrl).toBeUndefined();
		for (const item of result.json('Sendable', 0)) {
			const url = new URL(String(item.subscribeUrl));
			expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1/webhook/ecommerce-confirm-subscription');
			const send = item.send as { email: string };
			expect(verifySubscribeLink(Object.fromEntries(url.searchParams), secret)).toEqual({ valid: true, email: send.email, campaign: 'subscription-invite' });
			expect(item.subscribeUrl).not.toBe(item.unsubscribeUrl);
		}

		const plain = await runWorkflow(sendableFixture(), { ...options, parameters: { Sendable: { campaign: 'other', options: { ...sendableOptions, addSubscribeLink: false } } } });
		expect(plain.json('Sendable', 0)).toHaveLength(2);
		for (const item of plain.json('Sendable', 0)) expect(item.subscribeUrl).toBeUndefined();

		const custom = await runWorkflow(sendableFixture(), {
			...options,
			parameters: { Sendable: { campaign: 'invite-2', options: { ...sendableOptions, subscribeBaseUrl: 'https://shop.example.com/join?x=1' } } },
		});
		expect(String(custom.json('Sendable', 0)[0].subscribeUrl)).toMatch(/^https:\/\/shop\.example\.com\/join\?x=1&e=ada%40example\.com&c=invite-2&t=/);
		const bad = await runWorkflow(sendableFixture(), {
			...options,
			parameters: { Sendable: { campaign: 'invite-3', options: { ...sendableOptions, subscribeBaseUrl: 'ftp://x' } } },
		});
		expect(bad.error?.message).toBe('"Subscribe Link Base URL" must start with https:// or http:// [item 0]');
	});

	it('a valid click subscribes; forged, altered and unsubscribe links change nothing; bounces stay suppressed', async () => {
		const good = buildSubscribeUrl(BASE, 'ada@example.com', secret, 'subscription-invite');
		const forged = buildSubscribeUrl(BASE, 'eve@example.com', 'f'.repeat(64), 'subscription-invite');
		const altered = good.replace('ada%40example.com', 'eve%40example.com');
		const unsubscribeLink = buildUnsubscribeUrl(BASE, 'eve@example.com', secret, 'subscription-invite');
		const resubscribe = buildSubscribeUrl(BASE, 'una@example.com', secret);
		const bounced = buildSubscribeUrl(BASE, 'bo@example.com', secret);
		const result = await runWorkflow(subscribeFixture(), {
			...options,
			input: [query(good), query(forged), query(altered), query(unsubscribeLink), { query: {} }, query(resubscribe), query(bounced)],
		});
		expect(result.error).toBeUndefined();
		const out = result.json('Subscribe From Link');
		expect(out[0]).toMatchObject({
			valid: true,
			subscribed: true,
			email: 'ada@example.com',
			campaign: 'subscription-invite',
			changes: expect.arrayContaining(['status', 'consentAt']),
			contact: { status: 'subscribed', suppressed: false, consentAt: '2026-04-01T10:00:00.000Z' },
		});
		expect(out.slice(1, 5)).toEqual([
			{ valid: false, subscribed: false, reason: 'bad_signature' },
			{ valid: false, subscribed: false, reason: 'bad_signature' },
			{ valid: false, subscribed: false, reason: 'bad_signature' },
			{ valid: false, subscribed: false, reason: 'missing' },
		]);
		expect(out[5]).toMatchObject({ valid: true, subscribed: true, campaign: null, contact: { status: 'subscribed', suppressed: false, suppressionReason: null } });
		expect(out[6]).toMatchObject({ valid: true, subscribed: false, contact: { suppressed: true, suppressionReason: 'bounced' } });
		expect(result.output('Subscribe From Link').map((i) => i.pairedItem)).toEqual([0, 1, 2, 3, 4, 5, 6].map((item) => ({ item })));
		const hints = (result.run.data.resultData.runData['Subscribe From Link'][0].hints ?? []).map((h) => h.message);
		expect(hints).toEqual(expect.arrayContaining(['4 subscribe links were not validly signed and changed nothing', '1 contact stays suppressed (bounced or spam complaint)']));
		expect(await withStore((s) => s.getContact('eve@example.com'))).toMatchObject({ status: 'not_subscribed', suppressed: false });

		// A second click is harmless: nothing changes.
		const again = await runWorkflow(subscribeFixture(), { ...options, input: [query(good)] });
		expect(again.json('Subscribe From Link')[0]).toMatchObject({ valid: true, subscribed: true, changes: [] });
	});
});
