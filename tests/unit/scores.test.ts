import {
	awardExpiry,
	decayPeriodsDue,
	decideThreshold,
	DEFAULT_TIERS,
	normalizeScoreName,
	pageVisitAward,
	parseDays,
	parsePoints,
	planDecay,
	pointsForAmount,
	roundPoints,
	tierDirection,
	tierFor,
	urlMatcher,
	validateTiers,
} from '../../lib/domain/scores';
import { DAY_MS } from '../../lib/domain/tags';

const NOW = Date.parse('2026-03-31T12:00:00Z');

describe('score names and numbers', () => {
	it('normalizes names like tags', () => {
		expect(normalizeScoreName(' Lead ')).toBe('lead');
		expect(() => normalizeScoreName('')).toThrow(/"Score Name" is empty/);
		expect(() => normalizeScoreName('x'.repeat(101))).toThrow(/longer than 100/);
	});

	it('parses points, negative only where allowed, rounded to cents', () => {
		expect(parsePoints('-5', 'Points')).toBe(-5);
		expect(parsePoints('2.3456', 'Points')).toBe(2.35);
		expect(() => parsePoints('-1', 'Minimum', { allowNegative: false })).toThrow(/must not be negative/);
		expect(() => parsePoints('ten', 'Points')).toThrow(/not a number/);
		expect(() => parsePoints('', 'Points')).toThrow(/missing/);
		expect(roundPoints(-0.001)).toBe(0);
	});

	it('parses days and expiry', () => {
		expect(parseDays('30', 'Period')).toBe(30);
		expect(parseDays(0, 'Expire', { allowZero: true })).toBe(0);
		expect(() => parseDays(0, 'Period')).toThrow(/positive number of days/);
		expect(awardExpiry(NOW, 0)).toBeNull();
		expect(awardExpiry(NOW, 90)).toBe(NOW + 90 * DAY_MS);
	});
});

describe('award rules', () => {
	it('points per currency unit round down by default, without float noise', () => {
		expect(pointsForAmount(59.9, 1)).toBe(59);
		expect(pointsForAmount(59.9, 10)).toBe(599);
		expect(pointsForAmount(0.29, 100)).toBe(29);
		expect(pointsForAmount(59.5, 1, 'nearest')).toBe(60);
		expect(pointsForAmount(59.95, 0.5, 'none')).toBe(29.98);
	});

	it('URL patterns: contains without wildcards, whole-URL match with them, case-insensitive', () => {
		expect(urlMatcher('')('https://x/anything')).toBe(true);
		expect(urlMatcher('/pricing')('https://shop.example.com/Pricing?x=1')).toBe(true);
		expect(urlMatcher('/pricing')('https://shop.example.com/')).toBe(false);
		const m = urlMatcher('https://shop.example.com/products/*');
		expect(m('https://shop.example.com/products/grinder')).toBe(true);
		expect(m('https://evil.example/https://shop.example.com/products/x')).toBe(false);
		expect(urlMatcher('*/blog/*.html')('https://a.b/blog/post.html')).toBe(true);
		expect(urlMatcher('*.html')('https://a.b/blogXhtml')).toBe(false);
	});

	it('page visits award only visits not counted before, up to a cap', () => {
		expect(pageVisitAward(3, 0, 5)).toEqual({ counted: 3, newVisits: 3, points: 15 });
		expect(pageVisitAward(3, 3, 5)).toEqual({ counted: 3, newVisits: 0, points: 0 });
		expect(pageVisitAward(5, 3, 5)).toEqual({ counted: 5, newVisits: 2, points: 10 });
		expect(pageVisitAward(10, 3, 5, 4)).toEqual({ counted: 4, newVisits: 1, points: 5 });
		// Fewer visits than counted (e.g. an erased visit) never takes points back.
		expect(pageVisitAward(1, 3, 5)).toEqual({ counted: 3, newVisits: 0, points: 0 });
	});
});

