import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { ContactStore } from '../../../lib/store';
import { getMaxContacts, maxContactsOption, referenceTimeOption } from '../../shared/dueSteps';
import { referenceTime } from '../../shared/execute';
import { windowSettings } from './common';

const show = { operation: ['getDueContacts'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Run this from a Schedule Trigger (e.g. daily). It outputs one item per contact with an email due now — step first, follow-up, final or expired — and claims that step, so no contact gets the same email twice, even when runs overlap.',
		name: 'getDueNotice',
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
		options: [
			maxContactsOption(),
			{
				displayName: 'Output Expired Contacts',
				name: 'includeExpired',
				type: 'boolean',
				default: true,
				description:
					'Whether contacts whose window just ended come out too (step "expired"), e.g. to update your email provider. The After the Window action is applied either way.',
			},
			referenceTimeOption,
		],
	},
];

export interface SweepSummary {
	limitReached: boolean;
	expiredNotReturned: number;
	maxContacts: number;
	action: string;
	tag: string;
}

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore, summary: SweepSummary[]): Promise<IDataObject[]> {
	const settings = windowSettings(this, i);
	const maxContacts = getMaxContacts(this, i);
	const includeExpired = this.getNodeParameter('options.includeExpired', i, true) as boolean;
	const result = await store.sweepWinback({ ...settings, includeExpired, maxContacts, now: referenceTime(this, i) });
	summary.push({ limitReached: result.limitReached, expiredNotReturned: result.expiredNotReturned, maxContacts, action: settings.action, tag: settings.tag });
	return result.items as unknown as IDataObject[];
}
