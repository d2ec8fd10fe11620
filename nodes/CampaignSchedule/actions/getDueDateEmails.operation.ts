import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { parseDateEmailTiming, requireZone, type Occasion } from '../../../lib/domain/dateOccasions';
import { InputError } from '../../../lib/domain/errors';
import type { ContactStore } from '../../../lib/store';
import { getCampaign, getMaxContacts, maxContactsOption, referenceTimeOption } from '../../shared/dueSteps';
import { referenceTime } from '../../shared/execute';
import type { SweepSummary } from './common';

const show = { operation: ['getDueDateEmails'] };

const DEFAULT_CAMPAIGN: Record<Occasion, string> = { birthday: 'birthday', signupAnniversary: 'signup-anniversary' };

export const description: INodeProperties[] = [
	{
		displayName:
			'Run this from a Schedule Trigger (e.g. hourly). It outputs one item per contact whose birthday or signup anniversary email is due now on their own calendar (their time zone), once a year. Someone born on 29 February is celebrated on 28 February in other years.',
		name: 'dateNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Occasion',
		name: 'occasion',
		type: 'options',
		options: [
			{ name: 'Birthday', value: 'birthday', description: 'The contact\'s birthday (with or without a birth year)' },
			{ name: 'Signup Anniversary', value: 'signupAnniversary', description: 'Each year since the contact signed up' },
		],
		default: 'birthday',
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
				displayName: 'Campaign',
				name: 'campaign',
				type: 'string',
				default: '',
				placeholder: 'birthday',
				description: 'Name of this flow; each contact gets it once a year. Empty means birthday or signup-anniversary.',
			},
			{
				displayName: 'Days Before',
				name: 'daysBefore',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 60 },
				default: 0,
				description: 'Send this many days ahead, e.g. 7 to give a birthday coupon time to be used',
			},
			{
				displayName: 'Fallback Time Zone',
				name: 'fallbackTimeZone',
				type: 'string',
				default: '',
				placeholder: 'Europe/Berlin',
				description: 'Time zone for contacts without one. Empty means the workflow\'s time zone.',
			},
			maxContactsOption(),
			referenceTimeOption,
			{
				displayName: 'Send From (Local Hour)',
				name: 'sendFromHour',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 23 },
				default: 9,
				description: 'Hour of the day (0–23, in the contact\'s time zone) from which the email is due',
			},
			{
				displayName: 'Send Up To (Days Late)',
				name: 'lateDays',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 30 },
				default: 1,
				description: 'How many days after the day it may still go out if a run was missed; 0 means only on the day',
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore, summary: SweepSummary[]): Promise<IDataObject[]> {
	const occasion = this.getNodeParameter('occasion', i, 'birthday') as Occasion;
	if (!(occasion in DEFAULT_CAMPAIGN)) throw new InputError('"Occasion" must be birthday or signupAnniversary', 'Occasion');
	const campaign = getCampaign(this, i, 'options.campaign', 'Campaign', DEFAULT_CAMPAIGN[occasion]);
	const timing = parseDateEmailTiming({
		daysBefore: this.getNodeParameter('options.daysBefore', i, 0),
		sendFromHour: this.getNodeParameter('options.sendFromHour', i, 9),
		lateDays: this.getNodeParameter('options.lateDays', i, 1),
	});
	const zoneInput = String(this.getNodeParameter('options.fallbackTimeZone', i, '') ?? '').trim();
	const fallbackZone = requireZone(zoneInput || this.getTimezone(), 'Fallback Time Zone');
	const maxContacts = getMaxContacts(this, i);
	const result = await store.sweepDateEmails({ campaign, occasion, timing, fallbackZone, maxContacts, now: referenceTime(this, i) });
	summary.push({ limitReached: result.limitReached, maxContacts });
	return result.items as unknown as IDataObject[];
}
