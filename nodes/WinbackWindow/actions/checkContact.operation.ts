import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { requireEmail } from '../../../lib/domain/email';
import type { ContactStore } from '../../../lib/store';
import { referenceTimeOption } from '../../shared/dueSteps';
import { referenceTime } from '../../shared/execute';
import { windowSettings } from './common';

const show = { operation: ['checkContact'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		required: true,
		placeholder: 'name@example.com',
		default: '={{ $json.contact?.email ?? $json.email }}',
		description: 'Email of the contact to check',
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
				displayName: 'Claim Due Step',
				name: 'claim',
				type: 'boolean',
				default: false,
				description:
					'Whether a due step is claimed now (and an expiry applied), as Get Due Contacts would: the scheduled run then skips it. Off, this only looks.',
			},
			referenceTimeOption,
		],
	},
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = requireEmail(this.getNodeParameter('email', i, ''), 'Email');
	const settings = windowSettings(this, i);
	const claim = this.getNodeParameter('options.claim', i, false) as boolean;
	const result = await store.checkWinback({ ...settings, email, claim, now: referenceTime(this, i) });
	return result as unknown as IDataObject;
}
