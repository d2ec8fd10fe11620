import { DateTime } from 'luxon';
import { DAY_MS, createSchedule, positionOf, type Position, type Schedule } from './dueSteps';
import { InputError } from './errors';

/**
 * Date-based emails: a birthday or a signup anniversary, celebrated on the
 * contact's own calendar (their time zone). Each occurrence is one due step whose
 * anchor is the local send time; it is claimed once per contact per year.
 *
 * 29 February: in a year without it, the occasion falls on 28 February, so it
 * stays in the month it belongs to (and the email does not arrive "late" in March).
 */

export type Occasion = 'birthday' | 'signupAnniversary';

export interface DateEmailTiming {
	/** Send this many days before the date (0 = on the day). */
	daysBefore: number;
	/** Local hour (0–23) from which the email is due on the send day. */
	sendFromHour: number;
	/** How many days after the send day it may still go out (missed runs). */
	lateDays: number;
}

export const DATE_EMAIL_DEFAULTS: DateEmailTiming = { daysBefore: 0, sendFromHour: 9, lateDays: 1 };

function intIn(value: unknown, field: string, min: number, max: number): number {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
		throw new InputError(`"${field}" must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`, field);
	}
	return n;
}

export function parseDateEmailTiming(input: Partial<Record<keyof DateEmailTiming, unknown>>): DateEmailTiming {
	return {
		daysBefore: intIn(input.daysBefore ?? DATE_EMAIL_DEFAULTS.daysBefore, 'Days Before', 0, 60),
		sendFromHour: intIn(input.sendFromHour ?? DATE_EMAIL_DEFAULTS.sendFromHour, 'Send From (Local Hour)', 0, 23),
		lateDays: intIn(input.lateDays ?? DATE_EMAIL_DEFAULTS.lateDays, 'Send Up To (Days Late)', 0, 30),
	};
}

export function isLeapYear(year: number): boolean {
	return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The calendar day a month/day falls on in `year`: 29 February becomes 28 February in other years. */
export function occurrenceDay(month: number, day: number, year: number): { year: number; month: number; day: number } {
	if (month === 2 && day === 29 && !isLeapYear(year)) return { year, month: 2, day: 28 };
	return { year, month, day };
}

/** A valid IANA zone: the contact's own, else the fallback. */
export function resolveZone(zone: string | null | undefined, fallback: string): string {
	if (zone && DateTime.fromMillis(0, { zone }).isValid) return zone;
	return fallback;
}

export function requireZone(zone: string, field: string): string {
	if (!zone || !DateTime.fromMillis(0, { zone }).isValid) {
		throw new InputError(`"${field}" is not an IANA time zone such as Europe/Berlin (got ${JSON.stringify(zone)})`, field);
	}
	return zone;
}

/** The one-step schedule of an occurrence: due from the local send time, for 1 + lateDays days. */
export function occasionSchedule(occasion: Occasion, timing: DateEmailTiming): Schedule {
	return createSchedule([{ name: occasion === 'birthday' ? 'birthday' : 'anniversary', kind: occasion, offsetMs: 0 }], {
		lateLimitMs: (timing.lateDays + 1) * DAY_MS,
	});
}

export interface Occurrence {
	/** The year of the occasion date (the claim key: once per contact per year). */
	year: number;
	/** The occasion date on the contact's calendar, YYYY-MM-DD. */
	date: string;
	/** When the email falls due: the local send hour on the send day, epoch ms. */
	sendAt: number;
	zone: string;
}

/**
 * The occurrence of month/day whose send window holds `nowMs` on the calendar of
 * `zone`, or null when none does. Claims are not looked at here: the store claims
 * the occurrence's year (once per contact per year) when it emits it.
 */
export function dueOccurrence(
	month: number,
	day: number,
	zone: string,
	nowMs: number,
	timing: DateEmailTiming,
	schedule: Schedule,
): { occurrence: Occurrence; position: Position } | null {
	const localYear = DateTime.fromMillis(nowMs, { zone }).year;
	for (const year of [localYear - 1, localYear, localYear + 1]) {
		const date = DateTime.fromObject(occurrenceDay(month, day, year), { zone });
		const sendAt = date.minus({ days: timing.daysBefore }).set({ hour: timing.sendFromHour, minute: 0, second: 0, millisecond: 0 }).toMillis();
		const position = positionOf(schedule, sendAt, nowMs);
		if (position.status === 'due') return { occurrence: { year, date: date.toISODate()!, sendAt, zone }, position };
	}
	return null;
}

/** A date's local calendar parts in a zone. */
export function localDate(ms: number, zone: string): { year: number; month: number; day: number } {
	const dt = DateTime.fromMillis(ms, { zone });
	return { year: dt.year, month: dt.month, day: dt.day };
}

/**
 * Month/day pairs whose occasion may be due somewhere on Earth at `nowMs`: a small
 * set to select candidates by an indexed (month, day) before the exact check in each
 * contact's zone. `marginDays` widens it (e.g. when the stored month/day is in UTC).
 * 28 February brings 29 February with it.
 */
export function candidateMonthDays(nowMs: number, timing: DateEmailTiming, marginDays = 0): Array<[number, number]> {
	const utc = DateTime.fromMillis(nowMs, { zone: 'utc' }).startOf('day').plus({ days: timing.daysBefore });
	const pairs = new Map<string, [number, number]>();
	const add = (m: number, d: number) => pairs.set(`${m}-${d}`, [m, d]);
	for (let k = -(timing.lateDays + 3 + marginDays); k <= 2 + marginDays; k++) {
		const dt = utc.plus({ days: k });
		add(dt.month, dt.day);
		if (dt.month === 2 && dt.day === 28) add(2, 29);
	}
	return [...pairs.values()];
}

/** "1st", "2nd", "3rd", "11th", "22nd"… for "Happy 3rd anniversary". */
export function ordinal(n: number): string {
	const mod100 = n % 100;
	if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
	return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}
