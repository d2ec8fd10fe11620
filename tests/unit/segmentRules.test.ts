import { InputError } from '../../lib/domain/errors';
import {
	combineResults,
	compileConditionsSql,
	compileMatcher,
	compileRulesSql,
	DAY_MS,
	describeCondition,
	evaluateConditions,
	explainFailure,
	factNeeds,
	flattenConditions,
	fold,
	parseRules,
	resolveMonth,
	SqlParams,
	type ContactFacts,
	type EvalContext,
	type RawCondition,
	type RawGroup,
	type RuleGroup,
} from '../../lib/domain/segmentRules';

const NOW = Date.parse('2026-03-15T12:00:00Z');
const ctx: EvalContext = { now: NOW, abandonedAfterMs: 60 * 60_000 };

function facts(overrides: Partial<ContactFacts> = {}): ContactFacts {
	return {
		email: 'ada@example.com',
		country: 'US',
		region: 'CA',
		city: 'San Francisco',
		status: 'subscribed',
		suppressed: false,
		orderCount: 3,
		totalSpent: 250,
		lastOrderValue: 80,
		firstPurchaseAt: NOW - 300 * DAY_MS,
		lastPurchaseAt: NOW - 40 * DAY_MS,
		lastEngagementAt: NOW - 5 * DAY_MS,
		lastVisitAt: null,
		signedUpAt: NOW - 400 * DAY_MS,
		siteVisits: 12,
		birthMonth: 3,
		custom: { shoeSize: 38, vip: true, color: 'Blue', empty: '', nothing: null },
		tags: ['vip', 'newsletter'],
		scores: { loyalty: 120 },
		tiers: { loyalty: 'Gold' },
		purchases: [
			{ placedAt: NOW - 40 * DAY_MS, productId: 'P1', sku: 'SKU-1', productType: 'Shoes', tags: ['Summer', 'sale'] },
			{ placedAt: NOW - 300 * DAY_MS, productId: 'p2', sku: null, productType: null, tags: [] },
		],
		carts: [
			{ updatedAt: NOW - 2 * 60 * 60_000, convertedAt: null },
			{ updatedAt: NOW - 10 * DAY_MS, convertedAt: NOW - 9 * DAY_MS },
		],
		productViews: [
			{ productId: 'P9', viewedAt: NOW - DAY_MS },
			{ productId: 'P9', viewedAt: NOW - 2 * DAY_MS },
			{ productId: 'P9', viewedAt: NOW - 20 * DAY_MS },
			{ productId: 'p9', viewedAt: NOW - 3 * DAY_MS },
			{ productId: 'P3', viewedAt: NOW - 3 * DAY_MS },
		],
		...overrides,
	};
}

const rules = (...conditions: Array<RawCondition | RawGroup>): RuleGroup => parseRules({ combinator: 'and', conditions });
const matches = (condition: RawCondition, f: ContactFacts = facts()) => compileMatcher(rules(condition), ctx)(f);

