import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { ContactStore } from '../../../lib/store';
import { referenceTime } from '../../shared/execute';
import type { Routed } from '../../shared/routing';
import { emailProperty, getEmail, getTags, referenceTimeOption, tagsProperty } from './common';

const show = { operation: ['hasTag'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Items go to the "Has Tag" output or the "Does Not Have" output, unchanged, with the check added under "tagCheck"',
		name: 'hasTagNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	emailProperty(['hasTag'], 'Email of the contact. An unknown email does not have any tag.'),
	tagsProperty(['hasTag'], 'Tags to look for, separated by commas. Expired tags do not count.'),
	{
		displayName: 'Match',
		name: 'match',
		type: 'options',
		options: [
			{ name: 'Any of the Tags', value: 'any' },
			{ name: 'All of the Tags', value: 'all' },
		],
		default: 'any',
		displayOptions: { show },
	},
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

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<Routed> {
	const email = getEmail(this, i);
	const tags = getTags(this, i);
	const match = this.getNodeParameter('match', i, 'any') as 'any' | 'all';
	const check = await store.getTags(email, referenceTime(this, i));
	const matched = tags.filter((t) => check.tags.includes(t));
	const hasTag = match === 'all' ? matched.length === tags.length : matched.length > 0;
	return { output: hasTag ? 0 : 1, fields: { tagCheck: { email, found: check.found, tags, match, matched, hasTag } } };
}
