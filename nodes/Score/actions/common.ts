import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { requireEmail } from '../../../lib/domain/email';
import { awardExpiry, normalizeScoreName, parseDays } from '../../../lib/domain/scores';
import type { ContactProfile, ScoreWriteResult } from '../../../lib/store';
import { referenceTimeOption } from '../../shared/dueSteps';

export type Operation = 'adjust' | 'set' | 'get' | 'updateTier' | 'threshold' | 'decay' | 'refreshExpired';

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

export const scoreNameProperty: INodeProperties = {
	displayName: 'Score Name',
	name: 'scoreName',
	type: 'string',
	required: true,
	default: 'lead',
	placeholder: 'lead',
	description: 'Which score: lead, loyalty, engagement… Each contact has any number of named scores.',
	displayOptions: { show: { operation: ['adjust', 'set', 'get', 'updateTier', 'threshold', 'decay'] } },
};

export { referenceTimeOption };

export function getEmail(ctx: IExecuteFunctions, i: number): string {
	return requireEmail(ctx.getNodeParameter('email', i, ''), 'Email');
}

export function getScoreName(ctx: IExecuteFunctions, i: number): string {
	return normalizeScoreName(ctx.getNodeParameter('scoreName', i, ''), 'Score Name');
}

export function getAwardExpiry(ctx: IExecuteFunctions, i: number, now: number): number | null {
	return awardExpiry(now, parseDays(ctx.getNodeParameter('options.expireAfterDays', i, 0), 'Points Expire After (Days)', { allowZero: true }));
}

export const expireAfterOption: INodeProperties = {
	displayName: 'Points Expire After (Days)',
	name: 'expireAfterDays',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	description: 'These points leave the score this many days after they are awarded. 0 means they never expire.',
};

export const reasonOption: INodeProperties = {
	displayName: 'Reason',
	name: 'reason',
	type: 'string',
	default: '',
	placeholder: 'Visited the pricing page',
	description: 'Kept with the award in the score history (Get › Include Award History)',
};

export function contactJson(contact: ContactProfile | null | undefined): IDataObject | null {
	return (contact ?? null) as unknown as IDataObject | null;
}

/** The output of every write: the score after, what changed, and the profile. */
export function scoreOutput(email: string, r: ScoreWriteResult, extra: IDataObject = {}): IDataObject {
	return {
		email,
		name: r.score.name,
		points: r.score.points,
		previousPoints: r.previousPoints,
		awarded: r.awarded,
		tier: r.score.tier,
		changed: r.changed,
		duplicate: r.duplicate,
		...extra,
		contact: contactJson(r.contact),
	};
}
