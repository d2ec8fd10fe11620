import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { parseDays, parsePoints } from '../../../lib/domain/scores';
import { ENGAGEMENT_SIGNALS, parseEngagementSignals } from '../../../lib/domain/tags';
import type { ContactStore, DecayChange, DecaySettings } from '../../../lib/store';
import { getMaxContacts, maxContactsOption } from '../../shared/dueSteps';
import { referenceTime } from '../../shared/execute';
import { emailProperty, getEmail, getScoreName, referenceTimeOption } from './common';

const show = { operation: ['decay'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Scope',
		name: 'scope',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'All Contacts With the Score',
				value: 'all',
				description: 'A sweep for a Schedule Trigger (e.g. daily): outputs one item per contact whose score went down',
			},
			{ name: 'One Contact', value: 'contact', description: 'Decay the score of the contact of each input item' },
		],
		default: 'all',
		displayOptions: { show },
	},
	emailProperty(['decay'], 'Email of the contact. An unknown email is left alone (found: false).', { scope: ['contact'] }),
	{
		displayName: 'Points per Period',
		name: 'pointsPerPeriod',
		type: 'number',
		typeOptions: { minValue: 0.01 },
		default: 5,
		description: 'Points taken for each whole period without activity',
		displayOptions: { show },
	},
	{
		displayName: 'Period (Days)',
		name: 'periodDays',
		type: 'number',
		typeOptions: { minValue: 0.01 },
		default: 30,
		description: 'Inactivity starts at the last engagement (see Engagement Signals) or the last points earned for this score. Each period is decayed once, however often this runs.',
		displayOptions: { show },
	},
	{
		displayName: 'Minimum Score',
		name: 'minimumScore',
		type: 'number',
		default: 0,
		description: 'Decay never takes the score below this, not even when points expire later',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Engagement Signals',
				name: 'signals',
				type: 'multiOptions',
				options: [
					{ name: 'Email Opens and Clicks', value: 'email' },
					{ name: 'Purchases', value: 'purchase' },
					{ name: 'Site Visits', value: 'siteVisit' },
				],
				default: [...ENGAGEMENT_SIGNALS],
				description: 'What counts as activity (the signup date counts too)',
			},
			{ ...maxContactsOption(), displayOptions: { show: { '/scope': ['all'] } } },
			referenceTimeOption,
		],
	},
];

export interface SweepSummary {
	limitReached: boolean;
	maxContacts: number;
}

function decaySettings(ctx: IExecuteFunctions, i: number): DecaySettings {
	return {
		points: parsePoints(ctx.getNodeParameter('pointsPerPeriod', i, 5), 'Points per Period', { allowNegative: false }),
		periodDays: parseDays(ctx.getNodeParameter('periodDays', i, 30), 'Period (Days)'),
		floor: parsePoints(ctx.getNodeParameter('minimumScore', i, 0), 'Minimum Score'),
		signals: parseEngagementSignals(ctx.getNodeParameter('options.signals', i, ENGAGEMENT_SIGNALS), 'Engagement Signals'),
	};
}

function toJson(c: DecayChange): IDataObject {
	return { ...c, found: true } as unknown as IDataObject;
}

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore, summaries: SweepSummary[]): Promise<IDataObject | IDataObject[]> {
	const name = getScoreName(this, i);
	const settings = decaySettings(this, i);
	const now = referenceTime(this, i);
	const scope = this.getNodeParameter('scope', i, 'all') as 'all' | 'contact';
	if (scope === 'contact') {
		const email = getEmail(this, i);
		const r = await store.decayScore(email, name, settings, now);
		return r ? toJson(r) : { email, found: false, name, points: 0, decayed: 0, changed: false };
	}
	const maxContacts = getMaxContacts(this, i);
	const r = await store.sweepScoreDecay(name, settings, { now, maxContacts });
	summaries.push({ limitReached: r.limitReached, maxContacts });
	return r.items.map(toJson);
}
