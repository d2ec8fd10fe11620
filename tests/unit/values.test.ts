import { requireEmail, normalizeEmail, isValidEmail } from '../../lib/domain/email';
import { generateCouponCode, normalizeCouponPrefix } from '../../lib/domain/coupon';
import {
	birthdayParts,
	parseBirthday,
	parseCurrency,
	parseMoney,
	parseQuantity,
	parseTimestamp,
	parseTimeZone,
	tryParseTimestamp,
} from '../../lib/domain/values';

describe('email', () => {
	it('normalizes to trimmed lower case', () => {
		expect(normalizeEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
		expect(normalizeEmail(42)).toBe('');
	});
	it('accepts plausible addresses and rejects the rest with the field name', () => {
		expect(isValidEmail('a+tag@shop.example.co.uk')).toBe(true);
		for (const bad of ['plainaddress', 'a@b', 'a b@example.com', '<a@example.com>', 'a@example.c']) expect(isValidEmail(bad)).toBe(false);
		expect(() => requireEmail('', 'billing.email')).toThrow('No email address found in "billing.email"');
		expect(() => requireEmail('nope', 'Email')).toThrow('"nope" in "Email" is not a valid email address');
	});
});

describe('values', () => {
	it('parses money from strings and numbers, rejecting negatives and junk', () => {
		expect(parseMoney('199.00', 'price')).toBe(199);
		expect(parseMoney('1,299.50', 'price')).toBe(1299.5);
		expect(parseMoney(0.1 + 0.2, 'price')).toBe(0.3);
		expect(() => parseMoney('-1', 'price')).toThrow('"price" must not be negative');
		expect(() => parseMoney('ten', 'price')).toThrow('"price" is not a number');
		expect(() => parseMoney(undefined, 'price')).toThrow('"price" is missing');
	});
	it('checks quantities and currencies', () => {
		expect(parseQuantity(undefined, 'q')).toBe(1);
		expect(parseQuantity('3', 'q')).toBe(3);
		expect(() => parseQuantity(1.5, 'q')).toThrow('whole number');
		expect(parseCurrency('eur', 'c')).toBe('EUR');
		expect(() => parseCurrency('EURO', 'c')).toThrow('3-letter ISO 4217');
	});
	it('parses the date formats stores send, and treats zone-less times as UTC', () => {
		expect(parseTimestamp('2026-03-01T10:00:00-05:00', 'd')).toBe(Date.parse('2026-03-01T15:00:00Z'));
		expect(parseTimestamp('2017-03-22T16:28:08', 'd')).toBe(Date.parse('2017-03-22T16:28:08Z'));
		expect(parseTimestamp('2026-03-01 10:00:00', 'd')).toBe(Date.parse('2026-03-01T10:00:00Z'));
		expect(parseTimestamp(1772359200, 'd')).toBe(1772359200000);
		expect(parseTimestamp('1772359200000', 'd')).toBe(1772359200000);
		expect(tryParseTimestamp('yesterday')).toBeUndefined();
		expect(tryParseTimestamp('0001-01-01T00:00:00Z')).toBeUndefined();
		expect(() => parseTimestamp('31/02/2026', 'created_at')).toThrow('"created_at" is not a date');
	});
	it('keeps birthdays with or without a year, including 29 February', () => {
		expect(parseBirthday('1990-02-28', 'b')).toBe('1990-02-28');
		expect(parseBirthday('--02-29', 'b')).toBe('--02-29');
		expect(parseBirthday('02-29', 'b')).toBe('--02-29');
		expect(() => parseBirthday('--02-30', 'b')).toThrow('not a valid birthday');
		expect(() => parseBirthday('2023-02-29', 'b')).toThrow('not a valid birthday');
		expect(birthdayParts('1990-12-24')).toEqual({ month: 12, day: 24 });
	});
	it('accepts IANA time zones only', () => {
		expect(parseTimeZone('Europe/Berlin', 'tz')).toBe('Europe/Berlin');
		expect(() => parseTimeZone('Mars/Olympus', 'tz')).toThrow('IANA time zone');
	});
});

describe('coupon codes', () => {
	it('are prefix plus unambiguous characters', () => {
		const code = generateCouponCode('WELCOME-', 10);
		expect(code).toMatch(/^WELCOME-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{10}$/);
		expect(new Set(Array.from({ length: 200 }, () => generateCouponCode('', 8))).size).toBe(200);
		expect(normalizeCouponPrefix(' bf- ')).toBe('BF-');
		expect(() => normalizeCouponPrefix('no spaces')).toThrow('prefix');
		expect(() => generateCouponCode('', 4)).toThrow('6 to 32');
	});
});
