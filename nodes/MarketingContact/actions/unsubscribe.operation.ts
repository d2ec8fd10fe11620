import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../lib/domain/errors';
import { SUPPRESSION_REASONS, type ContactStore, type SuppressionReason } from '../../../lib/store';
import { emailProperty, getEmail, writeOptions, writeOptionsProperty, writeOutput } from './common';

export const description: INodeProperties[] = [
	emailProperty('unsubscribe', 'Email of the contact to suppress from marketing email'),
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'options',
		options: [
			{ name: 'Bounced', value: 'bounced', description: 'The address does not accept mail' },
			{ name: 'Invalid Address', value: 'invalid' },
			{ name: 'Lapsed (Never Re-Engaged)', value: 'lapsed', description: 'End of a win-back window: keeps the list clean' },
			{ name: 'Manual', value: 'manual', description: 'Suppressed by your team' },
			{ name: 'Spam Complaint', value: 'complained' },
			{ name: 'Unsubscribed', value: 'unsubscribed', description: 'The contact asked to stop receiving marketing email' },
		],
		default: 'unsubscribed',
		description: 'Why the contact is suppressed. Unsubscribes and complaints also set the subscription status to unsubscribed.',
		displayOptions: { show: { operation: ['unsubscribe'] } },
	},
	writeOptionsProperty('unsubscribe'),
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = getEmail(this, i);
	const reason = this.getNodeParameter('reason', i) as SuppressionReason;
	if (!SUPPRESSION_REASONS.includes(reason)) throw new InputError(`"Reason" must be one of ${SUPPRESSION_REASONS.join(', ')}`, 'Reason');
	return writeOutput(await store.unsubscribe(email, reason, writeOptions(this, i)));
}
