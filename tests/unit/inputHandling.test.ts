/**
 * How the pure modules treat malformed and hostile input: text cleaning, emails, money,
 * quantities, dates, time zones, custom fields, tags, segment values, links, event keys.
 */
import { emailProblem, isValidEmail, normalizeEmail, requireEmail } from '../../lib/domain/email';
import { cleanText } from '../../lib/domain/htmlSafety';
import { parseSendKey } from '../../lib/domain/sendable';
import { parseRules } from '../../lib/domain/segmentRules';
import { normalizeScoreName } from '../../lib/domain/scores';
import { normalizeTag, parseTagList } from '../../lib/domain/tags';
import { verifyUnsubscribeLink, unsubscribeToken } from '../../lib/domain/unsubscribeLink';
import {
	cleanInputText,
	optionalId,
	optionalString,
	optionalTimestamp,
	parseCustomFields,
	parseMoney,
	parseQuantity,
	parseTimestamp,
	parseTimeZone,
	tryParseTimestamp,
} from '../../lib/domain/values';
import { linkOf, normalizeLineItems, sumLineItems } from '../../lib/sources/common';
import { storedEventKey } from '../../lib/store/SqlContactStore';
import { planPatch } from '../../lib/store/profilePatch';
import type { ContactRow } from '../../lib/store/rows';

describe('cleanInputText', () => {
	it('removes NUL, control and invisible formatting characters and keeps every script', () => {
		expect(cleanInputText('Jo\u0000hn\u0007')).toBe('John');
		expect(cleanInputText('\u202Eevil\u202C \u2066x\u2069')).toBe('evil x');
		expect(cleanInputText('a\u200Bb\uFEFFc\u2060d')).toBe('abcd');
		expect(cleanInputText('line\nbreak\ttab')).toBe('line\nbreak\ttab');
		expect(cleanInputText('نور כהן 👩🏽‍💻 می\u200Cخواهم')).toBe('نور כהן 👩🏽‍💻 می\u200Cخواهم');
	});
	it('composes to NFC and replaces lone surrogates', () => {
		expect(cleanInputText('Zoe\u0308')).toBe('Zo\u00EB');
		expect(cleanInputText('a\uD800b\uDC00c')).toBe('a\uFFFDb\uFFFDc');
		expect(cleanInputText('😀')).toBe('😀');
	});
	it('is what display text and stored text both go through', () => {
		expect(cleanText('  \u202EJo\u200Bhn\u0000  Doe ')).toBe('John Doe');
		expect(optionalString('\u200B', 'f')).toBeUndefined();
		expect(optionalString('  Ada\u0000 ', 'f')).toBe('Ada');
		expect(() => optionalString({ a: 1 }, 'First Name')).toThrow('"First Name" must be text, got an object');
		expect(() => optionalString('x'.repeat(201), 'First Name', 200)).toThrow('"First Name" is longer than 200 characters (201)');
	});
});

describe('ids', () => {
	it('are cleaned, bounded and never NaN', () => {
		expect(optionalId(' 1001 ', 'id')).toBe('1001');
		expect(optionalId(1001, 'id')).toBe('1001');
		expect(optionalId('a\u0000b', 'id')).toBe('ab');
		expect(() => optionalId(NaN, 'id')).toThrow('"id" must be a string or number, got NaN');
		expect(() => optionalId({}, 'id')).toThrow('got an object');
		expect(() => optionalId('x'.repeat(256), 'Order ID')).toThrow('"Order ID" is longer than 255 characters');
	});
});

