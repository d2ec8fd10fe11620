import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { ContactStore } from '../../../lib/store';
import { getMaxContacts, maxContactsOption } from '../../shared/dueSteps';
import { referenceTime } from '../../shared/execute';
import { referenceTimeOption } from './common';

const show = { operation: ['refreshExpired'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Scores read for one contact are always right. Run this from a Schedule Trigger (e.g. daily) so that segments filtering many contacts by score also see expired points gone; it outputs one item per score that changed.',
		name: 'refreshNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [maxContactsOption('scores'), referenceTimeOption],
	},
];

export interface SweepSummary {
	limitReached: boolean;
	maxContacts: number;
}

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore, summaries: SweepSummary[]): Promise<IDataObject[]> {
	const maxContacts = getMaxContacts(this, i);
	const r = await store.refreshExpiredScores({ now: referenceTime(this, i), maxContacts });
	summaries.push({ limitReached: r.limitReached, maxContacts });
	return r.items.map((item) => ({ ...item, expired: Math.round((item.previousPoints - item.points) * 100) / 100 }));
}
