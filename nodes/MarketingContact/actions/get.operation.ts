import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { ContactStore, DetailKind } from '../../../lib/store';
import { emailProperty, getEmail } from './common';
import { referenceTime } from '../../shared/execute';

const show = { operation: ['get'] };

export const description: INodeProperties[] = [
	emailProperty('get', 'Email of the contact to look up'),
	{
		displayName: 'Include',
		name: 'include',
		type: 'multiOptions',
		options: [
			{ name: 'Carts', value: 'carts' },
			{ name: 'Coupons', value: 'coupons' },
			{ name: 'Orders With Line Items', value: 'orders' },
			{ name: 'Product Views', value: 'productViews' },
		],
		default: [],
		description: 'History to add beside the profile',
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
			{ displayName: 'Error If Not Found', name: 'errorIfNotFound', type: 'boolean', default: false, description: 'Whether an unknown email fails the item instead of returning found: false' },
			{ displayName: 'Reference Time', name: 'referenceTime', type: 'dateTime', default: '', description: 'Treat this as "now" when deciding which tags and coupons have expired' },
		],
	},
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = getEmail(this, i);
	const include = this.getNodeParameter('include', i, []) as DetailKind[];
	const details = await store.getContactDetails(email, include, referenceTime(this, i));
	if (!details) {
		if (this.getNodeParameter('options.errorIfNotFound', i, false)) {
			throw new NodeOperationError(this.getNode(), `No contact with the email "${email}" [item ${i}]`, { itemIndex: i });
		}
		return { found: false, email, contact: null };
	}
	return { found: true, email, ...(details as unknown as IDataObject) };
}
