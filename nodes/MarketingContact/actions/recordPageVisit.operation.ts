import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../lib/domain/errors';
import { optionalString, optionalTimestamp } from '../../../lib/domain/values';
import type { ContactStore } from '../../../lib/store';
import { emailProperty, getEmail, writeOptions, writeOptionsProperty, writeOutput } from './common';

const show = { operation: ['recordPageVisit'] };

export const description: INodeProperties[] = [
	emailProperty('recordPageVisit', 'Email of the visitor', '={{ $json.body?.email ?? $json.email }}'),
	{ displayName: 'Page URL', name: 'url', type: 'string', required: true, default: '={{ $json.body?.url ?? $json.url }}', description: 'The page visited', displayOptions: { show } },
	{ displayName: 'Visited At', name: 'visitedAt', type: 'string', default: '', description: 'When (ISO 8601). Empty means now; when set, a replay of the same visit is detected.', displayOptions: { show } },
	writeOptionsProperty('recordPageVisit'),
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = getEmail(this, i);
	const url = optionalString(this.getNodeParameter('url', i, ''), 'Page URL', 2000);
	if (!url) throw new InputError('"Page URL" is empty', 'Page URL');
	const givenTime = optionalTimestamp(this.getNodeParameter('visitedAt', i, ''), 'Visited At');
	const options = writeOptions(this, i, givenTime ? `visit:${email}:${url}:${givenTime}` : undefined);
	const result = await store.recordPageVisit({ contact: { email }, url, visitedAt: givenTime ?? options.now }, options);
	return writeOutput(result);
}
