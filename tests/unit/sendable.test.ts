import { DateTime } from 'luxon';
import {
	consentRejection,
	contactTimeZone,
	decideSend,
	frequencyCapRelease,
	isQuietTime,
	nextAllowedTime,
	parseSendEmail,
	parseSendKey,
	parseSendPolicy,
	summarizeReasons,
	type SendContact,
	type SendHistory,
	type SendPolicy,
} from '../../lib/domain/sendable';

const HOUR = 3_600_000;
const key = { campaign: 'abandoned-cart', step: '1h' };
const subscribed: SendContact = { status: 'subscribed', suppressed: false, suppressionReason: null, timeZone: 'Europe/Berlin' };
const noHistory: SendHistory = { alreadySentAt: null, recentSends: [] };
const policy: SendPolicy = parseSendPolicy({ fallbackTimeZone: 'UTC' });
// 12:00 in Berlin (UTC+1 in winter).
const NOON_BERLIN = Date.parse('2026-02-10T11:00:00Z');

describe('parseSendPolicy', () => {
	it('defaults to subscribed only, 3 emails per 24 hours and quiet hours 21–8', () => {
		expect(parseSendPolicy({})).toEqual({
			requireSubscribed: true,
			frequencyCap: { maxEmails: 3, windowHours: 24 },
			quietHours: { startHour: 21, endHour: 8 },
			fallbackTimeZone: 'UTC',
		});
	});

	it('turns the cap off with 0 and quiet hours off with the switch', () => {
		expect(parseSendPolicy({ maxEmails: 0, quietHours: false, requireSubscribed: false, fallbackTimeZone: 'Asia/Tokyo' })).toEqual({
			requireSubscribed: false,
			frequencyCap: null,
			quietHours: null,
			fallbackTimeZone: 'Asia/Tokyo',
		});
		expect(parseSendPolicy({ maxEmails: '2', capWindowHours: '48' }).frequencyCap).toEqual({ maxEmails: 2, windowHours: 48 });
	});

	it('names the field of a bad setting', () => {
		expect(() => parseSendPolicy({ maxEmails: -1 })).toThrow('"Frequency Cap (Emails)" must be a whole number from 0 to 1000 (got -1)');
		expect(() => parseSendPolicy({ capWindowHours: 0 })).toThrow('"Frequency Cap Window (Hours)" must be a whole number');
		expect(() => parseSendPolicy({ quietHoursStart: 24 })).toThrow('"Quiet Hours Start" must be a whole number from 0 to 23 (got 24)');
		expect(() => parseSendPolicy({ quietHoursStart: 8, quietHoursEnd: 8 })).toThrow('are the same hour');
		expect(() => parseSendPolicy({ fallbackTimeZone: 'Mars/Olympus' })).toThrow('"Fallback Time Zone" is not an IANA time zone');
	});
});

describe('inputs', () => {
	it('normalizes the email, tells malformed from missing', () => {
		expect(parseSendEmail('  Ada@Example.COM ')).toEqual({ email: 'ada@example.com', valid: true });
		expect(parseSendEmail('not-an-address')).toEqual({ email: 'not-an-address', valid: false });
		expect(() => parseSendEmail(undefined)).toThrow('No email address found in "Email"');
		expect(() => parseSendEmail('   ')).toThrow('No email address found in "Email"');
	});

	it('requires campaign and step keys', () => {
		expect(parseSendKey(' welcome ', 'Campaign')).toBe('welcome');
		expect(parseSendKey(2, 'Step')).toBe('2');
		expect(() => parseSendKey('', 'Campaign')).toThrow('"Campaign" is empty');
		expect(() => parseSendKey('x'.repeat(201), 'Step')).toThrow('"Step" is longer than 200 characters');
	});
});