describe('emails', () => {
	it('normalize case, spaces, invisible characters, Unicode forms and internationalized domains', () => {
		expect(normalizeEmail('  Ada@Example.COM\t')).toBe('ada@example.com');
		expect(normalizeEmail('ada\u200B@example.com')).toBe('ada@example.com');
		expect(normalizeEmail('käufer@Bücher.example')).toBe('käufer@xn--bcher-kva.example');
		expect(normalizeEmail('käufer@xn--bcher-kva.example')).toBe('käufer@xn--bcher-kva.example');
		expect(normalizeEmail('zoe\u0308@example.com')).toBe('zo\u00EB@example.com');
	});
	it('are refused with the reason when they cannot be delivered', () => {
		expect(isValidEmail("o'brien@example.com")).toBe(true);
		expect(emailProblem(`${'a'.repeat(64)}@${`${'b'.repeat(62)}.`.repeat(4)}com`)).toBe('it has 320 characters, at most 254 are possible');
		expect(emailProblem(`${'a'.repeat(65)}@example.com`)).toBe('the part before the @ has 65 characters, at most 64 are possible');
		for (const bad of ['.a@example.com', 'a.@example.com', 'a..b@example.com']) expect(emailProblem(bad)).toMatch(/dot/);
		for (const bad of ['a@example.com.', 'a@-example.com', 'a@exa_mple.com', 'a@example.123']) expect(emailProblem(bad)).toBe('the domain after the @ is not a valid domain name');
		expect(() => requireEmail(['a@example.com'], 'Email')).toThrow('"Email" must be an email address (text), got a list');
		expect(() => requireEmail(`${'a'.repeat(300)}@example.com`, 'Email')).toThrow(/…" in "Email" is not a valid email address: it has 312 characters/);
	});
});

describe('money and quantities', () => {
	it('read decimal text with a dot, thousands commas and plain numbers', () => {
		expect(parseMoney(' 19.90 ', 'p')).toBe(19.9);
		expect(parseMoney('1,299.50', 'p')).toBe(1299.5);
		expect(parseMoney('12,345,678', 'p')).toBe(12345678);
		expect(parseMoney('.5', 'p')).toBe(0.5);
		expect(parseMoney(0, 'p')).toBe(0);
	});
	it('refuse what is not plainly an amount, saying what to write instead', () => {
		expect(() => parseMoney('12,50', 'price')).toThrow('"price" is not a number: "12,50" (use a dot for decimals: 12.50)');
		for (const bad of ['1e309', '1e3', '0x10', 'NaN', 'Infinity', '$5', '1.234,56', '1,2345', '.', '-']) expect(() => parseMoney(bad, 'p')).toThrow('"p" is not a number');
		expect(() => parseMoney(NaN, 'p')).toThrow('"p" is not a number');
		expect(() => parseMoney(Infinity, 'p')).toThrow('"p" is not a number');
		expect(() => parseMoney(1e308, 'Order Total')).toThrow('"Order Total" is too large');
		expect(() => parseMoney('-1', 'p')).toThrow('"p" must not be negative (got -1)');
	});
	it('quantities are whole numbers from 1 to 100000, as numbers or digits', () => {
		expect(parseQuantity('3', 'q')).toBe(3);
		expect(parseQuantity('2.0', 'q')).toBe(2);
		for (const bad of [0, -2, 1.5, 1e6, '1e3', '3 pcs', NaN]) expect(() => parseQuantity(bad, 'q')).toThrow('must be a whole number from 1 to 100000');
	});
	it('line items: tags cleaned and bounded, links only http(s), sums bounded', () => {
		const [item] = normalizeLineItems([{ title: 'Hat', price: '5', tags: ['A\u0000', ' ', 'b'], image_url: 'javascript:alert(1)', url: 'https://shop.example.com/hat' }], 'line_items');
		expect(item).toEqual({ title: 'Hat', price: 5, quantity: 1, tags: ['A', 'b'], url: 'https://shop.example.com/hat' });
		expect(() => normalizeLineItems([{ title: 'Hat', price: '5', tags: Array.from({ length: 251 }, (_, i) => `t${i}`) }], 'line_items')).toThrow('"line_items[0].tags" has 251 tags');
		expect(() => sumLineItems([{ title: 'x', price: 1e12, quantity: 2 }], 'Line Items')).toThrow('"Line Items" add up to 2000000000000');
		expect(linkOf(' HTTPS://Shop.Example.com/a ', 'url')).toBe('https://shop.example.com/a');
		for (const bad of ['java\tscript:alert(1)', '&#106;avascript:alert(1)', 'data:text/html,x', '/relative', '//evil.example']) expect(linkOf(bad, 'url')).toBeUndefined();
	});
});

describe('dates and time zones', () => {
	it('say when a date is out of range rather than "not a date"', () => {
		expect(() => parseTimestamp('9999-12-31T23:59:59Z', 'created_at')).toThrow('"created_at" is out of range: "9999-12-31T23:59:59Z" is in the year 9999; dates from 1900 to 2200 are accepted');
		expect(() => parseTimestamp(1772359200000000, 'ts')).toThrow('is out of range');
		expect(parseTimestamp('1900-01-01T00:00:00Z', 'd')).toBe(Date.UTC(1900, 0, 1));
		expect(() => parseTimestamp('0000-00-00', 'd')).toThrow('"d" is not a date: "0000-00-00"');
		expect(tryParseTimestamp('x'.repeat(1000))).toBeUndefined();
	});
	it('MySQL zero dates mean "no date" in optional fields', () => {
		expect(optionalTimestamp('0000-00-00 00:00:00', 'date_paid_gmt')).toBeUndefined();
		expect(optionalTimestamp('0000-00-00T00:00:00', 'date_paid_gmt')).toBeUndefined();
		expect(optionalTimestamp('0000-00-00', 'date_paid_gmt')).toBeUndefined();
	});
	it('time zones are IANA names in their canonical spelling', () => {
		expect(parseTimeZone('europe/berlin', 'tz')).toBe('Europe/Berlin');
		expect(parseTimeZone(' UTC ', 'tz')).toBe('UTC');
		for (const bad of ['Mars/Olympus', 'W. Europe Standard Time', 'x'.repeat(100)]) expect(() => parseTimeZone(bad, 'Time Zone')).toThrow('is not an IANA time zone');
		expect(() => parseTimeZone({ zone: 'UTC' }, 'Time Zone')).toThrow('is not an IANA time zone');
	});
});

describe('custom fields', () => {
	it('are cleaned and stored as plain data', () => {
		expect(parseCustomFields('{"plan": "gold", "n": 3, "ok": true, "gone": null}', 'Custom Fields')).toEqual({ plan: 'gold', n: 3, ok: true, gone: null });
		expect(parseCustomFields({ "'; DROP TABLE contacts; --": 'x\u0000', ' nick ': '\u202Eeve', list: ['a\u0000', { b: 1 }] }, 'Custom Fields')).toEqual({
			"'; DROP TABLE contacts; --": 'x',
			nick: 'eve',
			list: ['a', { b: 1 }],
		});
		expect(parseCustomFields({ at: new Date('2026-03-01T10:00:00Z') }, 'Custom Fields')).toEqual({ at: '2026-03-01T10:00:00.000Z' });
	});
	it('refuse prototype keys at any depth, non-finite numbers, deep nesting and more than 64 KB', () => {
		expect(() => parseCustomFields('{"__proto__": {"isAdmin": true}}', 'Custom Fields')).toThrow('"Custom Fields" may not have a field named "__proto__"');
		expect(() => parseCustomFields('{"constructor": {}}', 'Custom Fields')).toThrow('named "constructor"');
		expect(() => parseCustomFields('{"a": [{"prototype": 1}]}', 'Custom Fields')).toThrow('"Custom Fields.a[0]" may not have a field named "prototype"');
		expect(() => parseCustomFields({ n: NaN }, 'Custom Fields')).toThrow('"Custom Fields.n" is not a finite number (NaN)');
		expect(() => parseCustomFields({ '\u200B': 1 }, 'Custom Fields')).toThrow('has a field without a name');
		let deep: Record<string, unknown> = { leaf: 1 };
		for (let i = 0; i < 10; i++) deep = { deep };
		expect(() => parseCustomFields(deep, 'Custom Fields')).toThrow('nested more than 8 levels deep');
		expect(() => parseCustomFields({ notes: 'x'.repeat(70000) }, 'Custom Fields')).toThrow('"Custom Fields" is larger than 64 KB');
		expect(() => parseCustomFields([{ a: 1 }], 'Custom Fields')).toThrow('must be an object of field names and values (got a list)');
		expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
	});
	it('merge without reaching a prototype, and never grow past 64 KB', () => {
		const row = {
			id: 1, email: 'a@example.com', first_name: null, last_name: null, phone: null, birthday: null, country: null, region: null, city: null, time_zone: null, locale: null,
			status: 'not_subscribed', suppressed: 0, suppression_reason: null, consent_at: null, signed_up_at: null, first_purchase_at: null, last_purchase_at: null, order_count: 0,
			total_spent: 0, last_order_value: null, currency: null, last_engagement_at: null, last_visit_at: null, site_visits: 0, customer_ids: '{}', custom: '{"a":1}', created_at: 0, updated_at: 0,
		} as ContactRow;
		const custom = JSON.parse('{"__proto__": {"isAdmin": true}, "b": 2}') as Record<string, unknown>;
		const plan = planPatch(row, { email: 'a@example.com', custom }, 1);
		expect(JSON.parse(String(plan.sets.custom))).toEqual(JSON.parse('{"a": 1, "__proto__": {"isAdmin": true}, "b": 2}'));
		expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
		const big = { ...row, custom: JSON.stringify({ old: 'x'.repeat(60000) }) };
		expect(() => planPatch(big, { email: 'a@example.com', custom: { more: 'y'.repeat(10000) } }, 1)).toThrow("The contact's custom fields would grow past 64 KB");
		expect(planPatch(big, { email: 'a@example.com', custom: { old: null } }, 1).sets.custom).toBe('{}');
	});
});

describe('tags, score names, send keys and segment values', () => {
	it('are cleaned the same way as stored text', () => {
		expect(normalizeTag('VIP\u0000')).toBe('vip');
		expect(parseTagList('VIP 🌟, \u202Egnp.exe, שלום')).toEqual(['vip 🌟', 'gnp.exe', 'שלום']);
		expect(() => parseTagList({ vip: true })).toThrow('"Tags" must be a comma-separated list or an array of tags');
		expect(normalizeScoreName("'; DROP TABLE contacts; --\u0000")).toBe("'; drop table contacts; --");
		expect(parseSendKey('winback\u0000', 'Campaign')).toBe('winback');
		const rules = parseRules({
			conditions: [
				{ field: 'tag', operator: 'includes', value: 'VIP\u0000' },
				{ field: 'customField', name: 'nick\u200B', valueType: 'text', operator: 'contains', value: '%_\\\u0000' },
			],
		});
		expect(rules.conditions).toMatchObject([{ texts: ['vip'] }, { name: 'nick', texts: ['%_\\'] }]);
	});
});

describe('signed links', () => {
	it('a line break in the email never verifies, even with a token that matches the joined text', () => {
		const secret = 's'.repeat(32);
		const token = unsubscribeToken('ada@example.com', secret, 'winback');
		expect(verifyUnsubscribeLink({ e: 'ada@example.com', c: 'winback', t: token }, secret)).toEqual({ valid: true, email: 'ada@example.com', campaign: 'winback' });
		expect(verifyUnsubscribeLink({ e: 'ada@example.com\nwinback', t: token }, secret)).toEqual({ valid: false, reason: 'bad_signature' });
		expect(verifyUnsubscribeLink({ e: 'ada@example.com', c: 'winback', t: token + 'x'.repeat(200) }, secret)).toEqual({ valid: false, reason: 'bad_signature' });
	});
});

describe('event keys', () => {
	it('are stored as given when short and printable, else as their SHA-256 (the same for a replay)', () => {
		expect(storedEventKey('shopify:order:1:2026-03-01')).toBe('shopify:order:1:2026-03-01');
		const long = `shopify:order:1:${'x'.repeat(1024 * 1024)}`;
		expect(storedEventKey(long)).toMatch(/^sha256:[0-9a-f]{64}$/);
		expect(storedEventKey(long)).toBe(storedEventKey(long));
		expect(storedEventKey('a\u0000b')).toMatch(/^sha256:/);
		expect(storedEventKey('a\u0000b')).not.toBe(storedEventKey('ab'));
	});
});
