import { DAY_MS, median, predictNextOrder, purchaseOccasions } from '../../lib/domain/purchaseCycle';

const T0 = Date.parse('2026-01-01T10:00:00Z');
const day = (n: number) => T0 + n * DAY_MS;

describe('purchase cycle', () => {
	it('merges orders placed within 24 hours of the previous one into one purchase', () => {
		expect(purchaseOccasions([day(30), day(0), day(0) + 3_600_000, day(0) + 20 * 3_600_000, day(60)])).toEqual([day(0), day(30), day(60)]);
		expect(median([5, 1, 3])).toBe(3);
		expect(median([4, 1, 3, 10])).toBe(3.5);
	});

	it('predicts the next order one median interval after the last purchase', () => {
		const p = predictNextOrder([day(0), day(30), day(58), day(90)], { now: day(100), method: 'median', leadDays: 3 });
		expect(p).toEqual({
			predicted: true,
			method: 'median',
			purchases: 4,
			intervalDays: 30,
			lastOrderAt: new Date(day(90)).toISOString(),
			expectedNextOrderAt: new Date(day(120)).toISOString(),
			reminderAt: new Date(day(117)).toISOString(),
			daysUntilNextOrder: 20,
			overdue: false,
			reminderDue: false,
			lapsed: false,
		});
	});

	it('uses the mean when asked, and only the last N purchases when limited', () => {
		expect(predictNextOrder([day(0), day(10), day(40)], { now: day(40), method: 'mean', leadDays: 0 })).toMatchObject({ intervalDays: 20, expectedNextOrderAt: new Date(day(60)).toISOString() });
		expect(predictNextOrder([day(0), day(100), day(110), day(120)], { now: day(120), method: 'mean', leadDays: 0, maxPurchases: 3 })).toMatchObject({ purchases: 3, intervalDays: 10 });
	});

	it('is due from the lead time before the expected date until one interval after it', () => {
		const orders = [day(0), day(30)];
		const at = (n: number) => predictNextOrder(orders, { now: day(n), method: 'median', leadDays: 5 });
		expect(at(54)).toMatchObject({ reminderDue: false, overdue: false, daysUntilNextOrder: 6 });
		expect(at(55)).toMatchObject({ reminderDue: true, overdue: false, daysUntilNextOrder: 5 });
		expect(at(60)).toMatchObject({ reminderDue: true, overdue: false, daysUntilNextOrder: 0 });
		expect(at(60.5)).toMatchObject({ reminderDue: true, overdue: true, daysUntilNextOrder: -1 });
		expect(at(89)).toMatchObject({ reminderDue: true, lapsed: false, daysUntilNextOrder: -29 });
		expect(at(90)).toMatchObject({ reminderDue: false, lapsed: true, overdue: true });
	});

	it('says why there is no prediction without two purchases on different days', () => {
		expect(predictNextOrder([], { now: T0, method: 'median', leadDays: 3 })).toEqual({
			predicted: false,
			purchases: 0,
			reason: 'No orders yet: a purchase cycle needs at least 2 purchases on different days',
		});
		expect(predictNextOrder([day(0), day(0) + 3_600_000], { now: T0, method: 'median', leadDays: 3 })).toEqual({
			predicted: false,
			purchases: 1,
			reason: 'Only 1 purchase so far: a purchase cycle needs at least 2 purchases on different days',
		});
	});
});
