import { DateTime } from 'luxon';
import { InputError } from './errors';
import { isValidEmail, normalizeEmail } from './email';
import { cleanInputText } from './values';

/**
 * The sending guard: may this contact get this email now? Checks, in order:
 * the address itself, whether the contact is known, hard suppression and
 * consent, whether this (campaign, step) was already sent, the frequency cap,
 * and quiet hours in the contact's local time. Pure: the store reads the
 * contact and its send history inside one transaction and asks `decideSend`.
 */

export type NotSendableReason =
	| 'invalid_email'
	| 'unknown_contact'
	| 'unsubscribed'
	| 'bounced'
	| 'complained'
	| 'suppressed'
	| 'not_subscribed'
	| 'already_sent'
	| 'frequency_cap'
	| 'quiet_hours';

/** Every reason, in the order the checks run. */
export const NOT_SENDABLE_REASONS: NotSendableReason[] = [
	'invalid_email',
	'unknown_contact',
	'unsubscribed',
	'bounced',
	'complained',
	'suppressed',
	'not_subscribed',
	'already_sent',
	'frequency_cap',
	'quiet_hours',
];

/** Short words for summaries such as "3 contacts held back: 2 unsubscribed, 1 quiet hours". */
export const REASON_LABELS: Record<NotSendableReason, string> = {
	invalid_email: 'invalid email',
	unknown_contact: 'unknown contact',
	unsubscribed: 'unsubscribed',
	bounced: 'bounced',
	complained: 'spam complaint',
	suppressed: 'suppressed',
	not_subscribed: 'not subscribed',
	already_sent: 'already sent',
	frequency_cap: 'frequency cap',
	quiet_hours: 'quiet hours',
};

export interface FrequencyCap {
	/** At most this many sends per contact in the window (all campaigns together). */
	maxEmails: number;
	windowHours: number;
}

export interface QuietHours {
	/** Local hour (0–23) quiet hours begin at. */
	startHour: number;
	/** Local hour (0–23) sending may resume at. Before startHour means "the next morning". */
	endHour: number;
}

export interface SendPolicy {
	/** Only contacts with status "subscribed"; otherwise "not_subscribed" and "pending" pass too. */
	requireSubscribed: boolean;
	frequencyCap: FrequencyCap | null;
	quietHours: QuietHours | null;
	/** IANA zone for contacts with no (valid) time zone of their own. */
	fallbackTimeZone: string;
}

export const DEFAULT_POLICY: SendPolicy = {
	requireSubscribed: true,
	frequencyCap: { maxEmails: 3, windowHours: 24 },
	quietHours: { startHour: 21, endHour: 8 },
	fallbackTimeZone: 'UTC',
};

/** What the guard needs to know about a contact. */
export interface SendContact {
	status: string;
	suppressed: boolean;
	suppressionReason: string | null;
	timeZone: string | null;
}

/** The contact's send history as the store sees it inside the deciding transaction. */
export interface SendHistory {
	/** When this (campaign, step) was claimed for the contact, if ever. */
	alreadySentAt: number | null;
	/** Claim times of the contact's sends (any campaign) that may fall inside the cap window. */
	recentSends: number[];
}

export interface SendKey {
	campaign: string;
	step: string;
}

export type SendDecision =
	| { sendable: true; timeZone: string }
	| {
			sendable: false;
			reason: NotSendableReason;
			reasonText: string;
			/** When it may be sent (frequency cap, quiet hours): ISO 8601 with the contact's UTC offset. */
			sendAfter?: string;
			/** The time zone the decision was made in (checks that got that far). */
			timeZone?: string;
			/** When this step was sent before (already_sent). */
			alreadySentAt?: number;
	  };

type Rejection = Extract<SendDecision, { sendable: false }>;

const HOUR = 3_600_000;

function reject(reason: NotSendableReason, reasonText: string, extra: Partial<Rejection> = {}): Rejection {
	return { sendable: false, reason, reasonText, ...extra };
}

// ---------------------------------------------------------------- inputs

/** A campaign or step key: trimmed, non-empty, at most 200 characters. */
export function parseSendKey(value: unknown, field: string): string {
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? cleanInputText(value).trim() : '';
	if (!text) {
		throw new InputError(`"${field}" is empty`, field, `Set "${field}" to a fixed name such as abandoned-cart, or an expression`);
	}
	if (text.length > 200) throw new InputError(`"${field}" is longer than 200 characters`, field);
	return text;
}

/**
 * The email to check: normalized. An empty value is an input error (the field is
 * not mapped); a malformed address is a contact that cannot be sent to (`null`).
 */
export function parseSendEmail(value: unknown, field = 'Email'): { email: string; valid: boolean } {
	const email = normalizeEmail(value);
	if (!email) {
		throw new InputError(
			`No email address found in "${field}"`,
			field,
			'Map the contact\'s email address to this field, e.g. {{ $json.contact.email }}',
		);
	}
	return { email, valid: isValidEmail(email) };
}

