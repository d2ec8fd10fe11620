import { DateTime } from 'luxon';
import { InputError } from './errors';

export function isBlank(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

// ------------------------------------------------------------------ text from outside

/** NUL and the other C0/C1 control characters, except tab, line feed and carriage return. */
const INPUT_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/**
 * Characters that change how text displays without being visible: bidi embeddings, overrides
 * and isolates (U+202A–202E, U+2066–2069: "Trojan source" reordering), zero-width space, word
 * joiner and invisible operators (U+200B, U+2060–2064) and the byte-order mark. Zero-width
 * (non-)joiners (U+200C, U+200D) stay: Persian, Indic scripts and emoji sequences need them.
 */
const INVISIBLE = /[\u200B\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NEEDS_CLEANING = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B\u202A-\u202E\u2060-\u2069\uFEFF\uD800-\uDFFF]/;
const NON_ASCII = /[^\u0000-\u007F]/;

/**
 * Text from a webhook or a mapped field as the store keeps it: control characters (NUL
 * included) and invisible formatting characters removed, a lone UTF-16 surrogate replaced by
 * U+FFFD, and Unicode NFC (so "é" typed two ways is one value). Both backends then store
 * exactly the same text, and no value can break PostgreSQL (which rejects NUL) or JSON columns.
 * Letters of every script, emoji and combining marks are kept.
 */
export function cleanInputText(value: string): string {
	let text = value;
	if (NEEDS_CLEANING.test(text)) text = text.replace(LONE_SURROGATE, '\uFFFD').replace(INPUT_CONTROL, '').replace(INVISIBLE, '');
	return NON_ASCII.test(text) ? text.normalize('NFC') : text;
}

/** Longest id (order, product, variant, checkout token…) accepted: ids are keys and indexed. */
export const MAX_ID_LENGTH = 255;

/** A string id from a string or number; undefined when blank. */
export function optionalId(value: unknown, field: string): string | undefined {
	if (isBlank(value)) return undefined;
	if (typeof value === 'number') {
		if (Number.isFinite(value)) return String(value);
		throw new InputError(`"${field}" must be a string or number, got ${String(value)}`, field);
	}
	if (typeof value !== 'string') throw new InputError(`"${field}" must be a string or number, got ${describeType(value)}`, field);
	const id = cleanInputText(value).trim();
	if (!id) return undefined;
	if (id.length > MAX_ID_LENGTH) throw new InputError(`"${field}" is longer than ${MAX_ID_LENGTH} characters (${id.length}): is the right field mapped?`, field);
	return id;
}

export function optionalString(value: unknown, field: string, max = 1000): string | undefined {
	if (isBlank(value)) return undefined;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	if (typeof value !== 'string') throw new InputError(`"${field}" must be text, got ${describeType(value)}`, field);
	const text = cleanInputText(value).trim();
	if (!text) return undefined;
	if (text.length > max) throw new InputError(`"${field}" is longer than ${max} characters (${text.length})`, field, `Shorten it to at most ${max} characters, or check that the right field is mapped`);
	return text;
}

/** "a list", "an object", "null"… for messages about a value of the wrong type. */
export function describeType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	return typeof value;
}

// ------------------------------------------------------------------ money

/**
 * The largest amount accepted (one trillion currency units): far above any real order even in
 * currencies with small units, and far below where double precision loses cents.
 */
export const MAX_MONEY = 1e12;

/** Digits with an optional dot for decimals, and optional thousands commas ("1,299.50"). */
const DECIMAL_TEXT = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d*)?$/;

/**
 * Money as a number of currency units ("19.90" → 19.9), rounded to cents. Accepted: numbers and
 * decimal text with a dot ("1,299.50" has a thousands comma). Rejected with a message saying what
 * to fix: a decimal comma ("12,50"), exponents ("1e309"), hexadecimal, NaN and Infinity, amounts
 * over MAX_MONEY and, unless allowed, negative amounts.
 */
