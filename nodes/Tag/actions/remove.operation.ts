import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { ContactStore } from '../../../lib/store';
import { referenceTime } from '../../shared/execute';
import { contactJson, emailProperty, getEmail, getTags, referenceTimeOption, tagsProperty } from './common';

const show = { operation: ['remove'] };

export const description: INodeProperties[] = [
	emailProperty(['remove'], 'Email of the contact. An unknown email is left alone (found: false).'),
	tagsProperty(['remove'], 'Tags to remove, separated by commas'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [referenceTimeOption],
	},
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = getEmail(this, i);
	const tags = getTags(this, i);
	const r = await store.removeTags(email, tags, { now: referenceTime(this, i) });
	if (!r) return { email, found: false, removed: [], changed: false, contact: null };
	return { email, found: true, removed: r.removed, changed: r.changed, contact: contactJson(r.contact) };
}
