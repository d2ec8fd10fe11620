import { join } from 'node:path';
import { buildUnsubscribeUrl } from '../../lib/domain/unsubscribeLink';
import { defaultSqlitePath, openUncachedStore, type StoreConfig } from '../../lib/store';
import { readFixture, resetStores, runWorkflow, useFreshUserFolder, type RunOptions, freshEngineStore } from '../support/engine';
import { BACKENDS, type Backend } from '../support/stores';

const fixture = () => readFixture(join(__dirname, 'marketingContact', 'unsubscribe-link.json'));
const BASE = 'https://n8n.example.com/webhook/ecommerce-unsubscribe';
const query = (url: string) => ({ query: Object.fromEntries(new URL(url).searchParams) });

describe.each(BACKENDS)('Unsubscribe From Link in the n8n engine, %s store', (backend: Backend) => {
	let store: StoreConfig;
	let options: RunOptions;
	let secret: string;
	beforeEach(async () => {
		({ store, options } = freshEngineStore(backend));
		const s = await openUncachedStore(store);
		try {
			await s.upsertProfile({ email: 'ada@example.com', status: 'subscribed' });
			await s.upsertProfile({ email: 'eve@example.com', status: 'subscribed' });
			// SQLite: the store's own secret (no credential). PostgreSQL: the same, read through the credential path.
			secret = await s.getLinkSecret();
		} finally {
			await s.close();
		}
	});
	afterEach(async () => await resetStores());

	async function contact(email: string) {
		const s = await openUncachedStore(store);
		try {
			return await s.getContact(email);
		} finally {
			await s.close();
		}
	}

	it('a valid link suppresses its contact; forged and altered links change nothing', async () => {
		const good = buildUnsubscribeUrl(BASE, 'ada@example.com', secret, 'winback');
		const forged = buildUnsubscribeUrl(BASE, 'eve@example.com', 'f'.repeat(64), 'winback');
		const altered = good.replace('ada%40example.com', 'eve%40example.com');
		const result = await runWorkflow(fixture(), { ...options, input: [query(good), query(forged), query(altered), { query: {} }] });
		expect(result.error).toBeUndefined();
		const out = result.json('Unsubscribe From Link');
		expect(out[0]).toMatchObject({ valid: true, unsubscribed: true, email: 'ada@example.com', campaign: 'winback', contact: { status: 'unsubscribed', suppressed: true, suppressionReason: 'unsubscribed' } });
		expect(out.slice(1)).toEqual([
			{ valid: false, unsubscribed: false, reason: 'bad_signature' },
			{ valid: false, unsubscribed: false, reason: 'bad_signature' },
			{ valid: false, unsubscribed: false, reason: 'missing' },
		]);
		expect(result.output('Unsubscribe From Link').map((i) => i.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		const hints = result.run.data.resultData.runData['Unsubscribe From Link'][0].hints ?? [];
		expect(hints.map((h) => h.message)).toContain('3 unsubscribe links were not validly signed and changed nothing');
		expect(await contact('eve@example.com')).toMatchObject({ status: 'subscribed', suppressed: false });
		expect(await contact('ada@example.com')).toMatchObject({ status: 'unsubscribed', suppressed: true });
	});

	it('a second click is harmless', async () => {
		const good = query(buildUnsubscribeUrl(BASE, 'ada@example.com', secret));
		await runWorkflow(fixture(), { ...options, input: [good] });
		const again = await runWorkflow(fixture(), { ...options, input: [good] });
		expect(again.error).toBeUndefined();
		expect(again.json('Unsubscribe From Link')[0]).toMatchObject({ valid: true, unsubscribed: true, contact: { suppressed: true } });
	});
});

describe('Unsubscribe From Link with a secret set on the credential', () => {
	afterEach(async () => await resetStores());

	it('verifies with the credential secret, not the store one', async () => {
		useFreshUserFolder();
		const store: StoreConfig = { backend: 'sqlite', path: defaultSqlitePath() };
		const credentialSecret = 'c'.repeat(40);
		const withCredential: RunOptions = { store, credentialData: { linkSecret: credentialSecret } };
		const s = await openUncachedStore(store);
		const storeSecret = await s.getLinkSecret();
		await s.close();
		const byStoreSecret = query(buildUnsubscribeUrl(BASE, 'ada@example.com', storeSecret));
		const byCredential = query(buildUnsubscribeUrl(BASE, 'bob@example.com', credentialSecret));
		const result = await runWorkflow(fixture(), { ...withCredential, input: [byStoreSecret, byCredential] });
		expect(result.json('Unsubscribe From Link').map((o) => o.valid)).toEqual([false, true]);
	});
});
