import { InputError } from '../domain/errors';
import { birthdayParts, MAX_CUSTOM_FIELDS_BYTES } from '../domain/values';
import type { ContactRow } from './rows';
import type { ContactPatch, SuppressionReason } from './types';

/** Column updates that turn a stored contact into the patched one, and the profile fields that changed. */
export interface PatchPlan {
	sets: Record<string, string | number | null>;
	changes: string[];
}

const SIMPLE_FIELDS: Array<[keyof ContactPatch, keyof ContactRow]> = [
	['firstName', 'first_name'],
	['lastName', 'last_name'],
	['phone', 'phone'],
	['country', 'country'],
	['region', 'region'],
	['city', 'city'],
	['timeZone', 'time_zone'],
	['locale', 'locale'],
];

/** Reasons an explicit re-subscription may lift; bounces and complaints are never lifted by data. */
const LIFTABLE: SuppressionReason[] = ['unsubscribed', 'manual', 'lapsed'];

/**
 * Plans a profile patch: undefined fields are left alone, custom fields and store
 * customer ids are merged (a null custom value removes the key), the signup date is
 * only ever moved earlier, and a store's subscription flag never lifts a suppression.
 */
export function planPatch(row: ContactRow, patch: ContactPatch, now: number): PatchPlan {
	const sets: PatchPlan['sets'] = {};
	const changes: string[] = [];
	const set = (column: string, value: string | number | null, field: string) => {
		sets[column] = value;
		if (!changes.includes(field)) changes.push(field);
	};

	for (const [field, column] of SIMPLE_FIELDS) {
		const value = patch[field];
		if (typeof value === 'string' && value !== row[column]) set(column, value, field);
	}

	if (patch.birthday !== undefined && patch.birthday !== row.birthday) {
		const parts = birthdayParts(patch.birthday);
		set('birthday', patch.birthday, 'birthday');
		set('birth_month', parts?.month ?? null, 'birthday');
		set('birth_day', parts?.day ?? null, 'birthday');
	}

	if (patch.signedUpAt !== undefined && (row.signed_up_at === null || patch.signedUpAt < Number(row.signed_up_at))) {
		set('signed_up_at', patch.signedUpAt, 'signedUpAt');
	}

	if (patch.customerIds && Object.keys(patch.customerIds).length > 0) {
		const current = JSON.parse(row.customer_ids || '{}') as Record<string, string>;
		const merged = { ...current, ...patch.customerIds };
		if (JSON.stringify(merged) !== JSON.stringify(current)) set('customer_ids', JSON.stringify(merged), 'customerIds');
	}

	if (patch.custom && Object.keys(patch.custom).length > 0) {
		const currentJson = row.custom || '{}';
		// A Map, then own properties: no field name (not even "__proto__") can reach a prototype.
		const merged = new Map(Object.entries(JSON.parse(currentJson) as Record<string, unknown>));
		for (const [key, value] of Object.entries(patch.custom)) {
			if (value === null) merged.delete(key);
			else merged.set(key, value);
		}
		const json = JSON.stringify(Object.fromEntries(merged));
		if (json !== currentJson) {
			if (json.length > MAX_CUSTOM_FIELDS_BYTES && json.length > currentJson.length) {
				throw new InputError(
					`The contact's custom fields would grow past 64 KB (${Math.ceil(json.length / 1024)} KB)`,
					'Custom Fields',
					'Remove fields no longer needed (set them to null), or keep large data elsewhere',
				);
			}
			set('custom', json, 'custom');
		}
	}

	planStatus(row, patch, now, set);
	if (patch.consentAt !== undefined && patch.consentAt !== row.consent_at && sets.consent_at === undefined) {
		set('consent_at', patch.consentAt, 'consentAt');
	}
	return { sets, changes };
}

function planStatus(
	row: ContactRow,
	patch: ContactPatch,
	now: number,
	set: (column: string, value: string | number | null, field: string) => void,
): void {
	const status = patch.status;
	if (!status || status === row.status) {
		if (status === 'subscribed' && Number(row.suppressed) === 1 && patch.liftSuppression) liftSuppression(row, set);
		return;
	}
	const suppressed = Number(row.suppressed) === 1;
	if (status === 'unsubscribed') {
		set('status', 'unsubscribed', 'status');
		if (!suppressed) suppress('unsubscribed', now, set);
		return;
	}
	if (suppressed) {
		if (!(status === 'subscribed' && patch.liftSuppression && liftSuppression(row, set))) return;
	}
	set('status', status, 'status');
	if (status === 'subscribed') set('consent_at', patch.consentAt ?? now, 'consentAt');
}

function liftSuppression(row: ContactRow, set: (column: string, value: string | number | null, field: string) => void): boolean {
	if (!LIFTABLE.includes(row.suppression_reason as SuppressionReason)) return false;
	set('suppressed', 0, 'suppressed');
	set('suppression_reason', null, 'suppressionReason');
	set('suppressed_at', null, 'suppressed');
	return true;
}

export function suppress(
	reason: SuppressionReason,
	now: number,
	set: (column: string, value: string | number | null, field: string) => void,
): void {
	set('suppressed', 1, 'suppressed');
	set('suppression_reason', reason, 'suppressionReason');
	set('suppressed_at', now, 'suppressed');
}

/** Orders that count towards a customer's purchase history. */
export function isCountableOrder(status?: string, financialStatus?: string): boolean {
	const s = (status ?? '').toLowerCase();
	const f = (financialStatus ?? '').toLowerCase();
	if (['cancelled', 'canceled', 'refunded', 'failed', 'trash', 'voided'].includes(s)) return false;
	if (['refunded', 'voided'].includes(f)) return false;
	return true;
}
