/**
 * The purchase cycle: when a contact is expected to order again, from the intervals
 * between their own purchases ("ordered every ~30 days, last order 27 days ago: remind
 * them now"). Orders placed within 24 hours of the previous one are one purchase (split
 * orders, a forgotten item), so at least two purchases on different days are needed.
 */
import { toIso } from './values';

export const DAY_MS = 86_400_000;

export type IntervalMethod = 'median' | 'mean';

export interface PredictOptions {
	now: number;
	method: IntervalMethod;
	/** Remind this many days before the expected date. */
	leadDays: number;
	/** Only the most recent purchases count (0 = all). */
	maxPurchases?: number;
}

export type NextOrderPrediction =
	| {
			predicted: true;
			method: IntervalMethod;
			purchases: number;
			intervalDays: number;
			lastOrderAt: string;
			expectedNextOrderAt: string;
			reminderAt: string;
			/** Whole days until the expected date; negative when overdue. */
			daysUntilNextOrder: number;
			overdue: boolean;
			/** From Lead Time days before the expected date until one interval after it. */
			reminderDue: boolean;
			/** More than one whole interval overdue: a win-back case rather than a reminder. */
			lapsed: boolean;
	  }
	| { predicted: false; purchases: number; reason: string };

/** Purchase times (one per purchase occasion), oldest first. */
export function purchaseOccasions(orderTimes: number[]): number[] {
	const sorted = [...orderTimes].filter((t) => Number.isFinite(t)).sort((a, b) => a - b);
	const occasions: number[] = [];
	let previous = -Infinity;
	for (const t of sorted) {
		if (t - previous >= DAY_MS) occasions.push(t);
		previous = t;
	}
	return occasions;
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function predictNextOrder(orderTimes: number[], options: PredictOptions): NextOrderPrediction {
	let occasions = purchaseOccasions(orderTimes);
	if (options.maxPurchases && options.maxPurchases >= 2 && occasions.length > options.maxPurchases) {
		occasions = occasions.slice(-options.maxPurchases);
	}
	const purchases = occasions.length;
	if (purchases < 2) {
		return {
			predicted: false,
			purchases,
			reason:
				purchases === 0
					? 'No orders yet: a purchase cycle needs at least 2 purchases on different days'
					: 'Only 1 purchase so far: a purchase cycle needs at least 2 purchases on different days',
		};
	}
	const intervals = occasions.slice(1).map((t, i) => t - occasions[i]);
	const interval = options.method === 'mean' ? intervals.reduce((a, b) => a + b, 0) / intervals.length : median(intervals);
	const last = occasions[occasions.length - 1];
	const expected = Math.round(last + interval);
	const remindFrom = expected - options.leadDays * DAY_MS;
	const untilMs = expected - options.now;
	const daysUntil = untilMs >= 0 ? Math.floor(untilMs / DAY_MS) : -Math.ceil(-untilMs / DAY_MS);
	const lapsed = options.now >= expected + interval;
	return {
		predicted: true,
		method: options.method,
		purchases,
		intervalDays: Math.round((interval / DAY_MS) * 10) / 10,
		lastOrderAt: toIso(last)!,
		expectedNextOrderAt: toIso(expected)!,
		reminderAt: toIso(remindFrom)!,
		daysUntilNextOrder: daysUntil,
		overdue: options.now > expected,
		reminderDue: options.now >= remindFrom && !lapsed,
		lapsed,
	};
}
