/**
 * Named contact scores (lead, loyalty, engagement…): points, award rules, tiers,
 * thresholds and decay. A score is the sum of its awards that have not expired;
 * these pure functions decide what to award, which tier applies and when a
 * threshold fires.
 */
import { InputError } from './errors';
import { DAY_MS } from './tags';
import { cleanInputText } from './values';

export const MAX_SCORE_NAME_LENGTH = 100;

/** Round to 2 decimals (points may be fractional, e.g. 0.5 per currency unit). */
export function roundPoints(n: number): number {
	const r = Math.round(n * 100) / 100;
	return Object.is(r, -0) ? 0 : r;
}

export function normalizeScoreName(value: unknown, field = 'Score Name'): string {
	if (typeof value !== 'string' && typeof value !== 'number') throw new InputError(`"${field}" must be text`, field);
	const name = cleanInputText(String(value)).trim().replace(/\s+/g, ' ').toLowerCase();
	if (!name) throw new InputError(`"${field}" is empty`, field, 'Name the score, e.g. lead or loyalty');
	if (name.length > MAX_SCORE_NAME_LENGTH) throw new InputError(`"${field}" is longer than ${MAX_SCORE_NAME_LENGTH} characters`, field);
	return name;
}

/** A number of points: a number or numeric text; negative only where allowed. */
export function parsePoints(value: unknown, field: string, { allowNegative = true } = {}): number {
	let n: number;
	if (typeof value === 'number') n = value;
	else if (typeof value === 'string' && value.trim() !== '') n = Number(value.trim());
	else throw new InputError(`"${field}" is missing or not a number`, field);
	if (!Number.isFinite(n)) throw new InputError(`"${field}" is not a number: ${JSON.stringify(value)}`, field);
	if (!allowNegative && n < 0) throw new InputError(`"${field}" must not be negative (got ${n})`, field);
	if (Math.abs(n) > 1e12) throw new InputError(`"${field}" is too large (${n})`, field);
	return roundPoints(n);
}

/** A positive whole or fractional number of days; `allowZero` lets 0 mean "off". */
export function parseDays(value: unknown, field: string, { allowZero = false } = {}): number {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
	if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
		throw new InputError(`"${field}" must be a ${allowZero ? 'non-negative' : 'positive'} number of days (got ${JSON.stringify(value)})`, field);
	}
	return n;
}

/** When an award made at `now` expires: after `days`, or never for 0. */
export function awardExpiry(now: number, days: number): number | null {
	return days > 0 ? now + Math.round(days * DAY_MS) : null;
}

// ---------------------------------------------------------------- award rules

export type Rounding = 'down' | 'nearest' | 'none';

/** Points for money spent: amount × rate, rounded down to whole points by default. */
export function pointsForAmount(amount: number, rate: number, rounding: Rounding = 'down'): number {
	const raw = amount * rate;
	// Guard against 59.9 * 10 = 598.9999999: round to 6 decimals before flooring.
	const clean = Math.round(raw * 1e6) / 1e6;
	if (rounding === 'down') return Math.floor(clean);
	if (rounding === 'nearest') return Math.round(clean);
	return roundPoints(clean);
}

/**
 * A URL filter for page visits: with `*` wildcards the pattern must match the whole
 * URL (`https://shop.example.com/pricing*`); without, the URL must contain it
 * (`/pricing`). Case-insensitive. Empty matches every URL.
 */
