import { InputError } from './errors';
import { createSchedule, DAY_MS, positionOf, type Position, type Schedule, type ScheduleStep } from './dueSteps';

/**
 * The win-back window: a lapsed customer gets a first email X days after their
 * anchor date (last purchase or last engagement), follow-ups evenly spread between
 * it and the cutoff, a final email at the cutoff, and is then "expired" (tagged or
 * suppressed as lapsed) to keep the list clean. A purchase or engagement moves the
 * anchor, which takes the contact out of the window and starts it afresh.
 */

export interface WinbackTiming {
	/** Days from the anchor to the first email. */
	firstAfterDays: number;
	/** Longest gap between two emails, in days; follow-ups are spread evenly between first and final. */
	followUpEveryDays: number;
	/** Days from the anchor to the final email (the cutoff). */
	finalAfterDays: number;
	/** Days after the final email at which the contact expires (the after-window action). */
	expireAfterDays: number;
}

/**
 * Defaults from the win-back timing guidance: first email about 3 months after the
 * last activity, follow-ups every 1–2 months, final at 9 months. 60 days (the slow
 * end of "every 1–2 months") gives first (90), follow-ups at 150 and 210, and final
 * (270): four emails over six months, which re-engages without over-sending to people
 * who stopped listening. Expiry comes 30 days after the final email, time enough to
 * react to it.
 */
export const WINBACK_DEFAULTS: WinbackTiming = {
	firstAfterDays: 90,
	followUpEveryDays: 60,
	finalAfterDays: 270,
	expireAfterDays: 30,
};

export const EXPIRED_STEP = 'expired';

function wholeDays(value: unknown, field: string, min: number): number {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
		throw new InputError(`"${field}" must be a whole number of days, at least ${min} (got ${JSON.stringify(value)})`, field);
	}
	return n;
}

/** Validated timing, with the field names a user sees. */
export function parseWinbackTiming(input: Partial<Record<keyof WinbackTiming, unknown>>): WinbackTiming {
	const timing: WinbackTiming = {
		firstAfterDays: wholeDays(input.firstAfterDays ?? WINBACK_DEFAULTS.firstAfterDays, 'First Email After (Days)', 1),
		followUpEveryDays: wholeDays(input.followUpEveryDays ?? WINBACK_DEFAULTS.followUpEveryDays, 'Follow-Up Every (Days)', 1),
		finalAfterDays: wholeDays(input.finalAfterDays ?? WINBACK_DEFAULTS.finalAfterDays, 'Final Email After (Days)', 1),
		expireAfterDays: wholeDays(input.expireAfterDays ?? WINBACK_DEFAULTS.expireAfterDays, 'Expire After Final (Days)', 1),
	};
	if (timing.finalAfterDays <= timing.firstAfterDays) {
		throw new InputError(
			`"Final Email After (Days)" (${timing.finalAfterDays}) must be later than "First Email After (Days)" (${timing.firstAfterDays})`,
			'Final Email After (Days)',
		);
	}
	return timing;
}

/**
 * Days of the follow-ups: the span between first and final is cut into the fewest
 * equal gaps no longer than `everyDays`, rounded to whole days.
 * 90→270 every 60 gives [150, 210]; every 45 gives [135, 180, 225]; every 180 gives [].
 */
export function followUpDays(firstAfterDays: number, finalAfterDays: number, everyDays: number): number[] {
	const span = finalAfterDays - firstAfterDays;
	const gaps = Math.max(1, Math.ceil(span / everyDays - 1e-9));
	const days: number[] = [];
	for (let k = 1; k < gaps; k++) days.push(Math.round(firstAfterDays + (span * k) / gaps));
	// Rounding can only collide when gaps are shorter than a day, which whole-day inputs rule out.
	return days.filter((d, i) => d > firstAfterDays && d < finalAfterDays && (i === 0 || d > days[i - 1]));
}

/** The win-back schedule: first, follow-up-1…n, final, expired. */
export function winbackSchedule(timing: WinbackTiming = WINBACK_DEFAULTS): Schedule {
	const followUps = followUpDays(timing.firstAfterDays, timing.finalAfterDays, timing.followUpEveryDays);
	const steps: ScheduleStep[] = [
		{ name: 'first', kind: 'first', offsetMs: timing.firstAfterDays * DAY_MS },
		...followUps.map((d, i) => ({ name: `follow-up-${i + 1}`, kind: 'follow-up', offsetMs: d * DAY_MS })),
		{ name: 'final', kind: 'final', offsetMs: timing.finalAfterDays * DAY_MS },
		{ name: EXPIRED_STEP, kind: EXPIRED_STEP, offsetMs: (timing.finalAfterDays + timing.expireAfterDays) * DAY_MS },
	];
	return createSchedule(steps);
}

/** "first at day 90, follow-ups at days 150 and 210, final at day 270, expiry at day 300". */
export function describeWinbackSchedule(schedule: Schedule): string {
	const day = (s: ScheduleStep) => Math.round(s.offsetMs / DAY_MS);
	const followUps = schedule.steps.filter((s) => s.kind === 'follow-up').map(day);
	const find = (kind: string) => schedule.steps.find((s) => s.kind === kind);
	const parts = [`first at day ${day(find('first')!)}`];
	if (followUps.length === 1) parts.push(`follow-up at day ${followUps[0]}`);
	if (followUps.length > 1) parts.push(`follow-ups at days ${followUps.slice(0, -1).join(', ')} and ${followUps[followUps.length - 1]}`);
	parts.push(`final at day ${day(find('final')!)}`, `expiry at day ${day(find(EXPIRED_STEP)!)}`);
	return parts.join(', ');
}

export type WinbackStatus =
	/** No anchor date (never purchased / engaged), or suppressed, or unknown. */
	| 'notInWindow'
	/** Active recently: the first email comes at `nextStepAt`. */
	| 'waitingForFirst'
	/** A step (first, follow-up, final or expired) is due now. */
	| 'due'
	/** The latest email is claimed; the next one comes at `nextStepAt`. */
	| 'waitingForNext'
	/** Every email is claimed; expiry comes at `nextStepAt`. */
	| 'done'
	/** The window is over and the contact was expired. */
	| 'expired';

export interface WinbackStanding {
	status: WinbackStatus;
	/** Why the contact is not in the window. */
	reason?: 'noAnchor' | 'suppressed';
	position?: Position;
}

/** Where a contact stands in the window, from its anchor, the claims for that anchor and its suppression. */
export function winbackStanding(
	schedule: Schedule,
	anchorMs: number | null,
	nowMs: number,
	claimedIndexes: Iterable<number>,
	suppressed: boolean,
): WinbackStanding {
	if (anchorMs === null) return { status: 'notInWindow', reason: 'noAnchor' };
	const position = positionOf(schedule, anchorMs, nowMs, claimedIndexes);
	if (position.status === 'complete') return { status: 'expired', position };
	if (suppressed) return { status: 'notInWindow', reason: 'suppressed', position };
	switch (position.status) {
		case 'notStarted':
			return { status: 'waitingForFirst', position };
		case 'due':
			return { status: 'due', position };
		default:
			return { status: position.next?.step.kind === EXPIRED_STEP ? 'done' : 'waitingForNext', position };
	}
}
