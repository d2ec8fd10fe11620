import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { InputError } from './errors';

/**
 * Signed one-click unsubscribe links. The link carries the contact's email (and optionally the
 * campaign) with an HMAC-SHA256 over both, keyed by the store's link-signing secret: a forged or
 * altered link (another email, another campaign, a truncated token) does not verify.
 */

const PURPOSE = 'unsubscribe.v1';
const CONTROL = /[\u0000-\u001F\u007F]/;

/** A new random secret (256 bits, hex). */
export function newLinkSecret(): string {
	return randomBytes(32).toString('hex');
}

function assertSecret(secret: string): void {
	if (typeof secret !== 'string' || secret.length < 16) {
		throw new InputError('The link-signing secret must be at least 16 characters', 'Link Signing Secret');
	}
}

/**
 * The token of a signed link for one purpose (e.g. "unsubscribe.v1"), email and optional
 * campaign: base64url, 43 characters. A token made for one purpose never verifies for another.
 */
export function signedLinkToken(purpose: string, email: string, secret: string, campaign = ''): string {
	assertSecret(secret);
	return createHmac('sha256', secret).update(`${purpose}\n${email}\n${campaign}`).digest('base64url');
}

/** The token for an email (already normalized) and optional campaign: base64url, 43 characters. */
export function unsubscribeToken(email: string, secret: string, campaign = ''): string {
	return signedLinkToken(PURPOSE, email, secret, campaign);
}

/** Adds `e` (email), `c` (campaign, when given) and `t` (token) to the base URL's query string. */
export function buildUnsubscribeUrl(baseUrl: string, email: string, secret: string, campaign = ''): string {
	return buildSignedLink(PURPOSE, baseUrl, email, secret, campaign);
}

/** A link signed for `purpose`: the base URL with `e`, `c` (when given) and `t` added to its query string. */
export function buildSignedLink(purpose: string, baseUrl: string, email: string, secret: string, campaign = '', field = 'Unsubscribe Link Base URL'): string {
	const url = parseBaseUrl(baseUrl, field);
	url.searchParams.set('e', email);
	if (campaign) url.searchParams.set('c', campaign);
	url.searchParams.set('t', signedLinkToken(purpose, email, secret, campaign));
	return url.toString();
}

/** The base URL of unsubscribe links, checked: http(s) only. Throws an InputError naming the field. */
export function parseBaseUrl(baseUrl: string, field = 'Unsubscribe Link Base URL'): URL {
	let url: URL;
	try {
		url = new URL(baseUrl);
	} catch {
		throw new InputError(`"${field}" is not a URL: ${JSON.stringify(baseUrl)}`, field);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new InputError(`"${field}" must start with https:// or http://`, field);
	}
	return url;
}

export interface VerifiedLink {
	valid: boolean;
	email?: string;
	campaign?: string;
	/** Why a link did not verify (for logs and the response page; never which part was wrong in detail). */
	reason?: 'missing' | 'bad_signature';
}

/** Checks the parameters of a clicked link (`e`, `c`, `t` from the query string), in constant time. */
export function verifyUnsubscribeLink(params: { e?: unknown; c?: unknown; t?: unknown }, secret: string): VerifiedLink {
	return verifySignedLink(PURPOSE, params, secret);
}

/** Checks the parameters of a clicked link signed for `purpose`, in constant time. */
export function verifySignedLink(purpose: string, params: { e?: unknown; c?: unknown; t?: unknown }, secret: string): VerifiedLink {
	const email = typeof params.e === 'string' ? params.e : '';
	const campaign = typeof params.c === 'string' ? params.c : '';
	const token = typeof params.t === 'string' ? params.t : '';
	if (!email || !token) return { valid: false, reason: 'missing' };
	// The signed text joins purpose, email and campaign with line breaks: a line break in the
	// email would move text between the email and the campaign. No address holding a control
	// character is ever signed. (A token is 43 characters: anything much longer is not one.)
	if (CONTROL.test(email) || token.length > 100) return { valid: false, reason: 'bad_signature' };
	const expected = Buffer.from(signedLinkToken(purpose, email, secret, campaign));
	const given = Buffer.from(token);
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { valid: false, reason: 'bad_signature' };
	return { valid: true, email, ...(campaign ? { campaign } : {}) };
}