export function parseMoney(value: unknown, field: string, { allowNegative = false } = {}): number {
	let n: number;
	if (typeof value === 'number') n = value;
	else if (typeof value === 'string' && value.trim() !== '') {
		const text = value.trim();
		if (!DECIMAL_TEXT.test(text) || !/\d/.test(text)) {
			const comma = /^[+-]?\d+,\d{1,2}$/.test(text) ? ` (use a dot for decimals: ${text.replace(',', '.')})` : '';
			throw new InputError(`"${field}" is not a number: ${JSON.stringify(text.slice(0, 40))}${comma}`, field, 'Give the amount in currency units with a dot for decimals, e.g. 19.90');
		}
		n = Number(text.replace(/,/g, ''));
	} else throw new InputError(`"${field}" is missing or not a number`, field);
	if (!Number.isFinite(n)) {
		throw new InputError(`"${field}" is not a number: ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`, field, 'Give the amount in currency units with a dot for decimals, e.g. 19.90');
	}
	if (!allowNegative && n < 0) throw new InputError(`"${field}" must not be negative (got ${n})`, field);
	if (Math.abs(n) > MAX_MONEY) throw new InputError(`"${field}" is too large (${n}): amounts up to ${MAX_MONEY.toExponential()} are accepted`, field, 'Check the amount and its unit (currency units, not cents)');
	return Math.round(n * 100) / 100;
}

export function optionalMoney(value: unknown, field: string): number | undefined {
	return isBlank(value) ? undefined : parseMoney(value, field);
}

export function parseQuantity(value: unknown, field: string): number {
	if (isBlank(value)) return 1;
	const n = typeof value === 'string' ? (/^\s*\d+(?:\.0*)?\s*$/.test(value) ? Number(value.trim()) : NaN) : value;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 100000) {
		throw new InputError(`"${field}" must be a whole number from 1 to 100000 (got ${JSON.stringify(value)})`, field);
	}
	return n;
}

export function parseCurrency(value: unknown, field: string, fallback?: string): string | undefined {
	if (isBlank(value)) return fallback;
	// Any three letters: WooCommerce shops use codes outside ISO 4217 too (BTC, IRT…), stored as given.
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
	const ms = parseInstant(value);
	if (ms === undefined) {
		throw new InputError(`"${field}" is not a date: ${JSON.stringify(value)?.slice(0, 80)}`, field, 'Use an ISO 8601 date such as 2026-01-31T10:00:00Z');
	}
	if (!inDateRange(ms)) {
		throw new InputError(
			`"${field}" is out of range: ${JSON.stringify(value)?.slice(0, 80)} is in the year ${new Date(ms).getUTCFullYear()}; dates from ${MIN_YEAR} to ${MAX_YEAR} are accepted`,
			field,
			'Check the date and its unit (epoch seconds or milliseconds)',
		);
	}
	return ms;
}

/** MySQL's "zero date" (WordPress and WooCommerce write it for "no date"). */
const ZERO_DATE = /^0000-00-00(?:[ T]00:00:00(?:\.0+)?Z?)?$/;

/** An optional date: blank, or MySQL's zero date "0000-00-00 00:00:00", means none. */
export function optionalTimestamp(value: unknown, field: string): number | undefined {
	if (isBlank(value) || (typeof value === 'string' && ZERO_DATE.test(value.trim()))) return undefined;
	return parseTimestamp(value, field);
}

// Years outside this range are almost always a unit or typing mistake.
const MIN_YEAR = 1900;
const MAX_YEAR = 2200;
const MIN_MS = Date.UTC(MIN_YEAR, 0, 1);
const MAX_MS = Date.UTC(MAX_YEAR + 1, 0, 1) - 1;

function inDateRange(ms: number): boolean {
	return ms >= MIN_MS && ms <= MAX_MS;
}

export function tryParseTimestamp(value: unknown): number | undefined {
	const ms = parseInstant(value);
	return ms !== undefined && inDateRange(ms) ? ms : undefined;
}

/** A point in time from any accepted form, whatever its year (epoch milliseconds). */
function parseInstant(value: unknown): number | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
	if (DateTime.isDateTime(value)) return value.isValid ? value.toMillis() : undefined;
	if (typeof value === 'number') {
		if (!Number.isFinite(value) || value <= 0) return undefined;
		return value < 1e11 ? Math.round(value * 1000) : Math.round(value);
	}
	if (typeof value !== 'string') return undefined;
	const text = value.trim();
	if (!text || text.length > 100) return undefined;
	if (/^\d{9,13}$/.test(text)) return parseInstant(Number(text));
	let dt = DateTime.fromISO(text, { zone: 'utc', setZone: true });
	if (!dt.isValid) dt = DateTime.fromSQL(text, { zone: 'utc', setZone: true });
	if (!dt.isValid) dt = DateTime.fromRFC2822(text, { zone: 'utc', setZone: true });
	if (!dt.isValid) dt = DateTime.fromHTTP(text, { zone: 'utc', setZone: true });
	return dt.isValid ? dt.toMillis() : undefined;
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

