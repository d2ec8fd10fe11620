import { DateTime } from 'luxon';
import { InputError } from './errors';

export function isBlank(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A string id from a string or number; undefined when blank. */
export function optionalId(value: unknown, field: string): string | undefined {
	if (isBlank(value)) return undefined;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'string') return value.trim();
	throw new InputError(`"${field}" must be a string or number, got ${typeof value}`, field);
}

export function optionalString(value: unknown, field: string, max = 1000): string | undefined {
	if (isBlank(value)) return undefined;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	if (typeof value !== 'string') throw new InputError(`"${field}" must be text, got ${typeof value}`, field);
	const text = value.trim();
	if (text.length > max) throw new InputError(`"${field}" is longer than ${max} characters`, field);
	return text;
}

/** Money as a number of currency units ("19.90" → 19.9). Negative amounts are rejected. */
export function parseMoney(value: unknown, field: string, { allowNegative = false } = {}): number {
	let n: number;
	if (typeof value === 'number') n = value;
	else if (typeof value === 'string' && value.trim() !== '') n = Number(value.trim().replace(/,(?=\d{3}\b)/g, ''));
	else throw new InputError(`"${field}" is missing or not a number`, field);
	if (!Number.isFinite(n)) throw new InputError(`"${field}" is not a number: ${JSON.stringify(value)}`, field);
	if (!allowNegative && n < 0) throw new InputError(`"${field}" must not be negative (got ${n})`, field);
	return Math.round(n * 100) / 100;
}

export function optionalMoney(value: unknown, field: string): number | undefined {
	return isBlank(value) ? undefined : parseMoney(value, field);
}

export function parseQuantity(value: unknown, field: string): number {
	if (isBlank(value)) return 1;
	const n = typeof value === 'string' ? Number(value.trim()) : value;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 100000) {
		throw new InputError(`"${field}" must be a whole number from 1 to 100000 (got ${JSON.stringify(value)})`, field);
	}
	return n;
}

export function parseCurrency(value: unknown, field: string, fallback?: string): string | undefined {
	if (isBlank(value)) return fallback;
	if (typeof value !== 'string' || !/^[A-Za-z]{3}$/.test(value.trim())) {
		throw new InputError(`"${field}" must be a 3-letter ISO 4217 currency code such as USD (got ${JSON.stringify(value)})`, field);
	}
	return value.trim().toUpperCase();
}

/**
 * Parses a point in time: ISO 8601 (with or without zone: no zone means UTC, as in
 * WooCommerce's *_gmt fields), SQL "YYYY-MM-DD HH:mm:ss", epoch seconds or
 * milliseconds, a Date or a Luxon DateTime. Returns epoch milliseconds.
 */
export function parseTimestamp(value: unknown, field: string): number {
	const ms = tryParseTimestamp(value);
	if (ms === undefined) {
		throw new InputError(`"${field}" is not a date: ${JSON.stringify(value)?.slice(0, 80)}`, field, 'Use an ISO 8601 date such as 2026-01-31T10:00:00Z');
	}
	return ms;
}

export function optionalTimestamp(value: unknown, field: string): number | undefined {
	return isBlank(value) ? undefined : parseTimestamp(value, field);
}

export function tryParseTimestamp(value: unknown): number | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
	if (DateTime.isDateTime(value)) return value.isValid ? value.toMillis() : undefined;
	if (typeof value === 'number') {
		if (!Number.isFinite(value) || value <= 0) return undefined;
		return value < 1e11 ? Math.round(value * 1000) : Math.round(value);
	}
	if (typeof value !== 'string') return undefined;
	const text = value.trim();
	if (!text) return undefined;
	if (/^\d{9,13}$/.test(text)) return tryParseTimestamp(Number(text));
	let dt = DateTime.fromISO(text, { zone: 'utc', setZone: true });
	if (!dt.isValid) dt = DateTime.fromSQL(text, { zone: 'utc', setZone: true });
	if (!dt.isValid) dt = DateTime.fromRFC2822(text, { zone: 'utc', setZone: true });
	if (!dt.isValid) dt = DateTime.fromHTTP(text, { zone: 'utc', setZone: true });
	if (!dt.isValid) return undefined;
	const ms = dt.toMillis();
	// Years outside 1900–2200 are almost always a unit or typing mistake.
	const year = dt.toUTC().year;
	return year < 1900 || year > 2200 ? undefined : ms;
}

export function toIso(ms: number | null | undefined): string | null {
	return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/**
 * A birthday as "YYYY-MM-DD", or "--MM-DD" when the year is unknown (ISO 8601's
 * form without year). Accepts Date-like values and "MM-DD".
 */
export function parseBirthday(value: unknown, field: string): string | undefined {
	if (isBlank(value)) return undefined;
	const text = typeof value === 'string' ? value.trim() : '';
	let m = /^--?(\d{2})-(\d{2})$/.exec(text) ?? /^(\d{2})-(\d{2})$/.exec(text);
	if (m) {
		const [month, day] = [Number(m[1]), Number(m[2])];
		if (!validMonthDay(month, day)) throw new InputError(`"${field}" is not a valid birthday: ${text}`, field);
		return `--${m[1]}-${m[2]}`;
	}
	m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
	if (m) {
		const dt = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) });
		if (!dt.isValid || dt.year < 1900) throw new InputError(`"${field}" is not a valid birthday: ${text}`, field);
		return dt.toISODate() ?? undefined;
	}
	const ms = tryParseTimestamp(value);
	if (ms === undefined) throw new InputError(`"${field}" is not a date: ${JSON.stringify(value)}`, field, 'Use YYYY-MM-DD, or --MM-DD when the year is unknown');
	return DateTime.fromMillis(ms, { zone: 'utc' }).toISODate() ?? undefined;
}

function validMonthDay(month: number, day: number): boolean {
	if (month < 1 || month > 12 || day < 1) return false;
	// 2024 is a leap year, so 29 February is accepted for year-less birthdays.
	return day <= DateTime.fromObject({ year: 2024, month }).daysInMonth!;
}

export function birthdayParts(birthday: string | null | undefined): { month: number; day: number } | null {
	if (!birthday) return null;
	const m = /(\d{2})-(\d{2})$/.exec(birthday);
	return m ? { month: Number(m[1]), day: Number(m[2]) } : null;
}

export function parseTimeZone(value: unknown, field: string): string | undefined {
	if (isBlank(value)) return undefined;
	const zone = String(value).trim();
	if (!DateTime.now().setZone(zone).isValid) {
		throw new InputError(`"${field}" is not an IANA time zone such as Europe/Berlin (got ${JSON.stringify(value)})`, field);
	}
	return zone;
}

export function parseCountry(value: unknown, field: string): string | undefined {
	const text = optionalString(value, field, 100);
	if (!text) return undefined;
	return /^[A-Za-z]{2}$/.test(text) ? text.toUpperCase() : text;
}

export function parseJsonObject(value: unknown, field: string): Record<string, unknown> | undefined {
	if (isBlank(value)) return undefined;
	let v = value;
	if (typeof v === 'string') {
		try {
			v = JSON.parse(v);
		} catch {
			throw new InputError(`"${field}" is not valid JSON`, field);
		}
	}
	if (typeof v !== 'object' || v === null || Array.isArray(v)) {
		throw new InputError(`"${field}" must be an object of field names and values`, field);
	}
	return v as Record<string, unknown>;
}
