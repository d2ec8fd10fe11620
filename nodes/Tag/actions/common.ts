import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { requireEmail } from '../../../lib/domain/email';
import { InputError } from '../../../lib/domain/errors';
import { parseTagList, tagExpiry } from '../../../lib/domain/tags';
import type { ContactProfile } from '../../../lib/store';
import { referenceTimeOption } from '../../shared/dueSteps';

export type Operation = 'add' | 'remove' | 'replaceGroup' | 'hasTag' | 'engagementTags' | 'productInterest';

export const CONTACT_EMAIL_DEFAULT = '={{ $json.contact?.email ?? $json.email }}';

export function emailProperty(operations: Operation[], description = 'Email of the contact', extraShow: IDataObject = {}): INodeProperties {
	return {
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@example.com',
		default: CONTACT_EMAIL_DEFAULT,
		required: true,
		description,
		displayOptions: { show: { operation: operations, ...extraShow } },
	};
}

export function tagsProperty(operations: Operation[], description: string): INodeProperties {
	return {
		displayName: 'Tags',
		name: 'tags',
		type: 'string',
		placeholder: 'vip, newsletter',
		default: '',
		required: true,
		description,
		displayOptions: { show: { operation: operations } },
	};
}

export const expireAfterOption: INodeProperties = {
	displayName: 'Expire After (Days)',
	name: 'expireAfterDays',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	description: 'Time-limited tag (e.g. "recent activity" for 7 days): after this many days it no longer counts. 0 means it never expires. Adding a tag again sets its expiry anew.',
};

export { referenceTimeOption };

export function getEmail(ctx: IExecuteFunctions, i: number): string {
	return requireEmail(ctx.getNodeParameter('email', i, ''), 'Email');
}

export function getTags(ctx: IExecuteFunctions, i: number): string[] {
	return parseTagList(ctx.getNodeParameter('tags', i, ''), 'Tags');
}

export function getExpiry(ctx: IExecuteFunctions, i: number, now: number): number | null {
	return tagExpiry(now, ctx.getNodeParameter('options.expireAfterDays', i, 0), 'Expire After (Days)');
}

export function positiveNumber(ctx: IExecuteFunctions, name: string, i: number, label: string, fallback: number): number {
	const value = ctx.getNodeParameter(name, i, fallback) as unknown;
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
		throw new InputError(`"${label}" must be a positive number (got ${JSON.stringify(value)})`, label);
	}
	return n;
}

export function contactJson(contact: ContactProfile | null | undefined): IDataObject | null {
	return (contact ?? null) as unknown as IDataObject | null;
}