export function isValidTimeZone(zone: string | null | undefined): zone is string {
	return typeof zone === 'string' && zone.trim() !== '' && DateTime.now().setZone(zone).isValid;
}

function wholeNumber(value: unknown, field: string, min: number, max: number): number {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
		throw new InputError(`"${field}" must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`, field);
	}
	return n;
}

export interface SendPolicyInput {
	requireSubscribed?: unknown;
	maxEmails?: unknown;
	capWindowHours?: unknown;
	quietHours?: unknown;
	quietHoursStart?: unknown;
	quietHoursEnd?: unknown;
	fallbackTimeZone?: unknown;
}

/** The node's settings, validated, with the defaults for what is left out. */
export function parseSendPolicy(input: SendPolicyInput): SendPolicy {
	const maxEmails = wholeNumber(input.maxEmails ?? DEFAULT_POLICY.frequencyCap!.maxEmails, 'Frequency Cap (Emails)', 0, 1000);
	const windowHours = wholeNumber(
		input.capWindowHours ?? DEFAULT_POLICY.frequencyCap!.windowHours,
		'Frequency Cap Window (Hours)',
		1,
		24 * 366,
	);
	let quietHours: QuietHours | null = null;
	if (input.quietHours !== false) {
		const startHour = wholeNumber(input.quietHoursStart ?? DEFAULT_POLICY.quietHours!.startHour, 'Quiet Hours Start', 0, 23);
		const endHour = wholeNumber(input.quietHoursEnd ?? DEFAULT_POLICY.quietHours!.endHour, 'Quiet Hours End', 0, 23);
		if (startHour === endHour) {
			throw new InputError(
				'"Quiet Hours Start" and "Quiet Hours End" are the same hour',
				'Quiet Hours Start',
				'Set two different hours (e.g. 21 and 8), or turn "Quiet Hours" off',
			);
		}
		quietHours = { startHour, endHour };
	}
	const zone = typeof input.fallbackTimeZone === 'string' ? input.fallbackTimeZone.trim() : '';
	if (zone && !isValidTimeZone(zone)) {
		throw new InputError(
			`"Fallback Time Zone" is not an IANA time zone such as Europe/Berlin (got ${JSON.stringify(input.fallbackTimeZone)})`,
			'Fallback Time Zone',
		);
	}
	return {
		requireSubscribed: input.requireSubscribed !== false,
		frequencyCap: maxEmails > 0 ? { maxEmails, windowHours } : null,
		quietHours,
		fallbackTimeZone: zone || DEFAULT_POLICY.fallbackTimeZone,
	};
}

// ---------------------------------------------------------------- checks

/** Hard suppression and consent: the reasons that never go away by waiting. */
export function consentRejection(contact: SendContact, requireSubscribed: boolean): Rejection | null {
	if (contact.suppressed) {
		switch (contact.suppressionReason) {
			case 'unsubscribed':
				return reject('unsubscribed', 'Unsubscribed from marketing email');
			case 'bounced':
				return reject('bounced', 'The address bounced: it does not accept mail');
			case 'complained':
				return reject('complained', 'Marked an earlier email as spam');
			case 'invalid':
				return reject('invalid_email', 'The address is marked as invalid in the contact store');
			case 'lapsed':
				return reject('suppressed', 'Suppressed: never re-engaged after a win-back (lapsed)');
			case 'manual':
				return reject('suppressed', 'Suppressed by your team');
			default:
				return reject('suppressed', `Suppressed from marketing email${contact.suppressionReason ? ` (${contact.suppressionReason})` : ''}`);
		}
	}
	if (contact.status === 'unsubscribed') return reject('unsubscribed', 'Unsubscribed from marketing email');
	if (requireSubscribed && contact.status !== 'subscribed') {
		return reject(
			'not_subscribed',
			contact.status === 'pending'
				? 'Has not confirmed the subscription yet (double opt-in pending)'
				: 'Has not opted in to marketing email (status not_subscribed)',
		);
	}
	return null;
}

/**
 * When the frequency cap lets the next email go: `null` when under the cap now.
 * A send counts while it is less than `windowHours` old. Sends claimed after
 * `now` count too: a concurrent run whose clock was a little ahead must not be
 * able to slip past the cap.
 */
export function frequencyCapRelease(recentSends: number[], now: number, cap: FrequencyCap): number | null {
	const windowMs = cap.windowHours * HOUR;
	const counted = recentSends.filter((t) => t > now - windowMs).sort((a, b) => a - b);
	if (counted.length < cap.maxEmails) return null;
	// Below the cap again once all but maxEmails - 1 of the counted sends have left the window.
	return counted[counted.length - cap.maxEmails] + windowMs;
}

