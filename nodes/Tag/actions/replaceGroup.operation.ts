import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../lib/domain/errors';
import { normalizeGroup, normalizeTag, tagInGroup } from '../../../lib/domain/tags';
import type { ContactStore } from '../../../lib/store';
import { referenceTime } from '../../shared/execute';
import { contactJson, emailProperty, expireAfterOption, getEmail, getExpiry, referenceTimeOption } from './common';

const show = { operation: ['replaceGroup'] };

export const description: INodeProperties[] = [
	emailProperty(['replaceGroup'], 'Email of the contact. A new email creates the contact.'),
	{
		displayName: 'Group',
		name: 'group',
		type: 'string',
		required: true,
		default: 'engagement:',
		placeholder: 'engagement:',
		description: 'The prefix the tags of the group share, e.g. "engagement:" or "tier:". Every other tag starting with it is removed.',
		displayOptions: { show },
	},
	{
		displayName: 'Tag',
		name: 'tag',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'engagement:engaged',
		description: 'The one tag of the group the contact keeps. The group prefix is added when missing ("engaged" → "engagement:engaged").',
		displayOptions: { show },
	},
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
	const group = normalizeGroup(this.getNodeParameter('group', i, ''), 'Group');
	const tag = tagInGroup(group, normalizeTag(this.getNodeParameter('tag', i, ''), 'Tag'));
	if (tag === group) throw new InputError(`"Tag" names only the group "${group}"`, 'Tag', 'Enter the tag to keep, e.g. engagement:engaged');
	const now = referenceTime(this, i);
	const r = await store.replaceTagGroup(email, group, tag, { now, expiresAt: getExpiry(this, i, now) });
	return { email, group, tag, added: r.added, removed: r.removed, refreshed: r.refreshed, changed: r.changed, contact: contactJson(r.contact) };
}
