import { InputError } from '../../lib/domain/errors';
import {
	DAY_MS,
	DEFAULT_ENGAGEMENT_THRESHOLDS,
	engagementState,
	engagementTag,
	interestsFromViews,
	isActiveTag,
	isInGroup,
	lastEngagement,
	normalizeGroup,
	normalizeTag,
	parseEngagementSignals,
	parseTagList,
	slugify,
	stateOfTag,
	tagExpiry,
	tagInGroup,
	validateEngagementThresholds,
	type ViewCount,
} from '../../lib/domain/tags';

const NOW = Date.parse('2026-03-31T12:00:00Z');

describe('tag names', () => {
	it('trims, collapses spaces and lower-cases', () => {
		expect(normalizeTag('  VIP  Customer ')).toBe('vip customer');
		expect(normalizeTag(2026)).toBe('2026');
	});

	it('rejects empty, too long, comma-containing and non-text tags, naming the field', () => {
		expect(() => normalizeTag('  ', 'Tags')).toThrow(new InputError('"Tags" is empty'));
		expect(() => normalizeTag('x'.repeat(201))).toThrow(/longer than 200/);
		expect(() => normalizeTag({})).toThrow(/must be text/);
		try {
			normalizeTag('', 'Tag');
		} catch (e) {
			expect((e as InputError).field).toBe('Tag');
		}
	});

	it('parses comma-separated lists and arrays, dropping blanks and duplicates', () => {
		expect(parseTagList('vip, Newsletter ,,vip')).toEqual(['vip', 'newsletter']);
		expect(parseTagList(['A', 'b', 'a'])).toEqual(['a', 'b']);
		expect(() => parseTagList(' , ')).toThrow(/has no tag/);
		expect(() => parseTagList(undefined)).toThrow(/has no tag/);
		expect(() => parseTagList({ a: 1 })).toThrow(/comma-separated list/);
		expect(() => parseTagList(['ok', 'a,b'])).toThrow(/contains a comma/);
	});

	it('groups are prefixes ending in a colon', () => {
		expect(normalizeGroup('Engagement')).toBe('engagement:');
		expect(normalizeGroup('engagement:')).toBe('engagement:');
		expect(tagInGroup('engagement:', 'engaged')).toBe('engagement:engaged');
		expect(tagInGroup('engagement:', 'engagement:inactive')).toBe('engagement:inactive');
		expect(isInGroup('engagement:engaged', 'engagement:')).toBe(true);
		expect(isInGroup('engagement:', 'engagement:')).toBe(false);
		expect(isInGroup('engaged', 'engagement:')).toBe(false);
	});

	it('expiry: days after now, or never for 0/empty; expired tags stop counting at the instant', () => {
		expect(tagExpiry(NOW, 7)).toBe(NOW + 7 * DAY_MS);
		expect(tagExpiry(NOW, '0.5')).toBe(NOW + DAY_MS / 2);
		expect(tagExpiry(NOW, 0)).toBeNull();
		expect(tagExpiry(NOW, '')).toBeNull();
		expect(() => tagExpiry(NOW, -1)).toThrow(/positive number of days/);
		expect(() => tagExpiry(NOW, 'soon')).toThrow(/positive number of days/);
		expect(isActiveTag(null, NOW)).toBe(true);
		expect(isActiveTag(NOW + 1, NOW)).toBe(true);
		expect(isActiveTag(NOW, NOW)).toBe(false);
	});
});

