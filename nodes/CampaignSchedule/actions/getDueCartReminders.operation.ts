import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { HOUR_MS, MINUTE_MS, parseOffsets, sequenceSchedule } from '../../../lib/domain/dueSteps';
import { InputError } from '../../../lib/domain/errors';
import type { ContactStore } from '../../../lib/store';
import { getCampaign, getMaxContacts, maxContactsOption, referenceTimeOption } from '../../shared/dueSteps';
import { referenceTime } from '../../shared/execute';
import type { SweepSummary } from './common';

const show = { operation: ['getDueCartReminders'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Run this from a Schedule Trigger (e.g. every 15 minutes). It outputs one item per open cart with a reminder due now, with the cart (items, value, currency, recovery URL) and the contact. A cart that converts, or a shopper who orders since, gets no more reminders.',
		name: 'cartNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Campaign',
		name: 'campaign',
		type: 'string',
		required: true,
		default: 'abandoned-cart',
		description: 'Name of this reminder series: each reminder goes once per cart and campaign',
		displayOptions: { show },
	},
	{
		displayName: 'Reminders After (Hours)',
		name: 'reminderHours',
		type: 'string',
		required: true,
		default: '1, 24, 72',
		placeholder: '1, 24, 72',
		description:
			'Cart age (hours since the last cart activity) for each reminder, in increasing order. The step names are these ages, e.g. 1h, 24h, 72h.',
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
			maxContactsOption('carts'),
			referenceTimeOption,
			{
				displayName: 'Skip Reminders Late By (Hours)',
				name: 'maxLateHours',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 24,
				description:
					'A reminder more than this late (e.g. the flow was off) is skipped rather than sent about a stale cart; the next reminder still comes',
			},
		],
	},
];

/** "1h", "24h", "30m": a reminder's name from its cart age. */
export function ageLabel(ms: number): string {
	return ms % HOUR_MS === 0 ? `${ms / HOUR_MS}h` : `${Math.round(ms / MINUTE_MS)}m`;
}

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore, summary: SweepSummary[]): Promise<IDataObject[]> {
	const campaign = getCampaign(this, i);
	const offsets = parseOffsets(this.getNodeParameter('reminderHours', i, ''), 'Reminders After (Hours)', HOUR_MS, 'hours');
	if (offsets.some((o) => o % MINUTE_MS !== 0)) throw new InputError('"Reminders After (Hours)" must be whole minutes', 'Reminders After (Hours)');
	const maxLateHours = Number(this.getNodeParameter('options.maxLateHours', i, 24));
	if (!Number.isFinite(maxLateHours) || maxLateHours <= 0) {
		throw new InputError(`"Skip Reminders Late By (Hours)" must be more than 0 (got ${maxLateHours})`, 'Skip Reminders Late By (Hours)');
	}
	const schedule = sequenceSchedule(offsets, (_, o) => ageLabel(o), { lateLimitMs: Math.round(maxLateHours * HOUR_MS) });
	const maxContacts = getMaxContacts(this, i);
	const result = await store.sweepCartReminders({ campaign, schedule, maxContacts, now: referenceTime(this, i) });
	summary.push({ limitReached: result.limitReached, maxContacts });
	return result.items as unknown as IDataObject[];
}
