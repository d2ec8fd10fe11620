/**
 * RFM: recency, frequency and monetary scores from 1 to 5, relative to every
 * customer of the store (contacts with at least one counted order), and the usual
 * named groups.
 *
 * A score is the quintile of the share of customers with a strictly lower value:
 * score = 1 + floor(5 × below / customers), so tied values share one score (all
 * one-time buyers get F = 1, not a spread over F 1–3). For recency the value is the
 * last purchase time (more recent = higher). The store gives the four cut values,
 * cut_k = the value at sorted position ceil(k × customers / 5) − 1, and
 * score = 1 + the number of cuts strictly below the value.
 */

export interface RfmBoundaries {
	/** Customers compared (contacts with at least one counted order). */
	customers: number;
	/** Four cut values each (fewer only when there are no customers). */
	recency: number[];
	frequency: number[];
	monetary: number[];
}

export type RfmGroup = 'Champions' | 'Loyal' | 'Potential' | 'New' | 'At Risk' | "Can't Lose" | 'Hibernating' | 'Lost';

export const RFM_GROUP_DESCRIPTIONS: Record<RfmGroup, string> = {
	Champions: 'Bought recently, buy often and spend the most: reward them, ask for reviews, early access to new products',
	Loyal: 'Buy regularly and spend well: loyalty program, upsell higher-value products',
	Potential: 'Recent customers with average frequency or spend: membership or loyalty offers, recommendations',
	New: 'Bought recently for the first time: onboarding, build the relationship',
	'At Risk': 'Spent well and bought often, but long ago: personal win-back emails, helpful content',
	"Can't Lose": 'Used to be among the best customers and have not come back: win them back with strong offers, talk to them',
	Hibernating: 'Last purchase long ago, few orders and low spend: relevant products and special discounts',
	Lost: 'Lowest recency, frequency and spend: a last re-engagement campaign, otherwise leave them out',
};

/**
 * The named group of every (R, FM) pair, FM being the average of F and M rounded half up.
 * Rows are R = 5 (top) down to R = 1; columns FM = 1 … 5.
 */
export const RFM_GRID: Record<number, RfmGroup[]> = {
	5: ['New', 'Potential', 'Potential', 'Champions', 'Champions'],
	4: ['New', 'Potential', 'Potential', 'Loyal', 'Loyal'],
	3: ['Hibernating', 'Hibernating', 'Potential', 'Loyal', 'Loyal'],
	2: ['Hibernating', 'Hibernating', 'At Risk', 'At Risk', "Can't Lose"],
	1: ['Lost', 'Lost', 'At Risk', 'At Risk', "Can't Lose"],
};

/** Sorted positions (0-based) of the four cut values among `customers` sorted values. */
export function cutPositions(customers: number): number[] {
	if (customers <= 0) return [];
	return [1, 2, 3, 4].map((k) => Math.ceil((k * customers) / 5) - 1);
}

/** Cut values from a sorted list (for tests and small in-memory populations). */
export function cutsFromSorted(sorted: number[]): number[] {
	return cutPositions(sorted.length).map((i) => sorted[i]);
}

/** 1–5: one plus the number of cut values strictly below `value`. */
export function quintileScore(value: number, cuts: number[]): number {
	let score = 1;
	for (const cut of cuts) if (value > cut) score++;
	return Math.min(score, 5);
}

export function fmScore(frequency: number, monetary: number): number {
	return Math.floor((frequency + monetary) / 2 + 0.5);
}

export function rfmGroup(recency: number, frequency: number, monetary: number): RfmGroup {
	for (const [name, score] of [
		['Recency', recency],
		['Frequency', frequency],
		['Monetary', monetary],
	] as const) {
		if (!Number.isInteger(score) || score < 1 || score > 5) throw new RangeError(`${name} score must be 1–5, got ${score}`);
	}
	return RFM_GRID[recency][fmScore(frequency, monetary) - 1];
}

export interface RfmInput {
	lastPurchaseAt: number | null;
	orderCount: number;
	totalSpent: number;
}

export type RfmResult =
	| {
			scored: true;
			recency: number;
			frequency: number;
			monetary: number;
			code: string;
			group: RfmGroup;
			groupDescription: string;
			customersCompared: number;
	  }
	| { scored: false; reason: string; customersCompared: number };

export function scoreRfm(input: RfmInput, boundaries: RfmBoundaries): RfmResult {
	const customersCompared = boundaries.customers;
	if (input.orderCount < 1 || input.lastPurchaseAt === null) {
		return { scored: false, reason: 'No orders yet: RFM scores customers only', customersCompared };
	}
	if (boundaries.customers < 1) {
		return { scored: false, reason: 'The contact store has no customers with orders to compare with', customersCompared };
	}
	const recency = quintileScore(input.lastPurchaseAt, boundaries.recency);
	const frequency = quintileScore(input.orderCount, boundaries.frequency);
	const monetary = quintileScore(input.totalSpent, boundaries.monetary);
	const group = rfmGroup(recency, frequency, monetary);
	return {
		scored: true,
		recency,
		frequency,
		monetary,
		code: `${recency}${frequency}${monetary}`,
		group,
		groupDescription: RFM_GROUP_DESCRIPTIONS[group],
		customersCompared,
	};
}
