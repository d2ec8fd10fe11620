import { DateTime } from 'luxon';
import {
	candidateMonthDays,
	DATE_EMAIL_DEFAULTS,
	dueOccurrence,
	isLeapYear,
	localDate,
	occasionSchedule,
	occurrenceDay,
	ordinal,
	parseDateEmailTiming,
	requireZone,
	resolveZone,
	type DateEmailTiming,
} from '../../lib/domain/dateOccasions';

const timing = DATE_EMAIL_DEFAULTS;
const schedule = occasionSchedule('birthday', timing);
const due = (month: number, day: number, zone: string, iso: string, t: DateEmailTiming = timing) =>
	dueOccurrence(month, day, zone, Date.parse(iso), t, occasionSchedule('birthday', t));

describe('29 February and leap years', () => {
	it('knows leap years', () => {
		expect([2024, 2000, 2028].map(isLeapYear)).toEqual([true, true, true]);
		expect([2026, 1900, 2100].map(isLeapYear)).toEqual([false, false, false]);
	});

	it('celebrates 29 February on 28 February in other years', () => {
		expect(occurrenceDay(2, 29, 2027)).toEqual({ year: 2027, month: 2, day: 28 });
		expect(occurrenceDay(2, 29, 2028)).toEqual({ year: 2028, month: 2, day: 29 });
		expect(occurrenceDay(2, 29, 2100)).toEqual({ year: 2100, month: 2, day: 28 });
		expect(occurrenceDay(3, 1, 2027)).toEqual({ year: 2027, month: 3, day: 1 });
		expect(due(2, 29, 'UTC', '2027-02-28T10:00:00Z')?.occurrence.date).toBe('2027-02-28');
		expect(due(2, 29, 'UTC', '2027-03-02T08:59:59Z')?.occurrence.date).toBe('2027-02-28');
		expect(due(2, 29, 'UTC', '2027-03-02T09:00:00Z')).toBeNull();
		expect(due(2, 29, 'UTC', '2028-02-28T10:00:00Z')).toBeNull();
		expect(due(2, 29, 'UTC', '2028-02-29T10:00:00Z')?.occurrence.date).toBe('2028-02-29');
	});
});

describe('dueOccurrence', () => {
	it('is due from the local send hour for 1 + lateDays days, on the contact\'s calendar', () => {
		expect(due(6, 2, 'Asia/Tokyo', '2026-06-01T23:59:59Z')).toBeNull(); // 08:59:59 in Tokyo
		const tokyo = due(6, 2, 'Asia/Tokyo', '2026-06-02T00:00:00Z');
		expect(tokyo?.occurrence).toEqual({ year: 2026, date: '2026-06-02', sendAt: Date.parse('2026-06-02T00:00:00Z'), zone: 'Asia/Tokyo' });
		expect(tokyo?.position.status).toBe('due');
		expect(due(6, 2, 'Asia/Tokyo', '2026-06-03T23:59:59Z')?.occurrence.year).toBe(2026);
		expect(due(6, 2, 'Asia/Tokyo', '2026-06-04T00:00:00Z')).toBeNull();
		// The same instant is still 1 June in Los Angeles.
		expect(due(6, 2, 'America/Los_Angeles', '2026-06-02T00:00:00Z')).toBeNull();
		expect(due(6, 2, 'America/Los_Angeles', '2026-06-02T16:00:00Z')?.occurrence.sendAt).toBe(Date.parse('2026-06-02T16:00:00Z'));
		expect(due(6, 2, 'UTC', '2026-06-02T10:00:00Z', { ...timing, lateDays: 0 })).not.toBeNull();
		expect(due(6, 2, 'UTC', '2026-06-03T09:00:00Z', { ...timing, lateDays: 0 })).toBeNull();
	});

	it('days before can cross the new year: the occurrence is the one of the date, not of the send day', () => {
		const early = { ...timing, daysBefore: 7 };
		const found = due(1, 3, 'Europe/Berlin', '2026-12-27T12:00:00Z', early);
		expect(found?.occurrence).toMatchObject({ year: 2027, date: '2027-01-03', sendAt: Date.parse('2026-12-27T08:00:00Z') });
	});

	it('keeps the send hour across daylight-saving changes', () => {
		// 29 March 2026: clocks go forward in Berlin; 09:00 local is 07:00 UTC.
		expect(due(3, 29, 'Europe/Berlin', '2026-03-29T07:00:00Z')?.occurrence.sendAt).toBe(Date.parse('2026-03-29T07:00:00Z'));
		expect(due(3, 29, 'Europe/Berlin', '2026-03-29T06:59:59Z')).toBeNull();
		// A send hour in the skipped hour moves forward, never back into the previous day.
		const night = { ...timing, sendFromHour: 2 };
		const sendAt = due(3, 29, 'Europe/Berlin', '2026-03-29T12:00:00Z', night)!.occurrence.sendAt;
		expect(DateTime.fromMillis(sendAt, { zone: 'Europe/Berlin' }).toISODate()).toBe('2026-03-29');
	});

	it('the schedule is one step, late-limited to 1 + lateDays days', () => {
		expect(schedule.steps).toEqual([{ name: 'birthday', kind: 'birthday', offsetMs: 0 }]);
		expect(schedule.lateLimitMs).toBe(2 * 86_400_000);
		expect(occasionSchedule('signupAnniversary', timing).steps[0].name).toBe('anniversary');
	});
});

