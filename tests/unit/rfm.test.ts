import { cutPositions, cutsFromSorted, fmScore, quintileScore, RFM_GRID, RFM_GROUP_DESCRIPTIONS, rfmGroup, scoreRfm, type RfmGroup } from '../../lib/domain/rfm';

describe('RFM quintile scores', () => {
	it('cuts at the value of rank ceil(k·n/5) for k = 1…4', () => {
		expect(cutPositions(100)).toEqual([19, 39, 59, 79]);
		expect(cutPositions(3)).toEqual([0, 1, 1, 2]);
		expect(cutPositions(1)).toEqual([0, 0, 0, 0]);
		expect(cutPositions(0)).toEqual([]);
	});

	it('scores 1 + floor(5 × share of customers with a strictly lower value)', () => {
		const values = Array.from({ length: 100 }, (_, i) => i + 1);
		const cuts = cutsFromSorted(values);
		for (const v of values) {
			const below = values.filter((x) => x < v).length;
			expect(quintileScore(v, cuts)).toBe(Math.min(5, 1 + Math.floor((5 * below) / values.length)));
		}
		expect(quintileScore(0, cuts)).toBe(1);
		expect(quintileScore(1000, cuts)).toBe(5);
	});

	it('gives tied values one score: every one-time buyer has F = 1', () => {
		const orders = [...Array(60).fill(1), ...Array(20).fill(2), ...Array(10).fill(3), ...Array(10).fill(8)].sort((a, b) => a - b);
		const cuts = cutsFromSorted(orders);
		expect(quintileScore(1, cuts)).toBe(1);
		expect(quintileScore(2, cuts)).toBe(4);
		expect(quintileScore(3, cuts)).toBe(5);
		expect(quintileScore(8, cuts)).toBe(5);
	});
});

describe('RFM groups', () => {
	it('maps every one of the 125 codes to one of the eight named groups', () => {
		const groups = new Set<RfmGroup>();
		for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) groups.add(rfmGroup(r, f, m));
		expect([...groups].sort()).toEqual(["At Risk", 'Champions', "Can't Lose", 'Hibernating', 'Lost', 'Loyal', 'New', 'Potential'].sort());
		expect(Object.keys(RFM_GROUP_DESCRIPTIONS).sort()).toEqual([...groups].sort());
		for (const row of Object.values(RFM_GRID)) expect(row).toHaveLength(5);
	});

	it.each<[string, RfmGroup]>([
		['555', 'Champions'],
		['545', 'Champions'],
		['455', 'Loyal'],
		['344', 'Loyal'],
		['511', 'New'],
		['411', 'New'],
		['412', 'Potential'],
		['523', 'Potential'],
		['333', 'Potential'],
		['155', "Can't Lose"],
		['254', "Can't Lose"],
		['143', 'At Risk'],
		['233', 'At Risk'],
		['221', 'Hibernating'],
		['312', 'Hibernating'],
		['111', 'Lost'],
		['122', 'Lost'],
	])('%s is %s', (code, group) => {
		const [r, f, m] = code.split('').map(Number);
		expect(rfmGroup(r, f, m)).toBe(group);
	});

	it('FM is the average of F and M, rounded half up', () => {
		expect(fmScore(1, 2)).toBe(2);
		expect(fmScore(4, 5)).toBe(5);
		expect(fmScore(3, 3)).toBe(3);
		expect(() => rfmGroup(0, 1, 1)).toThrow('Recency score must be 1–5, got 0');
	});

	it('scores a customer against the store and explains contacts it cannot score', () => {
		const boundaries = { customers: 10, recency: [100, 200, 300, 400], frequency: [1, 1, 2, 3], monetary: [50, 100, 150, 200] };
		expect(scoreRfm({ lastPurchaseAt: 450, orderCount: 4, totalSpent: 500 }, boundaries)).toEqual({
			scored: true,
			recency: 5,
			frequency: 5,
			monetary: 5,
			code: '555',
			group: 'Champions',
			groupDescription: RFM_GROUP_DESCRIPTIONS.Champions,
			customersCompared: 10,
		});
		expect(scoreRfm({ lastPurchaseAt: 50, orderCount: 1, totalSpent: 20 }, boundaries)).toMatchObject({ code: '111', group: 'Lost' });
		expect(scoreRfm({ lastPurchaseAt: null, orderCount: 0, totalSpent: 0 }, boundaries)).toEqual({ scored: false, reason: 'No orders yet: RFM scores customers only', customersCompared: 10 });
		expect(scoreRfm({ lastPurchaseAt: 5, orderCount: 1, totalSpent: 5 }, { customers: 0, recency: [], frequency: [], monetary: [] })).toMatchObject({ scored: false });
	});
});
