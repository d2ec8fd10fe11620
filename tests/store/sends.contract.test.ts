/**
 * The sending guard's store contract (checkAndClaimSends, releaseSend) on SQLite
 * and a real PostgreSQL server: each step at most once per contact, the frequency
 * cap counted inside the claiming transaction, also under concurrent runs.
 */
import { parseSendPolicy, type SendPolicy } from '../../lib/domain/sendable';
import { openUncachedStore, type ContactStore, type SendOutcome, type SendRequest } from '../../lib/store';
import { SEND_BATCH_SIZE } from '../../lib/store/sendsQueries';
import { BACKENDS, freshConfig, type Backend } from '../support/stores';

const HOUR = 3_600_000;
// Noon UTC, 13:00 in Berlin: outside the default quiet hours everywhere used here.
const T0 = Date.parse('2026-03-02T12:00:00Z');
const policy: SendPolicy = parseSendPolicy({ fallbackTimeZone: 'UTC' });

function request(email: string, step: string, overrides: Partial<SendRequest> = {}): SendRequest {
	return { email, campaign: 'abandoned-cart', step, now: T0, policy, claim: true, ...overrides };
}

describe.each(BACKENDS)('sends on %s', (backend: Backend) => {
	let store: ContactStore;
	beforeEach(async () => {
		store = await openUncachedStore(freshConfig(backend));
	});
	afterEach(async () => {
		await store.close();
	});

	async function subscribe(email: string, timeZone?: string) {
		await store.upsertProfile({ email, status: 'subscribed', ...(timeZone ? { timeZone } : {}) }, { now: T0 - 100 * HOUR });
	}

	async function one(req: SendRequest): Promise<SendOutcome> {
		const [outcome] = await store.checkAndClaimSends([req]);
		return outcome;
	}

	it('claims a step once: the second request is already_sent with the first claim time', async () => {
		await subscribe('ada@example.com', 'Europe/Berlin');
		const first = await one(request('ada@example.com', '1h'));
		expect(first).toMatchObject({ sendable: true, claimed: true, claimedAt: T0, timeZone: 'Europe/Berlin' });
		expect(first.contactId).toEqual(expect.any(Number));
		const again = await one(request('ada@example.com', '1h', { now: T0 + HOUR }));
		expect(again).toMatchObject({
			sendable: false,
			reason: 'already_sent',
			alreadySentAt: T0,
			claimed: false,
			claimedAt: null,
			reasonText: 'Already got step "1h" of campaign "abandoned-cart" (2026-03-02T13:00:00+01:00)',
		});
		// Another step, or the same step of another campaign, is a different email.
		expect(await one(request('ada@example.com', '24h', { now: T0 + 2 * HOUR }))).toMatchObject({ sendable: true, claimed: true });
		expect(await one(request('ada@example.com', '1h', { campaign: 'welcome', now: T0 + 3 * HOUR }))).toMatchObject({ sendable: true });
	});

	it('without a claim it only checks: nothing is recorded', async () => {
		await subscribe('ada@example.com');
		expect(await one(request('ada@example.com', '1h', { claim: false }))).toMatchObject({ sendable: true, claimed: false, claimedAt: null });
		expect(await one(request('ada@example.com', '1h', { claim: false }))).toMatchObject({ sendable: true, claimed: false });
		expect(await one(request('ada@example.com', '1h'))).toMatchObject({ sendable: true, claimed: true });
		expect(await one(request('ada@example.com', '1h', { claim: false }))).toMatchObject({ sendable: false, reason: 'already_sent' });
	});

	it('holds back unknown, unsubscribed, bounced, complained, suppressed and not-subscribed contacts, claiming nothing', async () => {
		await subscribe('unsub@example.com');
		await store.unsubscribe('unsub@example.com', 'unsubscribed', { now: T0 - HOUR });
		await subscribe('bounce@example.com');
		await store.recordEngagement({ contact: { email: 'bounce@example.com' }, type: 'bounce', occurredAt: T0 - HOUR });
		await subscribe('spam@example.com');
		await store.recordEngagement({ contact: { email: 'spam@example.com' }, type: 'complaint', occurredAt: T0 - HOUR });
		await subscribe('manual@example.com');
		await store.unsubscribe('manual@example.com', 'manual', { now: T0 - HOUR });
		await store.upsertProfile({ email: 'buyer@example.com' }); // placed an order, never opted in
		const emails = ['nobody@example.com', 'unsub@example.com', 'bounce@example.com', 'spam@example.com', 'manual@example.com', 'buyer@example.com'];
		const outcomes = await store.checkAndClaimSends(emails.map((email) => request(email, '1h')));
		expect(outcomes.map((o) => (o.sendable ? 'sendable' : o.reason))).toEqual([
			'unknown_contact',
			'unsubscribed',
			'bounced',
			'complained',
			'suppressed',
			'not_subscribed',
		]);
		expect(outcomes.every((o) => !o.claimed)).toBe(true);
		expect(outcomes[0].contactId).toBeNull();
		// The buyer may get service-like emails when subscription is not required; the opted-out still may not.
		const lenient = parseSendPolicy({ requireSubscribed: false, fallbackTimeZone: 'UTC' });
		const retry = await store.checkAndClaimSends(emails.map((email) => request(email, '1h', { policy: lenient })));
		expect(retry.map((o) => (o.sendable ? 'sendable' : o.reason))).toEqual([
			'unknown_contact',
			'unsubscribed',
			'bounced',
			'complained',
			'suppressed',
			'sendable',
		]);
	});

	it('caps marketing emails per contact across campaigns, and says when the next may go', async () => {
		await subscribe('ada@example.com');
		expect(await one(request('ada@example.com', 'a', { now: T0 - 20 * HOUR }))).toMatchObject({ claimed: true });
		expect(await one(request('ada@example.com', 'b', { campaign: 'welcome', now: T0 - 3 * HOUR }))).toMatchObject({ claimed: true });
		expect(await one(request('ada@example.com', 'c', { campaign: 'win-back', now: T0 - HOUR }))).toMatchObject({ claimed: true });
		const capped = await one(request('ada@example.com', 'd'));
		// The oldest counted send (T0 - 20h) leaves the 24-hour window at T0 + 4h.
		expect(capped).toMatchObject({ sendable: false, reason: 'frequency_cap', sendAfter: '2026-03-02T16:00:00Z', claimed: false });
		expect(await one(request('ada@example.com', 'd', { now: T0 + 4 * HOUR - 1 }))).toMatchObject({ reason: 'frequency_cap' });
		expect(await one(request('ada@example.com', 'd', { now: T0 + 4 * HOUR }))).toMatchObject({ sendable: true, claimed: true });
		// A higher cap or none at all lets it through.
		const noCap = parseSendPolicy({ maxEmails: 0, fallbackTimeZone: 'UTC' });
		expect(await one(request('ada@example.com', 'e', { now: T0 + 4 * HOUR, policy: noCap }))).toMatchObject({ sendable: true });
	});

	it('holds back during quiet hours with the next local morning, and claims nothing', async () => {
		await subscribe('tokyo@example.com', 'Asia/Tokyo');
		// 12:00Z is 21:00 in Tokyo.
		const outcome = await one(request('tokyo@example.com', '1h'));
		expect(outcome).toMatchObject({ sendable: false, reason: 'quiet_hours', sendAfter: '2026-03-03T08:00:00+09:00', claimed: false });
		expect(await one(request('tokyo@example.com', '1h', { now: Date.parse('2026-03-02T23:00:00Z') }))).toMatchObject({ claimed: true });
	});

	it('decides a batch in order: repeats of a step and sends beyond the cap inside one batch are held back', async () => {
		await subscribe('ada@example.com');
		await subscribe('bob@example.com');
		const outcomes = await store.checkAndClaimSends([
			request('ada@example.com', '1'),
			request('ada@example.com', '1'),
			request('bob@example.com', '1'),
			request('ada@example.com', '2'),
			request('ada@example.com', '3'),
			request('ada@example.com', '4'),
		]);
		expect(outcomes.map((o) => (o.sendable ? 'sendable' : o.reason))).toEqual([
			'sendable',
			'already_sent',
			'sendable',
			'sendable',
			'sendable',
			'frequency_cap',
		]);
		expect(outcomes.filter((o) => o.claimed)).toHaveLength(4);
	});

	it(`splits large inputs into transactions of ${SEND_BATCH_SIZE} and keeps the order`, async () => {
		const n = SEND_BATCH_SIZE + 20;
		const emails = Array.from({ length: n }, (_, i) => `c${i}@example.com`);
		for (const email of emails) await subscribe(email);
		// Every contact twice, the repeat in a later batch for most of them.
		const requests = [...emails, ...emails].map((email) => request(email, 'blast'));
		const outcomes = await store.checkAndClaimSends(requests);
		expect(outcomes).toHaveLength(2 * n);
		expect(outcomes.slice(0, n).every((o) => o.sendable && o.claimed)).toBe(true);
		expect(outcomes.slice(n).every((o) => !o.sendable && o.reason === 'already_sent')).toBe(true);
	});

	it('releases a claim so the step can go again', async () => {
		await subscribe('ada@example.com');
		await one(request('ada@example.com', '1h'));
		expect(await store.releaseSend('ada@example.com', 'abandoned-cart', '1h')).toBe(true);
		expect(await store.releaseSend('ada@example.com', 'abandoned-cart', '1h')).toBe(false);
		expect(await store.releaseSend('nobody@example.com', 'abandoned-cart', '1h')).toBe(false);
		expect(await one(request('ada@example.com', '1h', { now: T0 + HOUR }))).toMatchObject({ sendable: true, claimed: true, claimedAt: T0 + HOUR });
	});

	it('erasing a contact removes their sends', async () => {
		await subscribe('ada@example.com');
		await one(request('ada@example.com', '1h'));
		expect((await store.deleteContact('ada@example.com')).removed).toMatchObject({ sends: 1 });
		await subscribe('ada@example.com');
		expect(await one(request('ada@example.com', '1h'))).toMatchObject({ sendable: true, claimed: true });
	});

	describe('concurrent runs', () => {
		// PostgreSQL: separate stores (connection pools), as separate n8n workers would have.
		// SQLite: one store per process, as n8n has (the driver serializes its transactions).
		async function stores(count: number): Promise<ContactStore[]> {
			if (backend === 'sqlite') return Array.from({ length: count }, () => store);
			const config = freshConfig('postgres');
			// The first open creates the schema; the others then attach to it.
			const first = await openUncachedStore(config);
			await first.upsertProfile({ email: 'ada@example.com', status: 'subscribed' });
			const others = await Promise.all(Array.from({ length: count - 1 }, () => openUncachedStore(config)));
			return [first, ...others];
		}
		async function closeAll(list: ContactStore[]) {
			if (backend === 'postgres') await Promise.all(list.map((s) => s.close()));
		}

		it('20 parallel claims of the same step: exactly one wins', async () => {
			const list = await stores(4);
			if (backend === 'sqlite') await subscribe('ada@example.com');
			try {
				const outcomes = (
					await Promise.all(Array.from({ length: 20 }, (_, i) => list[i % list.length].checkAndClaimSends([request('ada@example.com', '1h')])))
				).flat();
				expect(outcomes.filter((o) => o.claimed)).toHaveLength(1);
				expect(outcomes.filter((o) => !o.sendable && o.reason === 'already_sent')).toHaveLength(19);
			} finally {
				await closeAll(list);
			}
		});

		it('parallel claims of different steps never exceed the frequency cap', async () => {
			const list = await stores(4);
			if (backend === 'sqlite') await subscribe('ada@example.com');
			try {
				const outcomes = (
					await Promise.all(Array.from({ length: 12 }, (_, i) => list[i % list.length].checkAndClaimSends([request('ada@example.com', `step-${i}`)])))
				).flat();
				expect(outcomes.filter((o) => o.claimed)).toHaveLength(3);
				expect(outcomes.filter((o) => !o.sendable && o.reason === 'frequency_cap')).toHaveLength(9);
			} finally {
				await closeAll(list);
			}
		});
	});
});
