/**
 * Making outside values safe for email HTML: every product or customer value is
 * escaped, and only http(s) links are ever emitted.
 */
import { cleanInputText } from './values';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const HAS_SPECIAL = /[&<>"']/;
const SPECIAL = /[&<>"']/g;

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(value: string): string {
	return HAS_SPECIAL.test(value) ? value.replace(SPECIAL, (c) => HTML_ESCAPES[c]) : value;
}

/**
 * One line of display text: control characters, bidi overrides and other invisible formatting
 * characters removed (cleanInputText), runs of whitespace collapsed to one space, trimmed, and
 * cut to `max` characters (on a code point). Letters of every script (Arabic, Hebrew, CJK,
 * emoji, combining marks) are kept as they are; the templates mark text dir="auto".
 */
export function cleanText(value: unknown, max = 500): string {
	if (value === undefined || value === null) return '';
	const text = cleanInputText(typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '')
		.replace(/\s+/g, ' ')
		.trim();
	if (text.length <= max) return text;
	const cut = Array.from(text).slice(0, max).join('');
	return `${cut.trimEnd()}…`;
}

/**
 * The value as an absolute http(s) URL (normalized by the WHATWG URL parser), or
 * undefined. Rejected: other schemes (javascript:, data:, vbscript:, mailto:…),
 * protocol-relative and relative URLs, backslashes, whitespace or control
 * characters inside, credentials (user:pass@host) and URLs over 2000 characters.
 */
export function safeHttpUrl(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	// The same links (products, shop, logo) come back for email after email.
	const known = checkedUrls.get(value);
	if (known !== undefined) return known || undefined;
	const url = checkUrl(value);
	if (checkedUrls.size >= 5000) checkedUrls.clear();
	checkedUrls.set(value, url ?? '');
	return url;
}

const checkedUrls = new Map<string, string>();

function checkUrl(value: string): string | undefined {
	const text = value.trim();
	if (text.length === 0 || text.length > 2000) return undefined;
	if (!/^https?:\/\/[^/\\]/i.test(text)) return undefined;
	if (/[\s\u0000-\u001F\u007F\\]/.test(text)) return undefined;
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return undefined;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
	if (!url.hostname || url.username || url.password) return undefined;
	return url.href;
}

const NAMED_ENTITIES: Record<string, string> = {
	amp: '&',
	lt: '<',
	gt: '>',
	quot: '"',
	apos: "'",
	nbsp: '\u00A0',
	ndash: '\u2013',
	mdash: '\u2014',
	hellip: '\u2026',
	lsquo: '\u2018',
	rsquo: '\u2019',
	sbquo: '\u201A',
	ldquo: '\u201C',
	rdquo: '\u201D',
	bdquo: '\u201E',
	laquo: '\u00AB',
	raquo: '\u00BB',
	trade: '\u2122',
	reg: '\u00AE',
	copy: '\u00A9',
	times: '\u00D7',
	deg: '\u00B0',
	euro: '\u20AC',
	pound: '\u00A3',
	yen: '\u00A5',
	cent: '\u00A2',
	middot: '\u00B7',
	bull: '\u2022',
};

/**
 * Decodes the HTML entities WordPress puts into WooCommerce product names
 * ("Ship Your Idea &ndash; Black", "Tom&#8217;s mug") back to text. The result is
 * plain text and is escaped again wherever it is written into HTML.
 */
export function decodeEntities(text: string): string {
	if (!text.includes('&')) return text;
	return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});/g, (whole, ref: string) => {
		if (ref[0] !== '#') return NAMED_ENTITIES[ref] ?? whole;
		const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
		if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
		return String.fromCodePoint(code);
	});
}