describe('parseRules', () => {
	it('accepts the canonical form and defaults to AND', () => {
		const r = parseRules({ conditions: [{ field: 'totalSpent', operator: 'gt', value: '100' }] });
		expect(r.combinator).toBe('and');
		expect(flattenConditions(r)[0]).toMatchObject({ field: 'totalSpent', kind: 'number', operator: 'gt', nums: [100], position: 1 });
	});

	it('an empty rule set matches everyone', () => {
		expect(compileMatcher(parseRules(undefined), ctx)(facts())).toBe(true);
		expect(compileRulesSql(parseRules({ conditions: [] }), new SqlParams('sqlite'), ctx)).toBe('TRUE');
	});

	it.each([
		[{ field: 'nope', operator: 'equals', value: 1 }, 'Rules, condition 1: unknown field "nope"'],
		[{ field: 'totalSpent', operator: 'contains', value: 1 }, 'Rules, condition 1 (Total Spent): operator "contains" does not apply here'],
		[{ field: 'totalSpent', operator: 'gt' }, 'Rules, condition 1 (Total Spent): "Value" is missing'],
		[{ field: 'totalSpent', operator: 'gt', value: 'ten' }, 'Rules, condition 1 (Total Spent): "Value" must be a number, got "ten"'],
		[{ field: 'totalSpent', operator: 'between', value: 10, value2: 5 }, 'Rules, condition 1 (Total Spent): "between 10 and 5": the second value must not be smaller than the first'],
		[{ field: 'daysSinceLastOrder', operator: 'gt', value: 1.5 }, 'Rules, condition 1 (Days Since Last Order): "Value" must be a whole number of days from 0 to 100000, got 1.5'],
		[{ field: 'country', operator: 'equals', value: '  ' }, 'Rules, condition 1 (Country): "Value" is missing'],
		[{ field: 'score', operator: 'gt', value: 1 }, 'Rules, condition 1 (Score): the score name is missing (e.g. loyalty)'],
		[{ field: 'customField', operator: 'equals', value: 'x' }, 'Rules, condition 1 (Custom Field): the custom field name is missing'],
		[{ field: 'customField', name: 'a', valueType: 'date', operator: 'equals', value: 'x' }, 'Rules, condition 1 (Custom Field): "Value Type" must be text, number or boolean, got "date"'],
		[{ field: 'subscriptionStatus', operator: 'isOneOf', value: ['subscribed', 'gone'] }, 'Rules, condition 1 (Subscription Status): "gone" is not one of subscribed, unsubscribed, not_subscribed, pending'],
		[{ field: 'viewedProduct', operator: 'includes', times: 0 }, 'Rules, condition 1 (Viewed Product): "Times" must be a whole number from 1 to 100000, got 0'],
		[{ field: 'purchasedProduct', operator: 'includes', value: 'p1', withinDays: -1 }, 'Rules, condition 1 (Purchased Product ID): "Within the Last (Days)" must be a whole number from 0 to 100000, got -1'],
	])('rejects %j with a clear message', (condition, message) => {
		expect(() => rules(condition as RawCondition)).toThrow(message);
		try {
			rules(condition as RawCondition);
		} catch (error) {
			expect(error).toBeInstanceOf(InputError);
			expect((error as InputError).field).toBe('conditions');
		}
	});

	it('names the rule set and the parameter to fix', () => {
		expect(() => parseRules({ combinator: 'xor' }, 'Segment "VIP"', 'segments')).toThrow('Segment "VIP": "Match" must be "and" (all conditions) or "or" (any condition), got "xor"');
	});

	it('limits nesting and the number of conditions', () => {
		let group: RawGroup = { conditions: [{ field: 'tag', operator: 'includes', value: 'x' }] };
		for (let i = 0; i < 5; i++) group = { conditions: [group] };
		expect(() => parseRules(group)).toThrow('groups are nested more than 5 deep');
		const many = Array.from({ length: 201 }, () => ({ field: 'tag', operator: 'includes', value: 'x' }));
		expect(() => parseRules({ conditions: many })).toThrow('more than 200 conditions');
	});

	it('normalizes score names and tags as they are stored, and folds text values', () => {
		const r = rules(
			{ field: 'score', name: '  Loyalty   Points ', operator: 'gt', value: 1 },
			{ field: 'tag', operator: 'includes', value: '  VIP   Customer ' },
			{ field: 'country', operator: 'isOneOf', value: 'US, gb ,, De' },
			{ field: 'customField', name: 'ShoeSize', valueType: 'number', operator: 'gt', value: 1 },
		);
		const [score, tag, country, custom] = flattenConditions(r);
		expect(score.name).toBe('loyalty points');
		expect(tag.texts).toEqual(['vip customer']);
		expect(country.texts).toEqual(['us', 'gb', 'de']);
		expect(custom.name).toBe('ShoeSize');
	});

	it('accepts month names and numbers, and status labels', () => {
		const r = rules({ field: 'birthMonth', operator: 'isOneOf', value: ['March', '12', 'next'] }, { field: 'subscriptionStatus', operator: 'isOneOf', value: 'Not Subscribed' });
		expect(flattenConditions(r)[0].texts).toEqual(['3', '12', 'next']);
		expect(flattenConditions(r)[1].texts).toEqual(['not_subscribed']);
	});
});

