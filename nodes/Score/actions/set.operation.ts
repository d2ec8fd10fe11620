import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { parsePoints } from '../../../lib/domain/scores';
import { optionalString } from '../../../lib/domain/values';
import type { ContactStore } from '../../../lib/store';
import { referenceTime } from '../../shared/execute';
import { emailProperty, getEmail, getScoreName, reasonOption, referenceTimeOption, scoreOutput } from './common';

const show = { operation: ['set'] };

export const description: INodeProperties[] = [
	emailProperty(['set'], 'Email of the contact. A new email creates the contact.'),
	{
		displayName: 'Points',
		name: 'points',
		type: 'number',
		default: 0,
		description: 'The new score. Earlier awards stop counting (points that would have expired later no longer matter).',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [reasonOption, referenceTimeOption],
	},
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = getEmail(this, i);
	const name = getScoreName(this, i);
	const points = parsePoints(this.getNodeParameter('points', i, 0), 'Points');
	const reason = optionalString(this.getNodeParameter('options.reason', i, ''), 'Reason', 500);
	const r = await store.setScore(email, name, points, { now: referenceTime(this, i), reason });
	return scoreOutput(email, r);
}