describe('consent and suppression', () => {
	const contact = (patch: Partial<SendContact>): SendContact => ({ ...subscribed, ...patch });

	it('maps each suppression reason', () => {
		const reasonOf = (c: SendContact) => consentRejection(c, true)?.reason;
		expect(reasonOf(contact({ suppressed: true, suppressionReason: 'unsubscribed', status: 'unsubscribed' }))).toBe('unsubscribed');
		expect(reasonOf(contact({ suppressed: true, suppressionReason: 'bounced' }))).toBe('bounced');
		expect(reasonOf(contact({ suppressed: true, suppressionReason: 'complained', status: 'unsubscribed' }))).toBe('complained');
		expect(reasonOf(contact({ suppressed: true, suppressionReason: 'invalid' }))).toBe('invalid_email');
		expect(reasonOf(contact({ suppressed: true, suppressionReason: 'manual' }))).toBe('suppressed');
		expect(reasonOf(contact({ suppressed: true, suppressionReason: 'lapsed' }))).toBe('suppressed');
		expect(reasonOf(contact({ status: 'unsubscribed' }))).toBe('unsubscribed');
		expect(reasonOf(subscribed)).toBeUndefined();
	});

	it('holds back contacts without opt-in only when subscription is required', () => {
		expect(consentRejection(contact({ status: 'not_subscribed' }), true)).toMatchObject({ reason: 'not_subscribed' });
		expect(consentRejection(contact({ status: 'pending' }), true)).toMatchObject({
			reason: 'not_subscribed',
			reasonText: expect.stringContaining('double opt-in'),
		});
		expect(consentRejection(contact({ status: 'not_subscribed' }), false)).toBeNull();
		expect(consentRejection(contact({ status: 'pending' }), false)).toBeNull();
		// Opting out always wins, whatever the setting.
		expect(consentRejection(contact({ status: 'unsubscribed' }), false)).toMatchObject({ reason: 'unsubscribed' });
		expect(consentRejection(contact({ status: 'not_subscribed', suppressed: true, suppressionReason: 'bounced' }), false)).toMatchObject({
			reason: 'bounced',
		});
	});
});

describe('frequency cap', () => {
	const cap = { maxEmails: 3, windowHours: 24 };
	const now = Date.parse('2026-02-10T12:00:00Z');

	it('lets the email go under the cap and ignores sends older than the window', () => {
		expect(frequencyCapRelease([], now, cap)).toBeNull();
		expect(frequencyCapRelease([now - 2 * HOUR, now - HOUR], now, cap)).toBeNull();
		expect(frequencyCapRelease([now - 30 * HOUR, now - 25 * HOUR, now - 24 * HOUR, now - HOUR], now, cap)).toBeNull();
	});

	it('at the cap, releases when the oldest counted send leaves the window', () => {
		expect(frequencyCapRelease([now - HOUR, now - 20 * HOUR, now - 5 * HOUR], now, cap)).toBe(now - 20 * HOUR + 24 * HOUR);
	});

	it('over the cap (a lowered cap), waits until enough sends have left', () => {
		const sends = [now - 23 * HOUR, now - 10 * HOUR, now - 3 * HOUR, now - HOUR];
		expect(frequencyCapRelease(sends, now, { maxEmails: 2, windowHours: 24 })).toBe(now - 3 * HOUR + 24 * HOUR);
		expect(frequencyCapRelease(sends, now, { maxEmails: 1, windowHours: 24 })).toBe(now - HOUR + 24 * HOUR);
	});

	it('counts sends claimed after "now" (a concurrent run with a clock a little ahead)', () => {
		expect(frequencyCapRelease([now + 5, now + 10, now + 20], now, cap)).toBe(now + 5 + 24 * HOUR);
	});

	it('is exact at the edge: a send exactly one window old no longer counts', () => {
		expect(frequencyCapRelease([now - 24 * HOUR, now - HOUR, now - 2 * HOUR], now, cap)).toBeNull();
	});
});