export function urlMatcher(pattern: string | undefined): (url: string) => boolean {
	const p = (pattern ?? '').trim();
	if (!p) return () => true;
	if (!p.includes('*')) {
		const needle = p.toLowerCase();
		return (url) => url.toLowerCase().includes(needle);
	}
	const re = new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`, 'i');
	return (url) => re.test(url);
}

function escapeRegExp(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Points per page visit: the visits counted so far were already awarded, so only
 * new ones earn points (a rerun awards nothing; late visits are caught up).
 * `maxVisits` caps the visits that count (0 = no cap).
 */
export function pageVisitAward(visits: number, alreadyCounted: number, pointsPerVisit: number, maxVisits = 0) {
	const counting = maxVisits > 0 ? Math.min(visits, maxVisits) : visits;
	const fresh = Math.max(0, counting - alreadyCounted);
	return { counted: Math.max(counting, alreadyCounted), newVisits: fresh, points: roundPoints(fresh * pointsPerVisit) };
}

// ---------------------------------------------------------------- tiers

export interface Tier {
	name: string;
	minimum: number;
}

export const DEFAULT_TIERS: Tier[] = [
	{ name: 'Bronze', minimum: 0 },
	{ name: 'Silver', minimum: 500 },
	{ name: 'Gold', minimum: 1000 },
];

/** Checks and sorts tiers by minimum: names unique and non-empty, minimums distinct numbers. */
export function validateTiers(input: Array<{ name?: unknown; minimum?: unknown }>, field = 'Tiers'): Tier[] {
	if (!Array.isArray(input) || input.length === 0) throw new InputError(`"${field}" has no tier`, field, 'Add tiers such as Bronze 0, Silver 500, Gold 1000');
	const tiers: Tier[] = input.map((t, i) => {
		const name = typeof t.name === 'string' || typeof t.name === 'number' ? String(t.name).trim() : '';
		if (!name) throw new InputError(`Tier ${i + 1} in "${field}" has no name`, field);
		if (name.length > 100) throw new InputError(`Tier name "${name.slice(0, 30)}…" is longer than 100 characters`, field);
		return { name, minimum: parsePoints(t.minimum, `${field}: minimum of ${name}`) };
	});
	const names = new Set<string>();
	const minimums = new Set<number>();
	for (const t of tiers) {
		if (names.has(t.name.toLowerCase())) throw new InputError(`Tier "${t.name}" appears twice in "${field}"`, field);
		if (minimums.has(t.minimum)) throw new InputError(`Two tiers in "${field}" start at ${t.minimum} points`, field, 'Give each tier its own minimum');
		names.add(t.name.toLowerCase());
		minimums.add(t.minimum);
	}
	return tiers.sort((a, b) => a.minimum - b.minimum);
}

/** The tier of the highest minimum the points reach; null below the lowest tier. */
export function tierFor(points: number, tiers: Tier[]): string | null {
	let tier: string | null = null;
	for (const t of [...tiers].sort((a, b) => a.minimum - b.minimum)) if (points >= t.minimum) tier = t.name;
	return tier;
}

/** Whether a move between tiers goes up (+1), down (-1) or nowhere (0). */
export function tierDirection(from: string | null, to: string | null, tiers: Tier[]): -1 | 0 | 1 {
	if (from === to) return 0;
	const rank = (name: string | null) => (name === null ? -1 : tiers.findIndex((t) => t.name === name));
	return rank(to) > rank(from) ? 1 : -1;
}

// ---------------------------------------------------------------- thresholds

/**
 * A threshold fires once when the score reaches it and is armed again only once the
 * score is seen below it: crossed is true only for an armed threshold reached now.
 */
export function decideThreshold(armed: boolean, points: number, threshold: number): { crossed: boolean; armed: boolean } {
	if (points >= threshold) return { crossed: armed, armed: false };
	return { crossed: false, armed: true };
}

// ---------------------------------------------------------------- decay

export interface DecayRule {
	/** Points taken per whole period of inactivity. */
	points: number;
	periodDays: number;
	/** The score never decays below this (0 by default). */
	floor: number;
}

/**
 * Whole periods of inactivity not yet decayed. Inactivity starts at the last activity
 * (`activeAt`) or where the previous decay stopped (`decayedUntil`), whichever is
 * later; `until` is where this decay stops (the end of the last whole period).
 * Keeping the time rather than a count lets the period change without decaying twice.
 */
export function decayPeriodsDue(activeAt: number, decayedUntil: number | null, now: number, periodDays: number) {
	const periodMs = periodDays * DAY_MS;
	const start = decayedUntil !== null && decayedUntil > activeAt ? decayedUntil : activeAt;
	const due = now > start ? Math.floor((now - start) / periodMs) : 0;
	return { due, start, until: start + due * periodMs, nextAt: start + (due + 1) * periodMs };
}

/** Net points of the current awards that expire at the same time (null = never). */
export interface AwardBucket {
	expiresAt: number | null;
	points: number;
}

/**
 * Splits a decay of `amount` points over the current awards so that it can never
 * push the score below `floor`, not even later when awards expire: the decay is
 * taken from the positive awards that expire first, as negative awards expiring
 * with them (both disappear together), then from the points that never expire;
 * what is left (only possible with a floor below 0) never expires.
 */
export function planDecay(buckets: AwardBucket[], amount: number, floor: number): AwardBucket[] {
	const score = roundPoints(buckets.reduce((sum, b) => sum + b.points, 0));
	let left = roundPoints(Math.min(amount, Math.max(0, score - floor)));
	const plan: AwardBucket[] = [];
	const ordered = buckets
		.filter((b) => b.points > 0)
		.sort((a, b) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity));
	for (const b of ordered) {
		if (left <= 0) break;
		const take = roundPoints(Math.min(left, b.points));
		plan.push({ expiresAt: b.expiresAt, points: -take });
		left = roundPoints(left - take);
	}
	if (left > 0) {
		const permanent = plan.find((p) => p.expiresAt === null);
		if (permanent) permanent.points = roundPoints(permanent.points - left);
		else plan.push({ expiresAt: null, points: -left });
	}
	return plan;
}
