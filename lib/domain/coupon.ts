import { randomInt } from 'node:crypto';
import { InputError } from './errors';

// No 0/O, 1/I/L: codes are read off screens and typed by hand.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function normalizeCouponPrefix(prefix: unknown): string {
	const text = typeof prefix === 'string' ? prefix.trim().toUpperCase() : '';
	if (text && !/^[A-Z0-9_-]{1,20}$/.test(text)) {
		throw new InputError('The coupon prefix may hold only letters, digits, "-" and "_" (at most 20)', 'prefix');
	}
	return text;
}

export function generateCouponCode(prefix: string, length = 8): string {
	if (!Number.isInteger(length) || length < 6 || length > 32) {
		throw new InputError('The coupon code length must be a whole number from 6 to 32', 'codeLength');
	}
	let code = '';
	for (let i = 0; i < length; i++) code += ALPHABET[randomInt(ALPHABET.length)];
	return prefix + code;
}
