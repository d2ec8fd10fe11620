/**
 * Tags and scores: one contract, two backends (SQLite and a real PostgreSQL).
 */
import { DEFAULT_TIERS } from '../../lib/domain/scores';
import { DAY_MS, DEFAULT_ENGAGEMENT_THRESHOLDS } from '../../lib/domain/tags';
import { openUncachedStore, type ContactStore, type DecaySettings, type EngagementSettings } from '../../lib/store';
import { BACKENDS, freshConfig, type Backend } from '../support/stores';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const days = (n: number) => n * DAY_MS;

const ENGAGEMENT: EngagementSettings = {
	group: 'engagement:',
	thresholds: DEFAULT_ENGAGEMENT_THRESHOLDS,
	signals: ['email', 'siteVisit', 'purchase'],
};

describe.each(BACKENDS)('tags and scores on %s', (backend: Backend) => {
	let store: ContactStore;
	beforeEach(async () => {
		store = await openUncachedStore(freshConfig(backend));
	});
	afterEach(async () => {
		await store.close();
	});

	/** A contact first recorded `createdDaysAgo` before T0, optionally with an email open `openedDaysAgo` before T0. */
	async function contact(email: string, createdDaysAgo: number, openedDaysAgo?: number) {
		await store.upsertProfile({ email }, { now: T0 - days(createdDaysAgo) });
		if (openedDaysAgo !== undefined) {
			await store.recordEngagement({ contact: { email }, type: 'open', occurredAt: T0 - days(openedDaysAgo) }, { now: T0 - days(openedDaysAgo) });
		}
	}

	describe('tags', () => {
		it('adds tags with and without expiry; expired tags do not count and can be added again', async () => {
			const r = await store.addTags('ada@example.com', ['vip', 'recent activity'], { now: T0 });
			expect(r).toMatchObject({ added: ['vip', 'recent activity'], refreshed: [], changed: true });
			expect(r.contact.tags).toEqual(['recent activity', 'vip']);
			const timed = await store.addTags('ada@example.com', ['promo'], { now: T0, expiresAt: T0 + days(7) });
			expect(timed.contact.tags).toEqual(['promo', 'recent activity', 'vip']);
			expect((await store.getTags('ada@example.com', T0 + days(7) - 1)).tags).toContain('promo');
			expect((await store.getTags('ada@example.com', T0 + days(7))).tags).toEqual(['recent activity', 'vip']);
			expect((await store.getContact('ada@example.com', T0 + days(8)))?.tags).toEqual(['recent activity', 'vip']);
			// Same tags again: nothing changes.
			const same = await store.addTags('ada@example.com', ['vip'], { now: T0 + 1 });
			expect(same).toMatchObject({ added: [], refreshed: [], changed: false });
			// Adding again with a new expiry refreshes it; after expiry it is added anew.
			const refreshed = await store.addTags('ada@example.com', ['promo'], { now: T0 + days(1), expiresAt: T0 + days(14) });
			expect(refreshed).toMatchObject({ added: [], refreshed: ['promo'] });
			const again = await store.addTags('ada@example.com', ['promo'], { now: T0 + days(20) });
			expect(again).toMatchObject({ added: ['promo'], refreshed: [] });
			expect((await store.getTags('ada@example.com', T0 + days(400))).tags).toContain('promo');
		});

		it('removes tags; an unknown contact is left alone', async () => {
			expect(await store.removeTags('nobody@example.com', ['vip'])).toBeNull();
			expect(await store.getContact('nobody@example.com')).toBeNull();
			await store.addTags('ada@example.com', ['vip', 'a', 'old'], { now: T0 });
			await store.addTags('ada@example.com', ['old'], { now: T0, expiresAt: T0 + 1 });
			const r = await store.removeTags('ada@example.com', ['vip', 'old', 'never'], { now: T0 + 2 });
			expect(r).toMatchObject({ removed: ['vip'], changed: true });
			expect(r?.contact.tags).toEqual(['a']);
			expect((await store.getTags('ada@example.com', T0 - 1)).tags).toEqual(['a']);
			expect(await store.getTags('nobody@example.com')).toEqual({ found: false, tags: [] });
		});

		it('replaces a group atomically, leaving other groups alone', async () => {
			await store.addTags('ada@example.com', ['engagement:engaged', 'engagement:inactive', 'engagementx', 'interest:coffee'], { now: T0 });
			const r = await store.replaceTagGroup('ada@example.com', 'engagement:', 'engagement:disengaged', { now: T0 + 1 });
			expect(r).toMatchObject({ added: ['engagement:disengaged'], removed: ['engagement:engaged', 'engagement:inactive'], changed: true });
			expect(r.contact.tags).toEqual(['engagement:disengaged', 'engagementx', 'interest:coffee']);
			const same = await store.replaceTagGroup('ada@example.com', 'engagement:', 'engagement:disengaged', { now: T0 + 2 });
			expect(same.changed).toBe(false);
		});

		it('concurrent group replacements for one contact leave exactly one tag of the group', async () => {
			await store.addTags('ada@example.com', ['vip'], { now: T0 });
			const states = ['engaged', 'recent-activity', 'disengaged', 'inactive'];
			await Promise.all(Array.from({ length: 16 }, (_, i) => store.replaceTagGroup('ada@example.com', 'engagement:', `engagement:${states[i % 4]}`, { now: T0 + i })));
			const tags = (await store.getTags('ada@example.com', T0 + 100)).tags;
			expect(tags.filter((t) => t.startsWith('engagement:'))).toHaveLength(1);
			expect(tags).toContain('vip');
		});
	});

	describe('engagement tags', () => {
		it('keeps exactly one engagement tag for one contact, from the latest signal or signup', async () => {
			expect(await store.applyEngagementTags('nobody@example.com', ENGAGEMENT, T0)).toBeNull();
			await contact('ada@example.com', 100, 10);
			await store.addTags('ada@example.com', ['engagement:engaged', 'engagement:inactive'], { now: T0 - days(5) });
			const r = await store.applyEngagementTags('ada@example.com', ENGAGEMENT, T0);
			expect(r).toMatchObject({ state: 'recent-activity', tag: 'engagement:recent-activity', changed: true, previousTags: ['engagement:engaged', 'engagement:inactive'] });
			expect((await store.getTags('ada@example.com', T0)).tags.filter((t) => t.startsWith('engagement:'))).toEqual(['engagement:recent-activity']);
			expect(await store.applyEngagementTags('ada@example.com', ENGAGEMENT, T0)).toMatchObject({ changed: false, previousState: 'recent-activity' });
			// A site visit today counts as engagement; with only email as a signal it does not.
			await store.recordPageVisit({ contact: { email: 'ada@example.com' }, url: 'https://shop.example.com/', visitedAt: T0 - 1 });
			expect(await store.applyEngagementTags('ada@example.com', { ...ENGAGEMENT, signals: ['email'] }, T0)).toMatchObject({ state: 'recent-activity', changed: false });
			expect(await store.applyEngagementTags('ada@example.com', ENGAGEMENT, T0)).toMatchObject({ previousState: 'recent-activity', state: 'engaged', changed: true });
			// Never engaged: counts from signup, else from when first recorded.
			await contact('new@example.com', 2);
			expect(await store.applyEngagementTags('new@example.com', ENGAGEMENT, T0)).toMatchObject({ state: 'engaged', previousState: null });
			await store.upsertProfile({ email: 'imported@example.com', signedUpAt: T0 - days(400) }, { now: T0 });
			expect(await store.applyEngagementTags('imported@example.com', ENGAGEMENT, T0)).toMatchObject({ state: 'inactive' });
		});

		it('a sweep tags everyone once, then returns only contacts whose state changed', async () => {
			await contact('a@example.com', 100, 1); // engaged
			await contact('b@example.com', 100, 10); // recent activity
			await contact('c@example.com', 100, 25); // disengaged
			await contact('d@example.com', 100, 50); // inactive
			await contact('e@example.com', 100); // never engaged: counts from first recorded → inactive
			const first = await store.sweepEngagementTags(ENGAGEMENT, { now: T0, maxContacts: 100 });
			expect(first.limitReached).toBe(false);
			expect(Object.fromEntries(first.items.map((i) => [i.email, [i.previousState, i.state]]))).toEqual({
				'a@example.com': [null, 'engaged'],
				'b@example.com': [null, 'recent-activity'],
				'c@example.com': [null, 'disengaged'],
				'd@example.com': [null, 'inactive'],
				'e@example.com': [null, 'inactive'],
			});
			expect((await store.sweepEngagementTags(ENGAGEMENT, { now: T0, maxContacts: 100, recheckLastIds: 0 })).items).toEqual([]);
			// Six days later: a crosses 7 days, b stays, c crosses 30 days; f is new; d opened an email yesterday.
			await contact('f@example.com', 0);
			await store.recordEngagement({ contact: { email: 'd@example.com' }, type: 'click', occurredAt: T0 + days(5) });
			// recheckLastIds 0: only the index arms and new contacts are read, as in a store of a million contacts.
			const later = await store.sweepEngagementTags(ENGAGEMENT, { now: T0 + days(6), maxContacts: 100, recheckLastIds: 0 });
			expect(Object.fromEntries(later.items.map((i) => [i.email, [i.previousState, i.state]]))).toEqual({
				'a@example.com': ['engaged', 'recent-activity'],
				'c@example.com': ['disengaged', 'inactive'],
				'd@example.com': ['inactive', 'engaged'],
				'f@example.com': [null, 'engaged'],
			});
			for (const [email, tag] of [['a@example.com', 'engagement:recent-activity'], ['c@example.com', 'engagement:inactive'], ['d@example.com', 'engagement:engaged']]) {
				expect((await store.getTags(email, T0 + days(6))).tags).toEqual([tag]);
			}
			expect((await store.sweepEngagementTags(ENGAGEMENT, { now: T0 + days(6), maxContacts: 100 })).items).toEqual([]);
		});

		it('stops at Max Contacts and continues in the next run, in small batches', async () => {
			for (let i = 0; i < 23; i++) await contact(`p${String(i).padStart(2, '0')}@example.com`, 100, i % 2 === 0 ? 1 : 60);
			const seen = new Set<string>();
			let runs = 0;
			for (;;) {
				const r = await store.sweepEngagementTags(ENGAGEMENT, { now: T0, maxContacts: 5, batchSize: 2, recheckLastIds: 0 });
				runs++;
				expect(r.items.length).toBeLessThanOrEqual(5);
				for (const item of r.items) {
					expect(seen.has(item.email)).toBe(false);
					seen.add(item.email);
				}
				if (!r.limitReached || runs > 10) break;
			}
			expect(seen.size).toBe(23);
			expect(runs).toBe(5);
			// Thirty days on, the 12 engaged contacts go inactive, also batch by batch.
			const moved = new Set<string>();
			for (let i = 0; i < 10; i++) {
				const r = await store.sweepEngagementTags(ENGAGEMENT, { now: T0 + days(31), maxContacts: 5, batchSize: 2, recheckLastIds: 0 });
				r.items.forEach((item) => moved.add(item.email));
				if (!r.limitReached) break;
			}
			expect(moved.size).toBe(12);
			expect((await store.sweepEngagementTags(ENGAGEMENT, { now: T0 + days(31), maxContacts: 100 })).items).toEqual([]);
		});

		it('does not re-read inactive contacts; Check Every Contact repairs hand-made changes; a past Reference Time moves states back', async () => {
			await contact('a@example.com', 100, 40);
			await store.sweepEngagementTags(ENGAGEMENT, { now: T0, maxContacts: 100 });
			await store.removeTags('a@example.com', ['engagement:inactive'], { now: T0 });
			// Inactive contacts already checked are not read again (this is what keeps a sweep fast)…
			expect((await store.sweepEngagementTags(ENGAGEMENT, { now: T0, maxContacts: 100, recheckLastIds: 0 })).items).toEqual([]);
			// …unless asked to check every contact.
			const full = await store.sweepEngagementTags(ENGAGEMENT, { now: T0, maxContacts: 100, checkEveryContact: true, recheckLastIds: 0 });
			expect(full.items.map((i) => [i.email, i.state])).toEqual([['a@example.com', 'inactive']]);
			const past = await store.sweepEngagementTags(ENGAGEMENT, { now: T0 - days(15), maxContacts: 100 });
			expect(past.items.map((i) => [i.previousState, i.state])).toEqual([['inactive', 'disengaged']]);
		});
	});

	describe('product interest tags', () => {
		it('tags products and categories viewed at least N times within the window', async () => {
			expect(await store.applyInterestTags('nobody@example.com', { rule: { group: 'interest:', minViews: 3, products: true, categories: true, productTagFrom: 'title' }, since: 0, now: T0, expiresAt: null })).toBeNull();
			const view = (productId: string, title: string, productType: string, at: number) =>
				store.recordProductView({ contact: { email: 'kim@example.com' }, productId, title, productType, viewedAt: at });
			await view('p1', 'Espresso Grinder', 'Coffee', T0 - days(40));
			await view('p1', 'Espresso Grinder', 'Coffee', T0 - days(3));
			await view('p1', 'Espresso Grinder', 'Coffee', T0 - days(2));
			await view('p2', 'Milk Jug', 'Coffee', T0 - days(1));
			const request = { rule: { group: 'interest:', minViews: 3, products: true, categories: true, productTagFrom: 'title' as const }, since: T0 - days(30), now: T0, expiresAt: null };
			const r = await store.applyInterestTags('kim@example.com', request);
			expect(r?.interests.map((i) => [i.tag, i.views])).toEqual([['interest:coffee', 3]]);
			expect(r?.added).toEqual(['interest:coffee']);
			await view('p1', 'Espresso Grinder', 'Coffee', T0 - 1);
			const again = await store.applyInterestTags('kim@example.com', request);
			expect(again?.added).toEqual(['interest:espresso-grinder']);
			expect(again?.contact.tags).toEqual(['interest:coffee', 'interest:espresso-grinder']);
			expect((await store.applyInterestTags('kim@example.com', request))?.added).toEqual([]);
		});
	});

	describe('scores', () => {
		it('adjusts with a reason; an event key makes a replay change nothing, per score', async () => {
			const r = await store.adjustScore('ada@example.com', 'lead', 10, { now: T0, reason: 'signup', eventKey: 'evt-1' });
			expect(r).toMatchObject({ score: { name: 'lead', points: 10 }, previousPoints: 0, awarded: 10, changed: true, duplicate: false });
			expect(r.contact.scores).toEqual({ lead: 10 });
			const replay = await store.adjustScore('ada@example.com', 'lead', 10, { now: T0, eventKey: 'evt-1' });
			expect(replay).toMatchObject({ duplicate: true, changed: false, awarded: 0, score: { points: 10 } });
			// The same key for another score is another event.
			expect((await store.adjustScore('ada@example.com', 'loyalty', 5, { now: T0, eventKey: 'evt-1' })).duplicate).toBe(false);
			const minus = await store.adjustScore('ada@example.com', 'lead', -15, { now: T0 + 1, reason: 'unsubscribed' });
			expect(minus.score.points).toBe(-5);
			const read = await store.getScore('ada@example.com', 'lead', { now: T0 + 2, includeAwards: true });
			expect(read.awards?.map((a) => [a.points, a.reason])).toEqual([[-15, 'unsubscribed'], [10, 'signup']]);
			expect(await store.getScore('nobody@example.com', 'lead')).toMatchObject({ found: false, score: { points: 0 } });
		});

		it('loses nothing when many adjustments for one contact arrive at once; a retried one counts once', async () => {
			await Promise.all(Array.from({ length: 40 }, (_, i) => store.adjustScore('ada@example.com', 'lead', i % 2 === 0 ? 3 : -1, { now: T0 + i })));
			expect((await store.getScore('ada@example.com', 'lead', { now: T0 + 100 })).score.points).toBe(40);
			const retried = await Promise.all(Array.from({ length: 10 }, () => store.adjustScore('ada@example.com', 'lead', 7, { now: T0 + 200, eventKey: 'order-9' })));
			expect(retried.filter((r) => !r.duplicate)).toHaveLength(1);
			expect((await store.getContact('ada@example.com', T0 + 300))?.scores.lead).toBe(47);
		});

		it('expiring awards leave the score when they expire, at any Reference Time', async () => {
			await store.adjustScore('ada@example.com', 'loyalty', 100, { now: T0 });
			await store.adjustScore('ada@example.com', 'loyalty', 50, { now: T0, expiresAt: T0 + days(30), reason: 'double points week' });
			const at = async (t: number) => (await store.getScore('ada@example.com', 'loyalty', { now: t })).score.points;
			expect(await at(T0 + days(29))).toBe(150);
			expect(await at(T0 + days(30))).toBe(100);
			expect((await store.getContact('ada@example.com', T0 + days(31)))?.scores.loyalty).toBe(100);
			expect((await store.getContact('ada@example.com', T0 + days(1)))?.scores.loyalty).toBe(150);
			// The sweep brings the stored value (for segments) up to date and reports the change once.
			const sweep = await store.refreshExpiredScores({ now: T0 + days(31), maxContacts: 100 });
			expect(sweep.items).toEqual([{ email: 'ada@example.com', name: 'loyalty', previousPoints: 150, points: 100 }]);
			expect((await store.refreshExpiredScores({ now: T0 + days(31), maxContacts: 100 })).items).toEqual([]);
		});

		it('sets a score: earlier awards stop counting, so later expiries cannot pull it down', async () => {
			await store.adjustScore('ada@example.com', 'lead', 40, { now: T0, expiresAt: T0 + days(10) });
			const set = await store.setScore('ada@example.com', 'lead', 25, { now: T0 + days(1) });
			expect(set).toMatchObject({ previousPoints: 40, score: { points: 25 }, awarded: -15 });
			expect((await store.getScore('ada@example.com', 'lead', { now: T0 + days(20) })).score.points).toBe(25);
			expect((await store.setScore('ada@example.com', 'lead', 25, { now: T0 + days(2) })).changed).toBe(false);
		});

		it('stores the tier of the score and says when it changes', async () => {
			expect(await store.updateScoreTier('nobody@example.com', 'loyalty', DEFAULT_TIERS, T0)).toMatchObject({ found: false, tier: null });
			await store.adjustScore('ada@example.com', 'loyalty', 450, { now: T0 });
			expect(await store.updateScoreTier('ada@example.com', 'loyalty', DEFAULT_TIERS, T0)).toMatchObject({ previousTier: null, tier: 'Bronze', changed: true });
			await store.adjustScore('ada@example.com', 'loyalty', 600, { now: T0 + 1 });
			const up = await store.updateScoreTier('ada@example.com', 'loyalty', DEFAULT_TIERS, T0 + 2);
			expect(up).toMatchObject({ previousTier: 'Bronze', tier: 'Gold', changed: true, score: { points: 1050, tier: 'Gold' } });
			expect((await store.updateScoreTier('ada@example.com', 'loyalty', DEFAULT_TIERS, T0 + 3)).changed).toBe(false);
			const contact = await store.getContact('ada@example.com', T0 + 3);
			expect(contact).toMatchObject({ scores: { loyalty: 1050 }, tiers: { loyalty: 'Gold' } });
		});

		it('a threshold fires once, and again only after the score was below it', async () => {
			expect(await store.checkScoreThreshold('nobody@example.com', 'lead', 50, 'lead:50', T0)).toMatchObject({ found: false, crossed: false });
			await store.adjustScore('ada@example.com', 'lead', 30, { now: T0 });
			const check = (t: number, key = 'lead:50') => store.checkScoreThreshold('ada@example.com', 'lead', 50, key, T0 + t);
			expect(await check(1)).toMatchObject({ crossed: false, armed: true, points: 30 });
			await store.adjustScore('ada@example.com', 'lead', 25, { now: T0 + 2 });
			expect(await check(3)).toMatchObject({ crossed: true, armed: false, points: 55, crossedAt: new Date(T0 + 3).toISOString() });
			expect(await check(4)).toMatchObject({ crossed: false, armed: false });
			// Another flow's key has its own state.
			expect(await check(5, 'other-flow')).toMatchObject({ crossed: true });
			// Dropping below (seen by the write) and rising again fires again, without a check in between.
			await store.adjustScore('ada@example.com', 'lead', -10, { now: T0 + 6 });
			await store.adjustScore('ada@example.com', 'lead', 20, { now: T0 + 7 });
			expect(await check(8)).toMatchObject({ crossed: true, points: 65 });
			// Concurrent checks after a crossing: exactly one fires.
			await store.adjustScore('ada@example.com', 'lead', -60, { now: T0 + 9 });
			await store.adjustScore('ada@example.com', 'lead', 60, { now: T0 + 10 });
			const many = await Promise.all(Array.from({ length: 8 }, () => check(11)));
			expect(many.filter((m) => m.crossed)).toHaveLength(1);
		});

		it('points per page visit count matching visits in the date range once', async () => {
			const visit = (url: string, at: number) => store.recordPageVisit({ contact: { email: 'ada@example.com' }, url, visitedAt: at });
			await visit('https://shop.example.com/pricing', T0 - days(40));
			await visit('https://shop.example.com/pricing', T0 - days(2));
			await visit('https://shop.example.com/pricing?plan=pro', T0 - days(1));
			await visit('https://shop.example.com/blog', T0 - days(1));
			const rule = { ruleKey: 'pricing-march', urlPattern: '/pricing', from: T0 - days(30), pointsPerVisit: 5, maxVisits: 0 };
			const r = await store.awardPageVisits('ada@example.com', 'lead', rule, { now: T0 });
			expect(r).toMatchObject({ found: true, visits: 2, newVisits: 2, awarded: 10, score: { points: 10 } });
			expect((await store.awardPageVisits('ada@example.com', 'lead', rule, { now: T0 })).awarded).toBe(0);
			await visit('https://shop.example.com/pricing', T0 + 1);
			expect(await store.awardPageVisits('ada@example.com', 'lead', rule, { now: T0 + 2 })).toMatchObject({ visits: 3, newVisits: 1, awarded: 5 });
			const all = await store.awardPageVisits('ada@example.com', 'lead', { ruleKey: 'any', pointsPerVisit: 1, maxVisits: 3 }, { now: T0 + 3 });
			expect(all).toMatchObject({ visits: 5, newVisits: 3, awarded: 3, score: { points: 18 } });
			expect((await store.awardPageVisits('nobody@example.com', 'lead', rule)).found).toBe(false);
		});

		const DECAY: DecaySettings = { points: 5, periodDays: 30, floor: 0, signals: ['email', 'siteVisit', 'purchase'] };

		it('decays one contact per whole period of inactivity, once, never below the floor', async () => {
			await store.upsertProfile({ email: 'ada@example.com' }, { now: T0 - days(200) });
			await store.adjustScore('ada@example.com', 'lead', 12, { now: T0 - days(100) });
			const r = await store.decayScore('ada@example.com', 'lead', DECAY, T0 - days(35));
			expect(r).toMatchObject({ previousPoints: 12, points: 2, decayed: 10, periods: 2, changed: true });
			expect(await store.decayScore('ada@example.com', 'lead', DECAY, T0 - days(35))).toMatchObject({ changed: false, periods: 0 });
			const more = await store.decayScore('ada@example.com', 'lead', DECAY, T0);
			expect(more).toMatchObject({ previousPoints: 2, points: 0, decayed: 2, periods: 1 });
			// New activity restarts the clock.
			await store.recordEngagement({ contact: { email: 'ada@example.com' }, type: 'open', occurredAt: T0 + days(1) });
			await store.adjustScore('ada@example.com', 'lead', 10, { now: T0 + days(1) });
			expect((await store.decayScore('ada@example.com', 'lead', DECAY, T0 + days(30)))?.changed).toBe(false);
			expect(await store.decayScore('ada@example.com', 'lead', DECAY, T0 + days(31))).toMatchObject({ points: 5, periods: 1 });
			expect(await store.decayScore('nobody@example.com', 'lead', DECAY, T0)).toBeNull();
		});

		it('decay taken from expiring points does not make the score negative when they expire', async () => {
			await store.upsertProfile({ email: 'ada@example.com' }, { now: T0 - days(100) });
			await store.adjustScore('ada@example.com', 'lead', 10, { now: T0 - days(61), expiresAt: T0 + days(30) });
			await store.adjustScore('ada@example.com', 'lead', 4, { now: T0 - days(61) });
			expect(await store.decayScore('ada@example.com', 'lead', DECAY, T0)).toMatchObject({ previousPoints: 14, points: 4 });
			expect((await store.getScore('ada@example.com', 'lead', { now: T0 + days(31) })).score.points).toBe(4);
		});

		it('a decay sweep returns only contacts whose points went down, in batches', async () => {
			for (let i = 0; i < 9; i++) {
				const email = `s${i}@example.com`;
				await store.upsertProfile({ email }, { now: T0 - days(300) });
				await store.adjustScore(email, 'lead', 20, { now: i < 6 ? T0 - days(65) : T0 - days(5) });
			}
			await store.adjustScore('zero@example.com', 'lead', 0, { now: T0 - days(300) });
			await store.adjustScore('other@example.com', 'loyalty', 20, { now: T0 - days(300) });
			const r = await store.sweepScoreDecay('lead', DECAY, { now: T0, maxContacts: 4, batchSize: 2 });
			expect(r.items).toHaveLength(4);
			expect(r.limitReached).toBe(true);
			expect(r.items[0]).toMatchObject({ name: 'lead', previousPoints: 20, points: 10, decayed: 10, periods: 2 });
			const rest = await store.sweepScoreDecay('lead', DECAY, { now: T0, maxContacts: 100, batchSize: 2 });
			expect(rest.items.map((i) => i.email).sort()).toEqual(['s4@example.com', 's5@example.com']);
			expect((await store.sweepScoreDecay('lead', DECAY, { now: T0, maxContacts: 100 })).items).toEqual([]);
			expect((await store.getScore('other@example.com', 'loyalty', { now: T0 })).score.points).toBe(20);
		});

		it('erasing a contact removes its scores, awards and threshold state', async () => {
			await store.adjustScore('ada@example.com', 'lead', 60, { now: T0 });
			await store.checkScoreThreshold('ada@example.com', 'lead', 50, 'k', T0);
			await store.awardPageVisits('ada@example.com', 'lead', { ruleKey: 'r', pointsPerVisit: 1, maxVisits: 0 }, { now: T0 });
			await store.addTags('ada@example.com', ['vip'], { now: T0 });
			const r = await store.deleteContact('ada@example.com');
			expect(r.removed).toMatchObject({ contact_tags: 1, score_awards: 1, contact_scores: 1, score_thresholds: 1, score_rule_state: 1 });
		});
	});
});