describe('quiet hours', () => {
	const quiet = { startHour: 21, endHour: 8 };
	const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone });

	it('spans midnight when the start is after the end', () => {
		expect(isQuietTime(at('2026-02-10T20:59', 'UTC'), quiet)).toBe(false);
		expect(isQuietTime(at('2026-02-10T21:00', 'UTC'), quiet)).toBe(true);
		expect(isQuietTime(at('2026-02-10T03:00', 'UTC'), quiet)).toBe(true);
		expect(isQuietTime(at('2026-02-10T07:59', 'UTC'), quiet)).toBe(true);
		expect(isQuietTime(at('2026-02-10T08:00', 'UTC'), quiet)).toBe(false);
	});

	it('works within one day when the start is before the end', () => {
		const night = { startHour: 0, endHour: 7 };
		expect(isQuietTime(at('2026-02-10T23:30', 'UTC'), night)).toBe(false);
		expect(isQuietTime(at('2026-02-10T00:00', 'UTC'), night)).toBe(true);
		expect(nextAllowedTime(at('2026-02-10T03:00', 'UTC').toMillis(), 'UTC', night).toISO()).toBe('2026-02-10T07:00:00.000Z');
	});

	it('next allowed time is the end hour tomorrow from the evening, today after midnight', () => {
		const zone = 'Europe/Berlin';
		expect(nextAllowedTime(at('2026-02-10T22:30', zone).toMillis(), zone, quiet).toISO()).toBe('2026-02-11T08:00:00.000+01:00');
		expect(nextAllowedTime(at('2026-02-11T02:10', zone).toMillis(), zone, quiet).toISO()).toBe('2026-02-11T08:00:00.000+01:00');
		const outside = at('2026-02-11T12:00', zone).toMillis();
		expect(nextAllowedTime(outside, zone, quiet).toMillis()).toBe(outside);
	});

	it('is DST-safe: the night the clocks go forward (New York, 8 March 2026)', () => {
		const zone = 'America/New_York';
		// 23:30 EST (UTC-5); the next morning is EDT (UTC-4), so 08:00 is 12:00Z, not 13:00Z.
		const evening = at('2026-03-07T23:30', zone).toMillis();
		const next = nextAllowedTime(evening, zone, quiet);
		expect(next.toISO()).toBe('2026-03-08T08:00:00.000-04:00');
		expect(next.toUTC().toISO()).toBe('2026-03-08T12:00:00.000Z');
		expect(next.toMillis() - evening).toBe(7.5 * HOUR);
	});

	it('is DST-safe: the night the clocks go back (New York, 1 November 2026)', () => {
		const zone = 'America/New_York';
		const evening = at('2026-10-31T23:30', zone).toMillis();
		const next = nextAllowedTime(evening, zone, quiet);
		expect(next.toISO()).toBe('2026-11-01T08:00:00.000-05:00');
		expect(next.toMillis() - evening).toBe(9.5 * HOUR);
	});

	it('an end hour that does not exist that night moves to the next valid time', () => {
		const zone = 'America/New_York';
		const next = nextAllowedTime(at('2026-03-07T23:00', zone).toMillis(), zone, { startHour: 22, endHour: 2 });
		expect(next.toISO()).toBe('2026-03-08T03:00:00.000-04:00');
	});
});

