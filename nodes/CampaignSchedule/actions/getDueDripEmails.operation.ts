import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { DAY_MS, parseOffsets, sequenceSchedule } from '../../../lib/domain/dueSteps';
import { InputError } from '../../../lib/domain/errors';
import type { ContactStore } from '../../../lib/store';
import { getCampaign, getMaxContacts, maxContactsOption, referenceTimeOption } from '../../shared/dueSteps';
import { referenceTime } from '../../shared/execute';
import type { SweepSummary } from './common';

const show = { operation: ['getDueDripEmails'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Run this from a Schedule Trigger (e.g. hourly). It outputs one item per enrolled contact with a drip email due now (one per run), counted in days from the enrollment made with Enroll in Drip.',
		name: 'dripNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Drip Campaign',
		name: 'campaign',
		type: 'string',
		required: true,
		default: 'welcome',
		description: 'Name of the drip, the same as in Enroll in Drip',
		displayOptions: { show },
	},
	{
		displayName: 'Emails On Days',
		name: 'stepDays',
		type: 'string',
		required: true,
		default: '0, 1, 2, 3, 4, 5, 6',
		placeholder: '0, 1, 2, 3, 4, 5, 6',
		description: 'Day of each email after enrollment (0 = right away), in increasing order. Step names are day-0, day-1…',
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
			referenceTimeOption,
			{
				displayName: 'Skip Emails Late By (Days)',
				name: 'maxLateDays',
				type: 'number',
				typeOptions: { minValue: 0.1 },
				default: 1,
				description: 'An email more than this late (e.g. the flow was off) is skipped; the next one still comes',
			},
			{
				displayName: 'Stop When They Purchase',
				name: 'stopOnPurchase',
				type: 'boolean',
				default: true,
				description: 'Whether a contact who ordered since enrolling gets no more emails of this drip',
			},
		],
	},
];

/** "day-0", "day-1", "day-1.5". */
function dayLabel(ms: number): string {
	return `day-${Math.round((ms / DAY_MS) * 100) / 100}`;
}

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore, summary: SweepSummary[]): Promise<IDataObject[]> {
	const campaign = getCampaign(this, i, 'campaign', 'Drip Campaign');
	const offsets = parseOffsets(this.getNodeParameter('stepDays', i, ''), 'Emails On Days', DAY_MS, 'days');
	const maxLateDays = Number(this.getNodeParameter('options.maxLateDays', i, 1));
	if (!Number.isFinite(maxLateDays) || maxLateDays <= 0) {
		throw new InputError(`"Skip Emails Late By (Days)" must be more than 0 (got ${maxLateDays})`, 'Skip Emails Late By (Days)');
	}
	const schedule = sequenceSchedule(offsets, (_, o) => dayLabel(o), { lateLimitMs: Math.round(maxLateDays * DAY_MS) });
	const stopOnPurchase = this.getNodeParameter('options.stopOnPurchase', i, true) as boolean;
	const maxContacts = getMaxContacts(this, i);
	const result = await store.sweepDrips({ campaign, schedule, stopOnPurchase, maxContacts, now: referenceTime(this, i) });
	summary.push({ limitReached: result.limitReached, maxContacts });
	return result.items as unknown as IDataObject[];
}
