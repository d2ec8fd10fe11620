import { factsFromItem, parseTime, profileOf } from '../../lib/domain/contactFacts';
import { tryParseTimestamp } from '../../lib/domain/values';

const profile = {
	id: 7,
	email: 'ada@example.com',
	country: 'DE',
	region: null,
	city: 'Berlin',
	birthday: '--03-14',
	status: 'subscribed',
	suppressed: false,
	orderCount: 2,
	totalSpent: 120.5,
	lastOrderValue: 70.5,
	firstPurchaseAt: '2026-01-01T10:00:00.000Z',
	lastPurchaseAt: '2026-02-01T10:00:00.000Z',
	lastEngagementAt: null,
	lastVisitAt: '2026-02-10T10:00:00.000Z',
	signedUpAt: null,
	siteVisits: 4,
	custom: { shoeSize: 38 },
	tags: ['vip'],
	scores: { loyalty: 120 },
	tiers: { loyalty: 'Gold' },
};

describe('facts from an input item', () => {
	it('reads the Marketing Contact profile in "contact", with the Get history beside it', () => {
		const item = {
			found: true,
			contact: profile,
			orders: [
				{ placedAt: '2026-01-01T10:00:00Z', counted: true, lineItems: [{ productId: 'p1', sku: 'S1', productType: 'Shoes', tags: ['summer'], title: 'Shoe' }] },
				{ placedAt: '2026-01-05T10:00:00Z', counted: false, lineItems: [{ productId: 'p-cancelled', title: 'X' }] },
			],
			carts: [{ updatedAt: '2026-02-01T10:00:00Z', convertedAt: null }],
			productViews: [{ productId: 'p9', viewCount: 3, firstViewedAt: '2026-02-01T10:00:00Z', lastViewedAt: '2026-02-03T10:00:00Z' }],
		};
		const facts = factsFromItem(item, new Set(['purchases', 'carts', 'views']));
		expect(facts).toMatchObject({
			email: 'ada@example.com',
			country: 'DE',
			city: 'Berlin',
			birthMonth: 3,
			orderCount: 2,
			totalSpent: 120.5,
			lastPurchaseAt: Date.parse('2026-02-01T10:00:00Z'),
			lastEngagementAt: null,
			custom: { shoeSize: 38 },
			tags: ['vip'],
			scores: { loyalty: 120 },
			tiers: { loyalty: 'Gold' },
			purchases: [{ placedAt: Date.parse('2026-01-01T10:00:00Z'), productId: 'p1', sku: 'S1', productType: 'Shoes', tags: ['summer'] }],
			carts: [{ updatedAt: Date.parse('2026-02-01T10:00:00Z'), convertedAt: null }],
			productViewTotals: [{ productId: 'p9', viewCount: 3 }],
		});
		expect(facts.productViews).toBeUndefined();
	});

	it('leaves history it was not asked for, or that the item lacks, undefined', () => {
		expect(factsFromItem({ contact: profile, orders: [] }, new Set()).purchases).toBeUndefined();
		expect(factsFromItem({ contact: profile }, new Set(['purchases'])).purchases).toBeUndefined();
		expect(factsFromItem({ email: 'x@example.com' }, new Set()).tiers).toBeUndefined();
	});

	it('takes the item itself as the profile, with common store-export spellings', () => {
		const item = { email: 'bob@example.com', orders_count: '3', total_spent: '199.90', tags: 'VIP, wholesale', scores: { loyalty: { points: 50, tier: 'Silver' } } };
		expect(profileOf(item)).toBe(item);
		expect(factsFromItem(item, new Set())).toMatchObject({ orderCount: 3, totalSpent: 199.9, tags: ['VIP', 'wholesale'], scores: { loyalty: 50 }, tiers: { loyalty: 'Silver' }, country: null });
	});

	it('says which value of the contact is wrong', () => {
		expect(() => factsFromItem({ contact: { ...profile, totalSpent: 'lots' } }, new Set())).toThrow('"totalSpent" of the contact is not a number: "lots"');
		expect(() => factsFromItem({ contact: { ...profile, lastPurchaseAt: 'yesterday' } }, new Set())).toThrow('"lastPurchaseAt" of the contact is not a date: "yesterday"');
		expect(() => factsFromItem({ contact: profile, carts: [{ updatedAt: 'soon' }] }, new Set(['carts']))).toThrow('carts[0].updatedAt is not a date: "soon"');
	});
});

describe('parseTime', () => {
	it('reads ISO date-times with a zone exactly like the general parser, and rejects dates that do not exist', () => {
		for (const text of ['2026-03-01T10:00:00.000Z', '2026-03-01T10:00Z', '2026-03-01T10:00:00+02:00', '2024-02-29T23:59:59.999-05:30', '1900-01-01T00:00:00Z']) {
			expect(parseTime(text)).toBe(tryParseTimestamp(text));
		}
		expect(parseTime('2026-02-30T00:00:00Z')).toBeUndefined();
		expect(parseTime('2026-02-28T24:00:00Z')).toBe(tryParseTimestamp('2026-02-28T24:00:00Z'));
		expect(parseTime('1899-12-31T00:00:00Z')).toBeUndefined();
		expect(parseTime('2026-03-01 10:00:00')).toBe(Date.parse('2026-03-01T10:00:00Z'));
		expect(parseTime(1772359200)).toBe(1772359200000);
	});
});