describe('tiers', () => {
	it('picks the highest tier reached; none below the lowest minimum', () => {
		const tiers = validateTiers(DEFAULT_TIERS);
		expect(tierFor(0, tiers)).toBe('Bronze');
		expect(tierFor(499.99, tiers)).toBe('Bronze');
		expect(tierFor(500, tiers)).toBe('Silver');
		expect(tierFor(5000, tiers)).toBe('Gold');
		expect(tierFor(-1, tiers)).toBeNull();
		expect(tierDirection('Bronze', 'Gold', tiers)).toBe(1);
		expect(tierDirection('Gold', 'Silver', tiers)).toBe(-1);
		expect(tierDirection(null, 'Bronze', tiers)).toBe(1);
		expect(tierDirection('Gold', 'Gold', tiers)).toBe(0);
	});

	it('validates and sorts tiers from a fixed collection', () => {
		expect(validateTiers([{ name: 'Gold', minimum: '1000' }, { name: ' Silver ', minimum: 500 }]).map((t) => t.name)).toEqual(['Silver', 'Gold']);
		expect(() => validateTiers([])).toThrow(/has no tier/);
		expect(() => validateTiers([{ name: '', minimum: 1 }])).toThrow(/Tier 1 in "Tiers" has no name/);
		expect(() => validateTiers([{ name: 'A', minimum: 1 }, { name: 'a', minimum: 2 }])).toThrow(/appears twice/);
		expect(() => validateTiers([{ name: 'A', minimum: 1 }, { name: 'B', minimum: 1 }])).toThrow(/start at 1 points/);
		expect(() => validateTiers([{ name: 'A', minimum: 'lots' }])).toThrow(/minimum of A/);
	});
});

describe('thresholds', () => {
	it('fire once when reached, re-arm only below', () => {
		let armed = true;
		const step = (points: number) => {
			const d = decideThreshold(armed, points, 50);
			armed = d.armed;
			return d.crossed;
		};
		expect([10, 50, 60, 55, 49, 70, 80].map(step)).toEqual([false, true, false, false, false, true, false]);
	});
});

describe('decay', () => {
	it('counts whole periods from the later of last activity and where decay stopped', () => {
		const a = NOW - 65 * DAY_MS;
		expect(decayPeriodsDue(a, null, NOW, 30)).toMatchObject({ due: 2, until: a + 60 * DAY_MS, nextAt: a + 90 * DAY_MS });
		expect(decayPeriodsDue(a, a + 60 * DAY_MS, NOW, 30).due).toBe(0);
		expect(decayPeriodsDue(a, a + 60 * DAY_MS, NOW + 25 * DAY_MS, 30)).toMatchObject({ due: 1, until: a + 90 * DAY_MS });
		// New activity after the last decay restarts the clock.
		expect(decayPeriodsDue(NOW - 10 * DAY_MS, a + 60 * DAY_MS, NOW, 30).due).toBe(0);
		// A changed period applies from where decay stopped, never twice.
		expect(decayPeriodsDue(a, a + 60 * DAY_MS, NOW + 30 * DAY_MS, 7)).toMatchObject({ due: 5 });
		expect(decayPeriodsDue(NOW + DAY_MS, null, NOW, 30).due).toBe(0);
	});

	it('takes decay from the points that expire first, so expiry can never push the score below the floor', () => {
		const plan = planDecay(
			[
				{ expiresAt: NOW + 60 * DAY_MS, points: 10 },
				{ expiresAt: NOW + 30 * DAY_MS, points: 10 },
				{ expiresAt: null, points: 20 },
			],
			25,
			0,
		);
		expect(plan).toEqual([
			{ expiresAt: NOW + 30 * DAY_MS, points: -10 },
			{ expiresAt: NOW + 60 * DAY_MS, points: -10 },
			{ expiresAt: null, points: -5 },
		]);
	});

	it('never decays below the floor; a negative floor may go below zero', () => {
		expect(planDecay([{ expiresAt: null, points: 8 }], 20, 0)).toEqual([{ expiresAt: null, points: -8 }]);
		expect(planDecay([{ expiresAt: null, points: 8 }], 20, 5)).toEqual([{ expiresAt: null, points: -3 }]);
		expect(planDecay([{ expiresAt: null, points: 3 }], 20, 5)).toEqual([]);
		expect(planDecay([{ expiresAt: NOW + DAY_MS, points: 8 }, { expiresAt: null, points: -2 }], 20, -10)).toEqual([
			{ expiresAt: NOW + DAY_MS, points: -8 },
			{ expiresAt: null, points: -8 },
		]);
		expect(planDecay([], 5, 0)).toEqual([]);
	});
});
