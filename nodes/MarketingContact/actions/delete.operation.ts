import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { ContactStore } from '../../../lib/store';
import { emailProperty, getEmail } from './common';

export const description: INodeProperties[] = [
	emailProperty('delete', 'Email of the contact to erase with all their data (orders, carts, views, visits, engagement, tags, scores, sends, coupons), e.g. for a GDPR erasure request'),
	{
		displayName: 'This permanently erases the contact and their history. Replays of their old events will not bring them back.',
		name: 'deleteNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['delete'] } },
	},
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const result = await store.deleteContact(getEmail(this, i));
	return result as unknown as IDataObject;
}
