import { domainToASCII } from 'node:url';
import { InputError } from './errors';
import { cleanInputText } from './values';

// Deliberately permissive (RFC 5322 allows far more than providers accept), but
// rejects what is certainly not a deliverable address.
const EMAIL_RE = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]{2,}$/;
/** One label of a domain name in its ASCII (punycode) form. */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const NON_ASCII = /[^\u0000-\u007F]/;

/** Longest address (RFC 5321: a 254-character path), and longest part before the @. */
export const MAX_EMAIL_LENGTH = 254;
export const MAX_LOCAL_PART_LENGTH = 64;

/**
 * The contact store's key: trimmed, lower-cased, NFC, with invisible and control characters
 * removed (cleanInputText) and an internationalized domain in its ASCII form
 * ("bücher.example" → "xn--bcher-kva.example"), so one mailbox is one contact however it is typed.
 */
export function normalizeEmail(value: unknown): string {
	if (typeof value !== 'string') return '';
	const text = cleanInputText(value).trim().toLowerCase();
	const at = text.lastIndexOf('@');
	if (at < 1 || !NON_ASCII.test(text)) return text;
	const local = text.slice(0, at).normalize('NFC');
	const domain = text.slice(at + 1);
	if (!NON_ASCII.test(domain)) return `${local}@${domain}`;
	const ascii = domainToASCII(domain);
	return ascii ? `${local}@${ascii}` : `${local}@${domain}`;
}

/** Why a normalized address is not acceptable, or undefined when it is. */
export function emailProblem(value: string): string | undefined {
	if (value.length > MAX_EMAIL_LENGTH) return `it has ${value.length} characters, at most ${MAX_EMAIL_LENGTH} are possible`;
	// An empty reason: simply not an address (no specific part to point at).
	if (!EMAIL_RE.test(value)) return '';
	const at = value.lastIndexOf('@');
	const local = value.slice(0, at);
	const domain = value.slice(at + 1);
	if (local.length > MAX_LOCAL_PART_LENGTH) return `the part before the @ has ${local.length} characters, at most ${MAX_LOCAL_PART_LENGTH} are possible`;
	if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return 'the part before the @ may not start or end with a dot, nor hold two in a row';
	const labels = domain.split('.');
	if (labels.some((label) => !DNS_LABEL.test(label)) || /^\d+$/.test(labels[labels.length - 1])) return 'the domain after the @ is not a valid domain name';
	return undefined;
}

export function isValidEmail(value: string): boolean {
	return emailProblem(value) === undefined;
}

/** Normalizes and validates; throws an InputError naming `field` otherwise. */
export function requireEmail(value: unknown, field = 'email'): string {
	const email = normalizeEmail(value);
	if (!email) {
		if (value !== undefined && value !== null && typeof value !== 'string') {
			throw new InputError(`"${field}" must be an email address (text), got ${Array.isArray(value) ? 'a list' : typeof value}`, field, "Map the customer's email address to this field");
		}
		throw new InputError(`No email address found in "${field}"`, field, 'Map the customer\'s email address to this field');
	}
	const problem = emailProblem(email);
	if (problem !== undefined) {
		const shown = String(value).length > 80 ? `${String(value).slice(0, 80)}…` : String(value);
		throw new InputError(`"${shown}" in "${field}" is not a valid email address${problem ? `: ${problem}` : ''}`, field);
	}
	return email;
}
