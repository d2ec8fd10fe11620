import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { ContactStore } from '../../../lib/store';
import { referenceTime } from '../../shared/execute';
import { contactJson, emailProperty, expireAfterOption, getEmail, getExpiry, getTags, referenceTimeOption, tagsProperty } from './common';

const show = { operation: ['add'] };

export const description: INodeProperties[] = [
	emailProperty(['add'], 'Email of the contact to tag. A new email creates the contact.'),
	tagsProperty(['add'], 'Tags to add, separated by commas. Tags are case-insensitive and stored in lower case; use a prefix such as "interest:" to group them.'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [expireAfterOption, referenceTimeOption],
	},
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = getEmail(this, i);
	const tags = getTags(this, i);
	const now = referenceTime(this, i);
	const expiresAt = getExpiry(this, i, now);
	const r = await store.addTags(email, tags, { now, expiresAt });
	return {
		email,
		added: r.added,
		refreshed: r.refreshed,
		changed: r.changed,
		expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
		contact: contactJson(r.contact),
	};
}
