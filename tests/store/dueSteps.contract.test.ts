/**
 * The due-step sweeps (win-back, cart reminders, drips, date-based emails) on SQLite
 * and a real PostgreSQL server: the right step per contact, each step claimed once per
 * anchor, replays empty, late discovery skipping, and two overlapping sweeps never
 * emitting the same contact and step.
 */
import { DAY_MS, HOUR_MS, sequenceSchedule } from '../../lib/domain/dueSteps';
import { parseDateEmailTiming } from '../../lib/domain/dateOccasions';
import { winbackSchedule, WINBACK_DEFAULTS } from '../../lib/domain/winback';
import {
	openUncachedStore,
	type CartEvent,
	type ContactStore,
	type DateEmailSweep,
	type StoreConfig,
	type WinbackSweep,
} from '../../lib/store';
import { BACKENDS, freshConfig, type Backend } from '../support/stores';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const schedule = winbackSchedule(WINBACK_DEFAULTS); // first 90, follow-ups 150 and 210, final 270, expired 300

function winback(overrides: Partial<WinbackSweep> = {}): WinbackSweep {
	return {
		campaign: 'winback',
		anchor: 'lastPurchase',
		schedule,
		action: 'tag',
		tag: 'lapsed',
		includeExpired: true,
		now: NOW,
		maxContacts: 1000,
		...overrides,
	};
}