describe('decideSend', () => {
	it('passes a subscribed contact in the afternoon with no history', () => {
		expect(decideSend(subscribed, noHistory, policy, NOON_BERLIN, key)).toEqual({ sendable: true, timeZone: 'Europe/Berlin' });
	});

	it('holds back unknown contacts', () => {
		expect(decideSend(null, noHistory, policy, NOON_BERLIN, key)).toMatchObject({ sendable: false, reason: 'unknown_contact' });
	});

	it('checks in order: suppression, already sent, frequency cap, quiet hours', () => {
		const night = Date.parse('2026-02-10T22:00:00Z'); // 23:00 in Berlin
		const full: SendHistory = { alreadySentAt: night - HOUR, recentSends: [night - 3 * HOUR, night - 2 * HOUR, night - HOUR] };
		const unsub = { ...subscribed, status: 'unsubscribed' };
		expect(decideSend(unsub, full, policy, night, key)).toMatchObject({ reason: 'unsubscribed' });
		expect(decideSend(subscribed, full, policy, night, key)).toMatchObject({
			reason: 'already_sent',
			alreadySentAt: night - HOUR,
			reasonText: 'Already got step "1h" of campaign "abandoned-cart" (2026-02-10T22:00:00+01:00)',
		});
		expect(decideSend(subscribed, { ...full, alreadySentAt: null }, policy, night, key)).toMatchObject({ reason: 'frequency_cap' });
		expect(decideSend(subscribed, noHistory, policy, night, key)).toMatchObject({ reason: 'quiet_hours' });
	});

	it('quiet hours say when the email may go, in the contact\'s time zone', () => {
		const night = Date.parse('2026-02-10T22:14:00Z');
		expect(decideSend(subscribed, noHistory, policy, night, key)).toEqual({
			sendable: false,
			reason: 'quiet_hours',
			reasonText: 'It is 23:14 for the contact (Europe/Berlin), inside quiet hours 21:00–08:00; send after 2026-02-11 08:00',
			sendAfter: '2026-02-11T08:00:00+01:00',
			timeZone: 'Europe/Berlin',
		});
	});

	it('uses the fallback time zone for contacts without a valid one', () => {
		const tokyo = { ...policy, fallbackTimeZone: 'Asia/Tokyo' };
		expect(contactTimeZone({ timeZone: null }, 'Asia/Tokyo')).toBe('Asia/Tokyo');
		expect(contactTimeZone({ timeZone: 'Not/AZone' }, 'Asia/Tokyo')).toBe('Asia/Tokyo');
		// 12:00Z is 21:00 in Tokyo: quiet there, not in Berlin.
		const at = Date.parse('2026-02-10T12:00:00Z');
		expect(decideSend({ ...subscribed, timeZone: null }, noHistory, tokyo, at, key)).toMatchObject({
			reason: 'quiet_hours',
			sendAfter: '2026-02-11T08:00:00+09:00',
		});
		expect(decideSend(subscribed, noHistory, tokyo, at, key)).toMatchObject({ sendable: true });
	});

	it('a frequency-capped email gets a send time that is also outside quiet hours', () => {
		// Cap releases at 23:00 Berlin time (the oldest send was at 23:00 yesterday): quiet then, so 08:00 the day after.
		const now = Date.parse('2026-02-10T11:00:00Z');
		const sends = [Date.parse('2026-02-09T22:00:00Z'), now - 2 * HOUR, now - HOUR];
		expect(decideSend(subscribed, { alreadySentAt: null, recentSends: sends }, policy, now, key)).toMatchObject({
			reason: 'frequency_cap',
			sendAfter: '2026-02-11T08:00:00+01:00',
			reasonText: 'Already got 3 marketing emails in the last 24 hours; next one possible at 2026-02-11 08:00 (Europe/Berlin)',
		});
		const noQuiet = { ...policy, quietHours: null };
		expect(decideSend(subscribed, { alreadySentAt: null, recentSends: sends }, noQuiet, now, key)).toMatchObject({
			reason: 'frequency_cap',
			sendAfter: '2026-02-10T23:00:00+01:00',
		});
	});

	it('with the checks off, only consent and already-sent remain', () => {
		const open = parseSendPolicy({ maxEmails: 0, quietHours: false, requireSubscribed: false });
		const busyNight: SendHistory = { alreadySentAt: null, recentSends: Array.from({ length: 10 }, (_, i) => NOON_BERLIN - i * HOUR) };
		const notSubscribed = { ...subscribed, status: 'not_subscribed' };
		expect(decideSend(notSubscribed, busyNight, open, Date.parse('2026-02-10T23:00:00Z'), key)).toMatchObject({ sendable: true });
	});
});

describe('summarizeReasons', () => {
	it('counts reasons, most frequent first', () => {
		expect(summarizeReasons(['quiet_hours', 'unsubscribed', 'unsubscribed'])).toBe('2 unsubscribed, 1 quiet hours');
		expect(summarizeReasons(['already_sent'])).toBe('1 already sent');
	});
});