function minutesOfDay(dt: DateTime): number {
	return dt.hour * 60 + dt.minute;
}

export function isQuietTime(local: DateTime, quiet: QuietHours): boolean {
	const m = minutesOfDay(local);
	const start = quiet.startHour * 60;
	const end = quiet.endHour * 60;
	return start < end ? m >= start && m < end : m >= start || m < end;
}

/**
 * The first moment at or after `at` outside quiet hours, in `zone` (calendar
 * arithmetic in local time, so it stays right across daylight-saving changes;
 * an end hour that does not exist that day moves on to the next valid time).
 */
export function nextAllowedTime(at: number, zone: string, quiet: QuietHours): DateTime {
	const local = DateTime.fromMillis(at, { zone });
	if (!isQuietTime(local, quiet)) return local;
	let end = local.set({ hour: quiet.endHour, minute: 0, second: 0, millisecond: 0 });
	// Still quiet past the end hour today means the quiet period ends tomorrow morning.
	if (minutesOfDay(local) >= quiet.endHour * 60) {
		end = local.startOf('day').plus({ days: 1 }).set({ hour: quiet.endHour, minute: 0, second: 0, millisecond: 0 });
	}
	return end;
}

/** The zone a contact's local time is read in: theirs when valid, else the fallback. */
export function contactTimeZone(contact: Pick<SendContact, 'timeZone'>, fallback: string): string {
	return isValidTimeZone(contact.timeZone) ? contact.timeZone.trim() : fallback;
}

function hh(hour: number): string {
	return `${String(hour).padStart(2, '0')}:00`;
}

function isoIn(ms: number, zone: string): string {
	return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true })!;
}

/**
 * The decision for one contact, (campaign, step) and moment. `contact` is null
 * when the email is not in the store. Checks run in order and the first failing
 * one is the reason: suppression and consent, already sent, frequency cap, quiet hours.
 */
export function decideSend(contact: SendContact | null, history: SendHistory, policy: SendPolicy, now: number, key: SendKey): SendDecision {
	if (!contact) {
		return reject(
			'unknown_contact',
			'Not in the contact store, so consent and unsubscribes are unknown: record the contact first (Marketing Contact node)',
		);
	}
	const consent = consentRejection(contact, policy.requireSubscribed);
	if (consent) return consent;

	const zone = contactTimeZone(contact, policy.fallbackTimeZone);
	if (history.alreadySentAt !== null) {
		return reject(
			'already_sent',
			`Already got step "${key.step}" of campaign "${key.campaign}" (${isoIn(history.alreadySentAt, zone)})`,
			{ alreadySentAt: history.alreadySentAt, timeZone: zone },
		);
	}

	if (policy.frequencyCap) {
		const release = frequencyCapRelease(history.recentSends, now, policy.frequencyCap);
		if (release !== null) {
			const { maxEmails, windowHours } = policy.frequencyCap;
			// Waiting until then must also clear quiet hours, so one wait is enough.
			const sendAfter = policy.quietHours ? nextAllowedTime(release, zone, policy.quietHours) : DateTime.fromMillis(release, { zone });
			return reject(
				'frequency_cap',
				`Already got ${maxEmails} marketing ${maxEmails === 1 ? 'email' : 'emails'} in the last ${windowHours} hours; next one possible at ${sendAfter.toFormat('yyyy-MM-dd HH:mm')} (${zone})`,
				{ sendAfter: sendAfter.toISO({ suppressMilliseconds: true })!, timeZone: zone },
			);
		}
	}

	if (policy.quietHours) {
		const local = DateTime.fromMillis(now, { zone });
		if (isQuietTime(local, policy.quietHours)) {
			const sendAfter = nextAllowedTime(now, zone, policy.quietHours);
			return reject(
				'quiet_hours',
				`It is ${local.toFormat('HH:mm')} for the contact (${zone}), inside quiet hours ${hh(policy.quietHours.startHour)}–${hh(policy.quietHours.endHour)}; send after ${sendAfter.toFormat('yyyy-MM-dd HH:mm')}`,
				{ sendAfter: sendAfter.toISO({ suppressMilliseconds: true })!, timeZone: zone },
			);
		}
	}
	return { sendable: true, timeZone: zone };
}

/** "2 unsubscribed, 1 quiet hours": counts per reason, most frequent first. */
export function summarizeReasons(reasons: NotSendableReason[]): string {
	const counts = new Map<NotSendableReason, number>();
	for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
	return [...counts.entries()]
		.sort((a, b) => b[1] - a[1] || NOT_SENDABLE_REASONS.indexOf(a[0]) - NOT_SENDABLE_REASONS.indexOf(b[0]))
		.map(([reason, n]) => `${n} ${REASON_LABELS[reason]}`)
		.join(', ');
}