describe('in-memory evaluation', () => {
	it.each<[RawCondition, boolean]>([
		[{ field: 'totalSpent', operator: 'gt', value: 249.99 }, true],
		[{ field: 'totalSpent', operator: 'gt', value: 250 }, false],
		[{ field: 'totalSpent', operator: 'between', value: 250, value2: 250 }, true],
		[{ field: 'orderCount', operator: 'gte', value: 3 }, true],
		[{ field: 'averageOrderValue', operator: 'gt', value: 83 }, true],
		[{ field: 'averageOrderValue', operator: 'gt', value: 84 }, false],
		[{ field: 'lastOrderValue', operator: 'equals', value: 80 }, true],
		[{ field: 'siteVisits', operator: 'lt', value: 12 }, false],
		[{ field: 'score', name: 'loyalty', operator: 'gte', value: 120 }, true],
		[{ field: 'score', name: 'lead', operator: 'equals', value: 0 }, true],
		[{ field: 'scoreTier', name: 'loyalty', operator: 'equals', value: 'gold' }, true],
		[{ field: 'scoreTier', name: 'lead', operator: 'isEmpty' }, true],
		[{ field: 'country', operator: 'equals', value: 'us' }, true],
		[{ field: 'country', operator: 'isNotOneOf', value: 'DE, FR' }, true],
		[{ field: 'city', operator: 'contains', value: 'FRAN' }, true],
		[{ field: 'city', operator: 'startsWith', value: 'san ' }, true],
		[{ field: 'city', operator: 'endsWith', value: 'cisco' }, true],
		[{ field: 'city', operator: 'notContains', value: 'x' }, true],
		[{ field: 'subscriptionStatus', operator: 'isOneOf', value: ['subscribed', 'pending'] }, true],
		[{ field: 'subscriptionStatus', operator: 'isNotOneOf', value: ['subscribed'] }, false],
		[{ field: 'buyerType', operator: 'isOneOf', value: ['repeat'] }, true],
		[{ field: 'buyerType', operator: 'isOneOf', value: ['firstTime', 'none'] }, false],
		[{ field: 'birthMonth', operator: 'isOneOf', value: ['current'] }, true],
		[{ field: 'suppressed', operator: 'isFalse' }, true],
		[{ field: 'tag', operator: 'includes', value: 'VIP' }, true],
		[{ field: 'tag', operator: 'notIncludes', value: 'newsletter' }, false],
		[{ field: 'purchasedProduct', operator: 'includes', value: 'P1' }, true],
		[{ field: 'purchasedProduct', operator: 'includes', value: 'p1' }, false],
		[{ field: 'purchasedProduct', operator: 'includes', value: 'p2', withinDays: 100 }, false],
		[{ field: 'purchasedSku', operator: 'includes', value: 'SKU-1' }, true],
		[{ field: 'purchasedSku', operator: 'includes', value: 'sku-1' }, false],
		[{ field: 'purchasedProductType', operator: 'includes', value: 'shoes' }, true],
		[{ field: 'purchasedProductTag', operator: 'includes', value: 'SUMMER' }, true],
		[{ field: 'purchasedProductTag', operator: 'notIncludes', value: 'winter' }, true],
		[{ field: 'hasAbandonedCart', operator: 'isTrue' }, true],
		[{ field: 'abandonedCartCount', operator: 'equals', value: 1 }, true],
		[{ field: 'viewedProduct', operator: 'includes', value: 'P9', times: 3 }, true],
		[{ field: 'viewedProduct', operator: 'includes', value: 'P9', times: 3, withinDays: 7 }, false],
		[{ field: 'viewedProduct', operator: 'includes', value: 'p9', times: 2 }, false],
		[{ field: 'viewedProduct', operator: 'includes', times: 2, withinDays: 7 }, true],
		[{ field: 'viewedProduct', operator: 'includes', times: 3, withinDays: 7 }, false],
		[{ field: 'viewedProduct', operator: 'notIncludes', value: 'P3', times: 1 }, false],
		[{ field: 'customField', name: 'shoeSize', valueType: 'number', operator: 'between', value: 37, value2: 39 }, true],
		[{ field: 'customField', name: 'shoeSize', valueType: 'text', operator: 'equals', value: '38' }, false],
		[{ field: 'customField', name: 'color', valueType: 'text', operator: 'equals', value: 'BLUE' }, true],
		[{ field: 'customField', name: 'vip', valueType: 'boolean', operator: 'isTrue' }, true],
		[{ field: 'customField', name: 'vip', valueType: 'boolean', operator: 'isFalse' }, false],
		[{ field: 'customField', name: 'empty', valueType: 'text', operator: 'isEmpty' }, true],
		[{ field: 'customField', name: 'nothing', valueType: 'number', operator: 'isEmpty' }, true],
		[{ field: 'customField', name: 'missing', valueType: 'text', operator: 'isEmpty' }, true],
		[{ field: 'customField', name: 'shoeSize', valueType: 'text', operator: 'isNotEmpty' }, true],
		[{ field: 'customField', name: 'constructor', valueType: 'text', operator: 'isEmpty' }, true],
	])('%j → %s', (condition, expected) => {
		expect(matches(condition)).toBe(expected);
	});

	it('"is not" and "does not contain" match empty values; comparisons do not', () => {
		const none = facts({ country: null, lastOrderValue: null, orderCount: 0, totalSpent: 0 });
		expect(matches({ field: 'country', operator: 'notEquals', value: 'US' }, none)).toBe(true);
		expect(matches({ field: 'country', operator: 'equals', value: 'US' }, none)).toBe(false);
		expect(matches({ field: 'country', operator: 'notContains', value: 'U' }, none)).toBe(true);
		expect(matches({ field: 'country', operator: 'isEmpty' }, none)).toBe(true);
		expect(matches({ field: 'country', operator: 'isEmpty' }, facts({ country: '' }))).toBe(true);
		expect(matches({ field: 'lastOrderValue', operator: 'lt', value: 1000 }, none)).toBe(false);
		expect(matches({ field: 'lastOrderValue', operator: 'notEquals', value: 5 }, none)).toBe(true);
		expect(matches({ field: 'averageOrderValue', operator: 'isEmpty' }, none)).toBe(true);
		expect(matches({ field: 'buyerType', operator: 'isOneOf', value: 'none' }, none)).toBe(true);
	});

	it('counts whole days elapsed, so "exactly 30 days" covers the whole 30th day', () => {
		const at = (ms: number) => facts({ lastPurchaseAt: NOW - ms });
		const exactly30 = { field: 'daysSinceLastOrder', operator: 'equals', value: 30 };
		expect(matches(exactly30, at(30 * DAY_MS))).toBe(true);
		expect(matches(exactly30, at(31 * DAY_MS - 1))).toBe(true);
		expect(matches(exactly30, at(31 * DAY_MS))).toBe(false);
		expect(matches(exactly30, at(30 * DAY_MS - 1))).toBe(false);
		expect(matches({ field: 'daysSinceLastOrder', operator: 'gt', value: 30 }, at(31 * DAY_MS - 1))).toBe(false);
		expect(matches({ field: 'daysSinceLastOrder', operator: 'gt', value: 30 }, at(31 * DAY_MS))).toBe(true);
		expect(matches({ field: 'daysSinceLastOrder', operator: 'lt', value: 1 }, at(-5 * DAY_MS))).toBe(true);
		expect(matches({ field: 'daysSinceLastOrder', operator: 'isEmpty' }, facts({ lastPurchaseAt: null }))).toBe(true);
		expect(matches({ field: 'daysSinceLastOrder', operator: 'gt', value: 0 }, facts({ lastPurchaseAt: null }))).toBe(false);
	});

	it('ignores the case of A–Z only, exactly as the SQL side does', () => {
		expect(fold('ÉCOLE Straße İ')).toBe('École straße İ');
		expect(matches({ field: 'city', operator: 'equals', value: 'münchen' }, facts({ city: 'MÜNCHEN' }))).toBe(false);
		expect(matches({ field: 'city', operator: 'equals', value: 'MüNCHEN' }, facts({ city: 'münchen' }))).toBe(true);
	});

	it('a cart counts as abandoned only after the delay, and within the window', () => {
		const recent = facts({ carts: [{ updatedAt: NOW - 30 * 60_000, convertedAt: null }] });
		expect(matches({ field: 'hasAbandonedCart', operator: 'isTrue' }, recent)).toBe(false);
		expect(compileMatcher(rules({ field: 'hasAbandonedCart', operator: 'isTrue' }), { ...ctx, abandonedAfterMs: 0 })(recent)).toBe(true);
		const old = facts({ carts: [{ updatedAt: NOW - 10 * DAY_MS, convertedAt: null }] });
		expect(matches({ field: 'hasAbandonedCart', operator: 'isTrue', withinDays: 7 }, old)).toBe(false);
		expect(matches({ field: 'hasAbandonedCart', operator: 'isFalse', withinDays: 7 }, old)).toBe(true);
	});

	it('birthday months "this month" and "next month" follow the reference time and wrap at December', () => {
		expect(resolveMonth('current', Date.parse('2026-12-31T23:59:59Z'))).toBe(12);
		expect(resolveMonth('next', Date.parse('2026-12-31T23:59:59Z'))).toBe(1);
		expect(resolveMonth('7', NOW)).toBe(7);
	});

	it('view totals answer "any time" and unambiguous windows, and say so otherwise', () => {
		const totals = facts({
			productViews: undefined,
			productViewTotals: [
				{ productId: 'P9', viewCount: 3, firstViewedAt: NOW - 20 * DAY_MS, lastViewedAt: NOW - DAY_MS },
				{ productId: 'P3', viewCount: 5, firstViewedAt: NOW - 3 * DAY_MS, lastViewedAt: NOW - DAY_MS },
			],
		});
		expect(matches({ field: 'viewedProduct', operator: 'includes', value: 'P9', times: 3 }, totals)).toBe(true);
		expect(matches({ field: 'viewedProduct', operator: 'includes', value: 'P3', times: 5, withinDays: 7 }, totals)).toBe(true);
		expect(() => matches({ field: 'viewedProduct', operator: 'includes', value: 'P9', times: 2, withinDays: 7 }, totals)).toThrow(
			'the item only has view totals for product "P9", not the time of each view',
		);
	});

	it('says which history an item lacks', () => {
		const bare = facts({ purchases: undefined, carts: undefined, productViews: undefined, tiers: undefined });
		expect(() => matches({ field: 'purchasedProduct', operator: 'includes', value: 'p1' }, bare)).toThrow(
			'"Purchased Product ID has "p1"" needs the contact\'s orders with their line items, which this item does not have',
		);
		expect(() => matches({ field: 'hasAbandonedCart', operator: 'isTrue' }, bare)).toThrow("needs the contact's carts");
		expect(() => matches({ field: 'viewedProduct', operator: 'includes', times: 1 }, bare)).toThrow("needs the contact's product views");
		expect(() => matches({ field: 'scoreTier', name: 'loyalty', operator: 'equals', value: 'Gold' }, bare)).toThrow("needs the contact's score tiers");
		expect([...factNeeds([rules({ field: 'tag', operator: 'includes', value: 'x' }, { field: 'hasAbandonedCart', operator: 'isTrue' })])]).toEqual(['carts']);
	});

	it('combines AND/OR groups and explains what failed', () => {
		const r = parseRules({
			combinator: 'and',
			conditions: [
				{ field: 'totalSpent', operator: 'gt', value: 1000 },
				{ combinator: 'or', conditions: [{ field: 'country', operator: 'equals', value: 'DE' }, { field: 'tag', operator: 'includes', value: 'gold' }] },
				{ field: 'orderCount', operator: 'gte', value: 2 },
			],
		});
		const f = facts();
		const results = evaluateConditions(r, f, ctx);
		expect(results).toEqual([false, false, false, true]);
		expect(combineResults(r, results)).toBe(false);
		expect(compileMatcher(r, ctx)(f)).toBe(false);
		expect(explainFailure(r, results)).toEqual(['Total Spent > 1000', 'none of: Country is "de"; Tag has "gold"']);
		const anyOf = parseRules({ combinator: 'or', conditions: [{ field: 'country', operator: 'equals', value: 'DE' }, { field: 'orderCount', operator: 'gte', value: 2 }] });
		expect(compileMatcher(anyOf, ctx)(f)).toBe(true);
		expect(explainFailure(anyOf, evaluateConditions(anyOf, f, ctx))).toEqual([]);
	});

	it('describes conditions the way a marketer reads them', () => {
		const d = (c: RawCondition) => describeCondition(flattenConditions(rules(c))[0]);
		expect(d({ field: 'daysSinceLastOrder', operator: 'between', value: 90, value2: 180 })).toBe('Days Since Last Order is between 90 and 180');
		expect(d({ field: 'viewedProduct', operator: 'includes', times: 3, withinDays: 7 })).toBe('Viewed any one product at least 3 times within the last 7 days');
		expect(d({ field: 'score', name: 'loyalty', operator: 'gte', value: 100 })).toBe('Score "loyalty" ≥ 100');
		expect(d({ field: 'hasAbandonedCart', operator: 'isTrue', withinDays: 1 })).toBe('Has Abandoned Cart is yes within the last 1 day');
	});
});