describe.each(BACKENDS)('due steps on %s', (backend: Backend) => {
	let config: StoreConfig;
	let store: ContactStore;
	beforeEach(async () => {
		config = freshConfig(backend);
		store = await openUncachedStore(config);
	});
	afterEach(async () => {
		await store.close();
	});

	let orderSeq = 0;
	async function buy(email: string, at: number) {
		await store.recordOrder(
			{ source: 'shop', orderId: `o-${orderSeq++}`, contact: { email }, placedAt: at, total: 20, currency: 'EUR', lineItems: [] },
			{ now: at },
		);
	}
	const daysAgo = (days: number, from = NOW) => from - days * DAY_MS;
	const steps = (items: Array<{ email: string; stepName: string }>) => items.map((i) => `${i.email} ${i.stepName}`);

	describe('win-back', () => {
		async function population() {
			await buy('recent@example.com', daysAgo(10));
			await buy('first@example.com', daysAgo(95));
			await buy('late@example.com', daysAgo(155));
			await buy('final@example.com', daysAgo(280));
			await buy('gone@example.com', daysAgo(400));
			await buy('blocked@example.com', daysAgo(100));
			await store.unsubscribe('blocked@example.com', 'unsubscribed', { now: daysAgo(50) });
			await store.upsertProfile({ email: 'never-bought@example.com' }, { now: daysAgo(200) });
		}

		it('emits one step per due contact, the latest due one, most recently lapsed first, and says what was skipped', async () => {
			await population();
			const result = await store.sweepWinback(winback());
			expect(steps(result.items)).toEqual([
				'first@example.com first',
				'late@example.com follow-up-1',
				'final@example.com final',
				'gone@example.com expired',
			]);
			expect(result.limitReached).toBe(false);
			const [first, late, final, gone] = result.items;
			expect(first).toMatchObject({
				campaign: 'winback',
				campaignRun: `winback@${new Date(daysAgo(95)).toISOString().replace('.000Z', 'Z')}`,
				step: 'first',
				stepIndex: 0,
				totalSteps: 5,
				anchor: 'lastPurchase',
				anchorAt: new Date(daysAgo(95)).toISOString(),
				dueAt: new Date(daysAgo(5)).toISOString(),
				nextStep: 'follow-up-1',
				nextStepAt: new Date(daysAgo(95) + 150 * DAY_MS).toISOString(),
				skippedSteps: [],
				action: null,
				contact: { email: 'first@example.com', orderCount: 1 },
			});
			expect(late).toMatchObject({ step: 'follow-up', stepIndex: 1, skippedSteps: ['first'], nextStep: 'follow-up-2' });
			expect(final).toMatchObject({ step: 'final', stepIndex: 3, skippedSteps: ['first', 'follow-up-1', 'follow-up-2'], nextStep: 'expired' });
			expect(gone).toMatchObject({ step: 'expired', stepIndex: 4, nextStep: null, nextStepAt: null, action: 'tagged' });
			expect(gone.contact.tags).toContain('lapsed');
		});

		it('a replay at the same Reference Time emits nothing; later runs move each contact one step on', async () => {
			await population();
			await store.sweepWinback(winback());
			expect((await store.sweepWinback(winback())).items).toEqual([]);
			const later = await store.sweepWinback(winback({ now: NOW + 60 * DAY_MS }));
			expect(steps(later.items)).toEqual([
				'first@example.com follow-up-1',
				'late@example.com follow-up-2',
				'final@example.com expired',
			]);
			expect(later.items[0].skippedSteps).toEqual([]);
			// A Reference Time moved back never brings an older step after a newer one.
			expect((await store.sweepWinback(winback({ now: NOW + 10 * DAY_MS }))).items).toEqual([]);
		});

		it('a purchase moves the anchor: the contact leaves the window and starts afresh', async () => {
			await buy('ada@example.com', daysAgo(100));
			expect(steps((await store.sweepWinback(winback())).items)).toEqual(['ada@example.com first']);
			await buy('ada@example.com', NOW + DAY_MS);
			const check = await store.checkWinback({ ...winback(), email: 'ada@example.com', now: NOW + 2 * DAY_MS, claim: false });
			expect(check).toMatchObject({ status: 'waitingForFirst', claimedSteps: [], nextStep: 'first', nextStepAt: new Date(NOW + 91 * DAY_MS).toISOString() });
			expect((await store.sweepWinback(winback({ now: NOW + 90 * DAY_MS }))).items).toEqual([]);
			const again = await store.sweepWinback(winback({ now: NOW + 91 * DAY_MS }));
			expect(again.items).toMatchObject([{ email: 'ada@example.com', stepName: 'first', skippedSteps: [] }]);
			expect(again.items[0].campaignRun).not.toBe(`winback@${new Date(daysAgo(100)).toISOString().replace('.000Z', 'Z')}`);
		});

		it('suppresses expired contacts with reason lapsed, and can leave them out of the output', async () => {
			await buy('gone@example.com', daysAgo(400));
			await buy('first@example.com', daysAgo(95));
			const result = await store.sweepWinback(winback({ action: 'suppress', includeExpired: false }));
			expect(steps(result.items)).toEqual(['first@example.com first']);
			expect(result.expiredNotReturned).toBe(1);
			expect(await store.getContact('gone@example.com')).toMatchObject({ suppressed: true, suppressionReason: 'lapsed' });
			const check = await store.checkWinback({ ...winback(), email: 'gone@example.com', claim: false });
			expect(check).toMatchObject({ status: 'expired', claimedSteps: ['expired'] });
		});

		it('action "none" expires without touching the contact', async () => {
			await buy('gone@example.com', daysAgo(400));
			const result = await store.sweepWinback(winback({ action: 'none' }));
			expect(result.items).toMatchObject([{ step: 'expired', action: null, contact: { suppressed: false, tags: [] } }]);
		});

		it('stops at Max Contacts and says more are due; the next run picks up the rest', async () => {
			for (let i = 0; i < 5; i++) await buy(`c${i}@example.com`, daysAgo(100 + i));
			const first = await store.sweepWinback(winback({ maxContacts: 2, batchSize: 1 }));
			expect(steps(first.items)).toEqual(['c0@example.com first', 'c1@example.com first']);
			expect(first.limitReached).toBe(true);
			const rest = await store.sweepWinback(winback({ maxContacts: 3 }));
			expect(steps(rest.items)).toEqual(['c2@example.com first', 'c3@example.com first', 'c4@example.com first']);
			expect(rest.limitReached).toBe(false);
		});

		it('anchors on the last engagement, or on the later of purchase and engagement', async () => {
			await buy('buyer@example.com', daysAgo(100));
			await store.recordEngagement({ contact: { email: 'buyer@example.com' }, type: 'click', occurredAt: daysAgo(20) }, { now: daysAgo(20) });
			await buy('quiet@example.com', daysAgo(10));
			await store.recordEngagement({ contact: { email: 'quiet@example.com' }, type: 'open', occurredAt: daysAgo(160) }, { now: daysAgo(160) });
			await store.recordEngagement({ contact: { email: 'reader@example.com' }, type: 'open', occurredAt: daysAgo(92) }, { now: daysAgo(92) });

			const byEngagement = await store.sweepWinback(winback({ anchor: 'lastEngagement', campaign: 'reengage' }));
			expect(steps(byEngagement.items)).toEqual(['reader@example.com first', 'quiet@example.com follow-up-1']);
			const byEither = await store.sweepWinback(winback({ anchor: 'lastActivity', campaign: 'either' }));
			expect(steps(byEither.items)).toEqual(['reader@example.com first']);
			expect(byEither.items[0]).toMatchObject({ anchor: 'lastActivity', anchorAt: new Date(daysAgo(92)).toISOString() });
		});

		it('Check Contact says where a contact stands, and claims only when asked', async () => {
			await population();
			const check = (email: string, claim = false, now = NOW) => store.checkWinback({ ...winback(), email, claim, now });
			expect(await check('recent@example.com')).toMatchObject({ found: true, status: 'waitingForFirst', nextStep: 'first', due: null });
			expect(await check('never-bought@example.com')).toMatchObject({ status: 'notInWindow', reason: 'noAnchor', anchorAt: null });
			expect(await check('blocked@example.com')).toMatchObject({ status: 'notInWindow', reason: 'suppressed' });
			expect(await check('nobody@example.com')).toMatchObject({ found: false, reason: 'notFound', contact: null });
			const late = await check('late@example.com');
			expect(late).toMatchObject({ status: 'due', claimed: false, due: { stepName: 'follow-up-1', skippedSteps: ['first'] }, nextStep: 'follow-up-2' });
			expect(await check('late@example.com')).toMatchObject({ status: 'due' });
			const claimed = await check('late@example.com', true);
			expect(claimed).toMatchObject({ status: 'due', claimed: true, claimedSteps: ['follow-up-1'] });
			expect(await check('late@example.com')).toMatchObject({ status: 'waitingForNext', nextStep: 'follow-up-2', claimedSteps: ['follow-up-1'] });
			expect(await check('late@example.com', true)).toMatchObject({ claimed: false });
			const final = await check('final@example.com', true);
			expect(final).toMatchObject({ claimed: true, due: { stepName: 'final' } });
			expect(await check('final@example.com')).toMatchObject({ status: 'done', nextStep: 'expired' });
			const expired = await check('final@example.com', true, NOW + 30 * DAY_MS);
			expect(expired).toMatchObject({ claimed: true, action: 'tagged', due: { stepName: 'expired' }, contact: { tags: ['lapsed'] } });
			expect(await check('final@example.com', false, NOW + 30 * DAY_MS)).toMatchObject({ status: 'expired', claimedSteps: ['final', 'expired'] });
			// The sweep does not send again what Check Contact claimed.
			expect(steps((await store.sweepWinback(winback())).items)).toEqual(['first@example.com first', 'gone@example.com expired']);
		});

		it('two overlapping sweeps never emit the same contact and step, and together emit every due one', async () => {
			const n = 120;
			for (let i = 0; i < n; i++) await buy(`p${i}@example.com`, daysAgo(80 + ((i * 7) % 320)));
			// PostgreSQL: a second pool, truly concurrent. SQLite: node:sqlite blocks the thread while it waits
			// for a lock, so one process shares one connection; the two sweeps then interleave batch by batch.
			const other = backend === 'postgres' ? await openUncachedStore(config) : store;
			try {
				const [a, b] = await Promise.all([
					store.sweepWinback(winback({ batchSize: 7 })),
					other.sweepWinback(winback({ batchSize: 11 })),
				]);
				const all = [...steps(a.items), ...steps(b.items)];
				expect(new Set(all).size).toBe(all.length);
				const expected = Array.from({ length: n }, (_, i) => 80 + ((i * 7) % 320)).filter((d) => d >= 90).length;
				expect(all).toHaveLength(expected);
				expect(new Set(a.items.map((i) => i.email)).size + new Set(b.items.map((i) => i.email)).size).toBe(expected);
			} finally {
				if (other !== store) await other.close();
			}
			expect((await store.sweepWinback(winback())).items).toEqual([]);
		});

		it('erasing a contact removes its claims', async () => {
			await buy('ada@example.com', daysAgo(100));
			await store.sweepWinback(winback());
			const deleted = await store.deleteContact('ada@example.com');
			expect(deleted.removed).toMatchObject({ step_claims: 1 });
		});
	});

	describe('cart reminders', () => {
		const cartSchedule = sequenceSchedule([1, 24, 72].map((h) => h * HOUR_MS), (_, o) => `after-${o / HOUR_MS}h`, { lateLimitMs: 24 * HOUR_MS });
		let cartSeq = 0;
		async function cart(email: string, hoursAgo: number, overrides: Partial<CartEvent> = {}) {
			const at = NOW - hoursAgo * HOUR_MS;
			const id = overrides.cartId ?? `cart-${cartSeq++}`;
			await store.recordCart(
				{
					source: 'shop',
					cartId: id,
					contact: { email },
					items: [{ title: 'Trail shoe', quantity: 1, price: 49.9, productId: 'p1' }],
					value: 49.9,
					currency: 'EUR',
					recoveryUrl: `https://shop.example.com/cart/${id}`,
					createdAt: at,
					updatedAt: at,
					...overrides,
				},
				{ now: at },
			);
			return id;
		}
		const sweep = (now = NOW, maxContacts = 100) => store.sweepCartReminders({ campaign: 'abandoned-cart', schedule: cartSchedule, now, maxContacts });

		it('reminds at 1 h, 24 h and 72 h of cart age, each once per cart, with the cart in the item', async () => {
			const id = await cart('ada@example.com', 2);
			await cart('fresh@example.com', 0.5);
			const first = await sweep();
			expect(first.items).toHaveLength(1);
			expect(first.items[0]).toMatchObject({
				email: 'ada@example.com',
				campaign: 'abandoned-cart',
				campaignRun: `abandoned-cart@${id}`,
				step: 'first',
				stepName: 'after-1h',
				nextStep: 'after-24h',
				cart: { cartId: id, value: 49.9, currency: 'EUR', recoveryUrl: `https://shop.example.com/cart/${id}`, items: [{ title: 'Trail shoe' }] },
				contact: { email: 'ada@example.com' },
			});
			expect((await sweep()).items).toEqual([]);
			// 23 h later: the fresh cart's 1 h reminder is late but within the 24 h limit; Ada's cart is 25 h old.
			expect(steps((await sweep(NOW + 23 * HOUR_MS)).items)).toEqual(['fresh@example.com after-1h', 'ada@example.com after-24h']);
			// 70 h later: Ada's cart reaches 72 h; the fresh cart's 24 h reminder is now 46.5 h late and is not sent.
			expect(steps((await sweep(NOW + 70 * HOUR_MS)).items)).toEqual(['ada@example.com after-72h']);
		});

		it('stops when the cart converts or the contact ordered since; skips stale steps past the late limit', async () => {
			await cart('converted@example.com', 2, { cartId: 'conv', completedAt: NOW - HOUR_MS });
			await cart('ordered@example.com', 30);
			await buy('ordered@example.com', NOW - 2 * HOUR_MS);
			await cart('stale@example.com', 24 * 30);
			await cart('late@example.com', 40);
			const result = await sweep();
			expect(steps(result.items)).toEqual(['late@example.com after-24h']);
			expect(result.items[0].skippedSteps).toEqual(['after-1h']);
		});

		it('only the most recent open cart of a contact gets reminders', async () => {
			await cart('ada@example.com', 5, { cartId: 'old' });
			await cart('ada@example.com', 2, { cartId: 'new' });
			const result = await sweep();
			expect(result.items.map((i) => i.cart.cartId)).toEqual(['new']);
		});
	});

	describe('drips', () => {
		const dripSchedule = sequenceSchedule([0, 1, 2, 3, 4, 5, 6].map((d) => d * DAY_MS), (_, o) => `day-${o / DAY_MS}`, { lateLimitMs: DAY_MS });
		const sweep = (now: number, stopOnPurchase = true) => store.sweepDrips({ campaign: 'welcome', schedule: dripSchedule, now, maxContacts: 100, stopOnPurchase });

		it('enrolls idempotently (creating the contact), restarts only when asked', async () => {
			const first = await store.enrollDrip({ email: 'ada@example.com', campaign: 'welcome', enrolledAt: NOW, now: NOW, restart: false });
			expect(first).toMatchObject({ enrolled: true, restarted: false, enrolledAt: new Date(NOW).toISOString(), contact: { email: 'ada@example.com' } });
			const again = await store.enrollDrip({ email: 'ada@example.com', campaign: 'welcome', enrolledAt: NOW + DAY_MS, now: NOW + DAY_MS, restart: false });
			expect(again).toMatchObject({ enrolled: false, restarted: false, enrolledAt: new Date(NOW).toISOString() });
			const restarted = await store.enrollDrip({ email: 'ada@example.com', campaign: 'welcome', enrolledAt: NOW + DAY_MS, now: NOW + DAY_MS, restart: true });
			expect(restarted).toMatchObject({ enrolled: false, restarted: true, enrolledAt: new Date(NOW + DAY_MS).toISOString() });
			const same = await store.enrollDrip({ email: 'ada@example.com', campaign: 'welcome', enrolledAt: NOW + DAY_MS, now: NOW + DAY_MS, restart: true });
			expect(same.restarted).toBe(false);
		});

		it('sends day 0 at once, one step per run, and stops on a purchase since enrollment', async () => {
			await store.enrollDrip({ email: 'ada@example.com', campaign: 'welcome', enrolledAt: NOW, now: NOW, restart: false });
			await store.enrollDrip({ email: 'bob@example.com', campaign: 'welcome', enrolledAt: NOW, now: NOW, restart: false });
			expect(steps((await sweep(NOW)).items).sort()).toEqual(['ada@example.com day-0', 'bob@example.com day-0']);
			expect((await sweep(NOW)).items).toEqual([]);
			await buy('bob@example.com', NOW + HOUR_MS);
			const day1 = await sweep(NOW + DAY_MS + HOUR_MS);
			expect(day1.items).toMatchObject([{ email: 'ada@example.com', stepName: 'day-1', step: 'follow-up', enrolledAt: new Date(NOW).toISOString(), skippedSteps: [] }]);
			// Without the stop, the buyer gets the step too.
			expect(steps((await sweep(NOW + DAY_MS + 2 * HOUR_MS, false)).items)).toEqual(['bob@example.com day-1']);
			// A run missed for three days sends only the current day, saying which were skipped.
			const day4 = await sweep(NOW + 4 * DAY_MS + HOUR_MS);
			expect(day4.items).toMatchObject([{ email: 'ada@example.com', stepName: 'day-4', skippedSteps: ['day-2', 'day-3'] }]);
			expect((await sweep(NOW + 6 * DAY_MS + HOUR_MS)).items).toMatchObject([{ stepName: 'day-6', step: 'final', nextStep: null }]);
			expect((await sweep(NOW + 30 * DAY_MS)).items).toEqual([]);
		});
	});

	describe('date-based emails', () => {
		const timing = parseDateEmailTiming({});
		const sweep = (now: number, overrides: Partial<DateEmailSweep> = {}) =>
			store.sweepDateEmails({ campaign: 'birthday', occasion: 'birthday', timing, fallbackZone: 'UTC', now, maxContacts: 100, ...overrides });

		it('celebrates the birthday from the send hour in the contact\'s own time zone, once a year', async () => {
			await store.upsertProfile({ email: 'tokyo@example.com', birthday: '1990-06-02', timeZone: 'Asia/Tokyo' });
			await store.upsertProfile({ email: 'la@example.com', birthday: '--06-02', timeZone: 'America/Los_Angeles' });
			await store.upsertProfile({ email: 'nozone@example.com', birthday: '--06-02' });
			await store.upsertProfile({ email: 'other@example.com', birthday: '--08-15', timeZone: 'Asia/Tokyo' });
			// 2026-06-02 00:30 UTC: 09:30 in Tokyo, still 1 June in Los Angeles, 00:30 in UTC (before 9:00).
			const t = Date.parse('2026-06-02T00:30:00Z');
			const first = await sweep(t);
			expect(first.items).toHaveLength(1);
			expect(first.items[0]).toMatchObject({
				email: 'tokyo@example.com',
				occasion: 'birthday',
				date: '2026-06-02',
				year: 2026,
				years: 36,
				timeZone: 'Asia/Tokyo',
				campaignRun: 'birthday@2026',
				stepName: 'birthday',
				dueAt: '2026-06-02T00:00:00.000Z',
			});
			expect((await sweep(t)).items).toEqual([]);
			const utc = await sweep(Date.parse('2026-06-02T09:00:00Z'));
			expect(utc.items).toMatchObject([{ email: 'nozone@example.com', timeZone: 'UTC', years: null }]);
			const la = await sweep(Date.parse('2026-06-02T16:00:00Z'));
			expect(la.items).toMatchObject([{ email: 'la@example.com', date: '2026-06-02', timeZone: 'America/Los_Angeles' }]);
			// Up to one day late by default, then no more this year; next year again.
			expect((await sweep(Date.parse('2026-06-04T12:00:00Z'))).items).toEqual([]);
			// 17:00 UTC: 10:00 in Los Angeles, 3 June 02:00 in Tokyo (still within a day late).
			const nextYear = await sweep(Date.parse('2027-06-02T17:00:00Z'));
			expect(nextYear.items.map((i) => `${i.email} ${i.year}`).sort()).toEqual(['la@example.com 2027', 'nozone@example.com 2027', 'tokyo@example.com 2027']);
		});

		it('29 February birthdays are celebrated on 28 February in other years, and on the 29th in leap years', async () => {
			await store.upsertProfile({ email: 'leap@example.com', birthday: '2000-02-29', timeZone: 'Europe/Berlin' });
			expect((await sweep(Date.parse('2027-02-27T12:00:00Z'))).items).toEqual([]);
			expect((await sweep(Date.parse('2027-02-28T12:00:00Z'))).items).toMatchObject([{ date: '2027-02-28', years: 27 }]);
			expect((await sweep(Date.parse('2027-03-01T12:00:00Z'))).items).toEqual([]);
			expect((await sweep(Date.parse('2028-02-28T12:00:00Z'))).items).toEqual([]);
			expect((await sweep(Date.parse('2028-02-29T12:00:00Z'))).items).toMatchObject([{ date: '2028-02-29', years: 28 }]);
		});

		it('signup anniversaries count the years on the contact\'s calendar; the signup day itself is not one', async () => {
			// 23:30 UTC on 10 March 2025 is already 11 March in Berlin.
			await store.upsertProfile({ email: 'ada@example.com', signedUpAt: Date.parse('2025-03-10T23:30:00Z'), timeZone: 'Europe/Berlin' });
			const opts = { occasion: 'signupAnniversary' as const, campaign: 'signup-anniversary' };
			expect((await sweep(Date.parse('2025-03-11T12:00:00Z'), opts)).items).toEqual([]);
			expect((await sweep(Date.parse('2026-03-10T12:00:00Z'), opts)).items).toEqual([]);
			const due = await sweep(Date.parse('2026-03-11T12:00:00Z'), opts);
			expect(due.items).toMatchObject([{ email: 'ada@example.com', occasion: 'signupAnniversary', stepName: 'anniversary', date: '2026-03-11', years: 1 }]);
		});

		it('days before, and suppressed contacts left out', async () => {
			await store.upsertProfile({ email: 'ada@example.com', birthday: '--06-10' });
			await store.upsertProfile({ email: 'gone@example.com', birthday: '--06-10' });
			await store.unsubscribe('gone@example.com', 'unsubscribed');
			const early = parseDateEmailTiming({ daysBefore: 7 });
			const due = await sweep(Date.parse('2026-06-03T10:00:00Z'), { timing: early });
			expect(due.items).toMatchObject([{ email: 'ada@example.com', date: '2026-06-10', dueAt: '2026-06-03T09:00:00.000Z' }]);
		});
	});
});
