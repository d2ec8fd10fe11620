import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { requireEmail } from '../../../lib/domain/email';
import { optionalTimestamp } from '../../../lib/domain/values';
import type { ContactStore } from '../../../lib/store';
import { getCampaign, referenceTimeOption } from '../../shared/dueSteps';
import { referenceTime } from '../../shared/execute';

const show = { operation: ['enrollInDrip'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		required: true,
		placeholder: 'name@example.com',
		default: '={{ $json.contact?.email ?? $json.email }}',
		description: 'Email of the contact to enroll (a new contact is created)',
		displayOptions: { show },
	},
	{
		displayName: 'Drip Campaign',
		name: 'campaign',
		type: 'string',
		required: true,
		default: 'welcome',
		description: 'Name of the drip, the same as in Get Due Drip Emails',
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
				displayName: 'Enrolled At',
				name: 'enrolledAt',
				type: 'dateTime',
				default: '',
				description: 'When the drip starts for this contact (day 0). Empty means now (the Reference Time).',
			},
			{
				displayName: 'If Already Enrolled',
				name: 'ifEnrolled',
				type: 'options',
				options: [
					{ name: 'Keep the Enrollment', value: 'keep', description: 'Nothing changes: enrolling twice is safe' },
					{ name: 'Restart the Drip', value: 'restart', description: 'Start again from day 0 at the new date' },
				],
				default: 'keep',
			},
			referenceTimeOption,
		],
	},
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = requireEmail(this.getNodeParameter('email', i, ''), 'Email');
	const campaign = getCampaign(this, i, 'campaign', 'Drip Campaign');
	const now = referenceTime(this, i);
	const enrolledAt = optionalTimestamp(this.getNodeParameter('options.enrolledAt', i, ''), 'Enrolled At') ?? now;
	const restart = this.getNodeParameter('options.ifEnrolled', i, 'keep') === 'restart';
	return (await store.enrollDrip({ email, campaign, enrolledAt, now, restart })) as unknown as IDataObject;
}