describe('candidateMonthDays', () => {
	it('covers every month/day that may be due anywhere on Earth (checked against dueOccurrence)', () => {
		const zones = ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Tokyo', 'America/Los_Angeles', 'UTC', 'Asia/Kathmandu', 'Europe/Berlin'];
		const timings: DateEmailTiming[] = [timing, { daysBefore: 7, sendFromHour: 0, lateDays: 0 }, { daysBefore: 0, sendFromHour: 23, lateDays: 3 }];
		let seed = 11;
		const random = () => {
			seed = (seed * 1103515245 + 12345) % 2 ** 31;
			return seed / 2 ** 31;
		};
		for (let n = 0; n < 300; n++) {
			const now = Date.parse('2026-01-01T00:00:00Z') + Math.floor(random() * 800 * 86_400_000);
			const t = timings[n % timings.length];
			const candidates = new Set(candidateMonthDays(now, t).map(([m, d]) => `${m}-${d}`));
			for (const zone of zones) {
				const local = DateTime.fromMillis(now, { zone });
				for (let k = -40; k <= 40; k++) {
					const date = local.plus({ days: k });
					const found = dueOccurrence(date.month, date.day, zone, now, t, occasionSchedule('birthday', t));
					if (found) expect({ now, zone, md: `${date.month}-${date.day}`, in: candidates.has(`${date.month}-${date.day}`) }).toMatchObject({ in: true });
				}
			}
		}
	});

	it('brings 29 February with 28 February, and stays small', () => {
		const pairs = candidateMonthDays(Date.parse('2027-02-28T12:00:00Z'), timing);
		expect(pairs).toContainEqual([2, 29]);
		expect(pairs).toContainEqual([2, 28]);
		expect(pairs.length).toBeLessThanOrEqual(9);
		expect(candidateMonthDays(Date.parse('2027-02-28T12:00:00Z'), timing, 1).length).toBeGreaterThan(pairs.length);
	});
});

describe('settings and helpers', () => {
	it('validates the timing with the field names a user sees', () => {
		expect(parseDateEmailTiming({})).toEqual({ daysBefore: 0, sendFromHour: 9, lateDays: 1 });
		expect(parseDateEmailTiming({ daysBefore: '7', sendFromHour: 0, lateDays: 0 })).toEqual({ daysBefore: 7, sendFromHour: 0, lateDays: 0 });
		expect(() => parseDateEmailTiming({ sendFromHour: 24 })).toThrow('"Send From (Local Hour)" must be a whole number from 0 to 23 (got 24)');
		expect(() => parseDateEmailTiming({ daysBefore: -1 })).toThrow('"Days Before"');
		expect(() => parseDateEmailTiming({ lateDays: 1.5 })).toThrow('"Send Up To (Days Late)"');
	});

	it('uses the contact\'s zone when valid, else the fallback; rejects a bad fallback', () => {
		expect(resolveZone('Asia/Tokyo', 'UTC')).toBe('Asia/Tokyo');
		expect(resolveZone('Mars/Olympus', 'Europe/Berlin')).toBe('Europe/Berlin');
		expect(resolveZone(null, 'UTC')).toBe('UTC');
		expect(requireZone('Europe/Berlin', 'Fallback Time Zone')).toBe('Europe/Berlin');
		expect(() => requireZone('Berlin', 'Fallback Time Zone')).toThrow('"Fallback Time Zone" is not an IANA time zone such as Europe/Berlin (got "Berlin")');
	});

	it('local dates and ordinals', () => {
		expect(localDate(Date.parse('2025-03-10T23:30:00Z'), 'Europe/Berlin')).toEqual({ year: 2025, month: 3, day: 11 });
		expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th']);
	});
});