describe('engagement states', () => {
	const days = (n: number) => NOW - n * DAY_MS;

	it('defaults: engaged under 7 days, recent activity under 21, disengaged under 30, then inactive', () => {
		expect(engagementState(days(0), NOW)).toBe('engaged');
		expect(engagementState(days(6.99), NOW)).toBe('engaged');
		expect(engagementState(days(7), NOW)).toBe('recent-activity');
		expect(engagementState(days(20.9), NOW)).toBe('recent-activity');
		expect(engagementState(days(21), NOW)).toBe('disengaged');
		expect(engagementState(days(29.9), NOW)).toBe('disengaged');
		expect(engagementState(days(30), NOW)).toBe('inactive');
		expect(engagementState(days(400), NOW)).toBe('inactive');
		// An engagement after "now" (a backfill's Reference Time) is engaged.
		expect(engagementState(NOW + DAY_MS, NOW)).toBe('engaged');
	});

	it('takes configured thresholds, which must grow', () => {
		const t = { recentActivityAfterDays: 3, disengagedAfterDays: 10, inactiveAfterDays: 90 };
		expect(engagementState(days(5), NOW, t)).toBe('recent-activity');
		expect(engagementState(days(60), NOW, t)).toBe('disengaged');
		expect(validateEngagementThresholds(DEFAULT_ENGAGEMENT_THRESHOLDS)).toEqual(DEFAULT_ENGAGEMENT_THRESHOLDS);
		expect(() => validateEngagementThresholds({ recentActivityAfterDays: 7, disengagedAfterDays: 7, inactiveAfterDays: 30 })).toThrow(/must grow/);
		expect(() => validateEngagementThresholds({ recentActivityAfterDays: 0, disengagedAfterDays: 7, inactiveAfterDays: 30 })).toThrow(/positive number/);
	});

	it('names the tags in the group and reads them back', () => {
		expect(engagementTag('engagement:', 'recent-activity')).toBe('engagement:recent-activity');
		expect(stateOfTag('engagement:', 'engagement:inactive')).toBe('inactive');
		expect(stateOfTag('engagement:', 'engagement:other')).toBeNull();
		expect(stateOfTag('engagement:', 'vip')).toBeNull();
	});

	it('last engagement: latest chosen signal or signup, else when first recorded', () => {
		const signals = { email: days(40), siteVisit: days(3), purchase: days(100) };
		expect(lastEngagement(signals, ['email', 'siteVisit', 'purchase'], null, days(500))).toBe(days(3));
		expect(lastEngagement(signals, ['email', 'purchase'], null, days(500))).toBe(days(40));
		expect(lastEngagement(signals, ['purchase'], days(10), days(500))).toBe(days(10));
		expect(lastEngagement({}, ['email'], null, days(2))).toBe(days(2));
		expect(lastEngagement({ email: null }, ['email'], days(365), days(1))).toBe(days(365));
	});

	it('parses the signal list', () => {
		expect(parseEngagementSignals(['purchase', 'email'])).toEqual(['email', 'purchase']);
		expect(parseEngagementSignals('siteVisit')).toEqual(['siteVisit']);
		expect(() => parseEngagementSignals([])).toThrow(/at least one signal/);
		expect(() => parseEngagementSignals(['sms'])).toThrow(/Unknown engagement signal "sms"/);
	});
});

describe('product interest', () => {
	const counts: ViewCount[] = [
		{ productId: 'p1', title: 'Espresso Grinder (Black)', productType: 'Coffee', views: 3 },
		{ productId: 'p2', title: 'Milk Jug', productType: 'Coffee', views: 1 },
		{ productId: 'p3', title: null, productType: 'Tea', views: 2 },
		{ productId: 'SKU 9', title: null, productType: null, views: 5 },
	];

	it('slugs keep letters of any script', () => {
		expect(slugify('Espresso Grinder (Black)')).toBe('espresso-grinder-black');
		expect(slugify('  Café  Crème ')).toBe('café-crème');
		expect(slugify('コーヒー 豆')).toBe('コーヒー-豆');
		expect(slugify('!!!')).toBe('');
	});

	it('tags products and categories viewed at least N times', () => {
		const interests = interestsFromViews(counts, { group: 'interest:', minViews: 3, products: true, categories: true, productTagFrom: 'title' });
		expect(interests.map((i) => [i.tag, i.kind, i.views])).toEqual([
			['interest:espresso-grinder-black', 'product', 3],
			['interest:sku-9', 'product', 5],
			['interest:coffee', 'category', 4],
		]);
		expect(interests.find((i) => i.kind === 'category')?.productIds).toEqual(['p1', 'p2']);
	});

	it('can name product tags by id, and take only products or only categories', () => {
		const byId = interestsFromViews(counts, { group: 'likes:', minViews: 2, products: true, categories: false, productTagFrom: 'id' });
		expect(byId.map((i) => i.tag)).toEqual(['likes:p1', 'likes:p3', 'likes:sku-9']);
		const categories = interestsFromViews(counts, { group: 'interest:', minViews: 2, products: false, categories: true, productTagFrom: 'title' });
		expect(categories.map((i) => i.tag)).toEqual(['interest:coffee', 'interest:tea']);
	});
});
