import { InputError } from './errors';

// Deliberately permissive (RFC 5322 allows far more than providers accept), but
// rejects what is certainly not a deliverable address.
const EMAIL_RE = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]{2,}$/;

/** Trimmed and lower-cased: the contact store's key. */
export function normalizeEmail(value: unknown): string {
	if (typeof value !== 'string') return '';
	return value.trim().toLowerCase();
}

export function isValidEmail(value: string): boolean {
	return value.length <= 254 && EMAIL_RE.test(value);
}

/** Normalizes and validates; throws an InputError naming `field` otherwise. */
export function requireEmail(value: unknown, field = 'email'): string {
	const email = normalizeEmail(value);
	if (!email) {
		throw new InputError(`No email address found in "${field}"`, field, 'Map the customer\'s email address to this field');
	}
	if (!isValidEmail(email)) {
		throw new InputError(`"${String(value).slice(0, 80)}" in "${field}" is not a valid email address`, field);
	}
	return email;
}