describe('SQL compilation', () => {
	const nasty = `x'); DROP TABLE contacts; -- %_\\ "$1`;

	it('binds every user value as a parameter, never in the SQL text', () => {
		for (const dialect of ['sqlite', 'postgres'] as const) {
			const r = rules(
				{ field: 'tag', operator: 'includes', value: nasty },
				{ field: 'country', operator: 'isOneOf', value: [nasty, 'US'] },
				{ field: 'customField', name: nasty, valueType: 'text', operator: 'contains', value: nasty },
				{ field: 'score', name: nasty, operator: 'gt', value: 5 },
				{ field: 'purchasedProductTag', operator: 'includes', value: nasty },
				{ field: 'viewedProduct', operator: 'includes', value: nasty, times: 2, withinDays: 3 },
			);
			const params = new SqlParams(dialect);
			const sql = compileRulesSql(r, params, ctx);
			expect(sql).not.toContain('DROP');
			expect(sql).not.toContain(nasty.slice(0, 3));
			expect(params.values).toContain(fold(nasty).toLowerCase());
			expect(params.values).toContain(nasty);
			const placeholders = sql.match(/\$\d+/g)!.map((p) => Number(p.slice(1)));
			expect(Math.max(...placeholders)).toBe(params.values.length);
			if (dialect === 'postgres') expect(sql).toMatch(/\$1::text/);
		}
	});

	it('compiles one expression per condition, in flattened order', () => {
		const r = parseRules({ combinator: 'or', conditions: [{ field: 'orderCount', operator: 'gt', value: 1 }, { conditions: [{ field: 'suppressed', operator: 'isTrue' }, { field: 'siteVisits', operator: 'isNotEmpty' }] }] });
		const parts = compileConditionsSql(r, new SqlParams('sqlite'), ctx);
		expect(parts).toEqual(['coalesce(c.order_count > $1, FALSE)', '(c.suppressed = 1)', '(c.site_visits IS NOT NULL)']);
		expect(compileRulesSql(r, new SqlParams('sqlite'), ctx)).toBe('(coalesce(c.order_count > $1, FALSE) OR ((c.suppressed = 1) AND (c.site_visits IS NOT NULL)))');
	});

	it('turns "days since" into exact timestamp bounds', () => {
		const params = new SqlParams('postgres');
		const sql = compileRulesSql(rules({ field: 'daysSinceLastOrder', operator: 'equals', value: 30 }), params, ctx);
		expect(sql).toBe('coalesce(c.last_purchase_at <= $1::int8 AND c.last_purchase_at > $2::int8, FALSE)');
		expect(params.values).toEqual([NOW - 30 * DAY_MS, NOW - 31 * DAY_MS]);
	});
});