/** An IANA time zone, in its canonical spelling ("europe/berlin" → "Europe/Berlin"). */
export function parseTimeZone(value: unknown, field: string): string | undefined {
	if (isBlank(value)) return undefined;
	const zone = typeof value === 'string' ? cleanInputText(value).trim() : '';
	if (!zone || zone.length > 64 || !DateTime.now().setZone(zone).isValid) {
		throw new InputError(`"${field}" is not an IANA time zone such as Europe/Berlin (got ${JSON.stringify(value)?.slice(0, 80)})`, field);
	}
	try {
		return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
	} catch {
		// Fixed offsets such as UTC+2 that luxon knows and Intl does not.
		return zone;
	}
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
		throw new InputError(`"${field}" must be an object of field names and values (got ${describeType(v)})`, field);
	}
	return v as Record<string, unknown>;
}

// ------------------------------------------------------------------ custom fields

/** Custom fields are JSON: at most this much of it per contact. */
export const MAX_CUSTOM_FIELDS_BYTES = 65536;
const MAX_CUSTOM_DEPTH = 8;
const MAX_CUSTOM_NAME_LENGTH = 200;
/** Names that mean something to JavaScript objects (prototype pollution), never field names. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Custom fields (an object, or JSON text of one) made safe to store: names and text values
 * cleaned like any text (cleanInputText), `__proto__`, `constructor` and `prototype` refused as
 * names at any depth, numbers finite, nesting at most 8 levels, dates as ISO text, and at most
 * 64 KB of JSON. A null value means "remove this field" (merged by the store).
 */
export function parseCustomFields(value: unknown, field: string): Record<string, unknown> | undefined {
	const raw = parseJsonObject(value, field);
	if (!raw) return undefined;
	const clean = cleanCustomObject(raw, field, 0);
	if (JSON.stringify(clean).length > MAX_CUSTOM_FIELDS_BYTES) {
		throw new InputError(`"${field}" is larger than 64 KB`, field, 'Keep custom fields small: store large data elsewhere and keep a reference here');
	}
	return clean;
}

function cleanCustomObject(object: Record<string, unknown>, path: string, depth: number): Record<string, unknown> {
	const out = new Map<string, unknown>();
	for (const [rawName, rawValue] of Object.entries(object)) {
		const name = cleanInputText(rawName).trim();
		const where = `${path}.${name || rawName}`;
		if (!name) throw new InputError(`"${path}" has a field without a name`, path, 'Give every custom field a name');
		if (RESERVED_NAMES.has(name)) {
			throw new InputError(`"${path}" may not have a field named "${name}"`, path, 'Rename the field: __proto__, constructor and prototype are reserved');
		}
		if (name.length > MAX_CUSTOM_NAME_LENGTH) throw new InputError(`"${path}" has a field name longer than ${MAX_CUSTOM_NAME_LENGTH} characters`, path);
		const cleaned = cleanCustomValue(rawValue, where, depth);
		if (cleaned !== undefined) out.set(name, cleaned);
	}
	// Object.fromEntries defines own properties: no key can reach a prototype.
	return Object.fromEntries(out);
}

function cleanCustomValue(value: unknown, where: string, depth: number): unknown {
	if (value === null) return null;
	if (value === undefined) return undefined;
	if (typeof value === 'string') return cleanInputText(value);
	if (typeof value === 'boolean') return value;
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new InputError(`"${where}" is not a finite number (${String(value)})`, where, 'Give a number, or null to remove the field');
		return value;
	}
	if (value instanceof Date || DateTime.isDateTime(value)) {
		const ms = tryParseTimestamp(value);
		if (ms === undefined) throw new InputError(`"${where}" is not a valid date`, where);
		return new Date(ms).toISOString();
	}
	if (typeof value === 'object') {
		if (depth + 1 >= MAX_CUSTOM_DEPTH) throw new InputError(`"${where}" is nested more than ${MAX_CUSTOM_DEPTH} levels deep`, where);
		if (Array.isArray(value)) return value.map((v, i) => cleanCustomValue(v, `${where}[${i}]`, depth + 1) ?? null);
		return cleanCustomObject(value as Record<string, unknown>, where, depth + 1);
	}
	throw new InputError(`"${where}" must be text, a number, true/false, a list or an object (got ${typeof value})`, where);
}
