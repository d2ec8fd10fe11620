import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { ContactStore } from '../../../lib/store';
import { referenceTime } from '../../shared/execute';
import { emailProperty, getEmail, getScoreName, referenceTimeOption } from './common';

const show = { operation: ['get'] };

export const description: INodeProperties[] = [
	emailProperty(['get'], 'Email of the contact. An unknown email has 0 points (found: false).'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Include Award History',
				name: 'includeAwards',
				type: 'boolean',
				default: false,
				description: 'Whether to add the latest 100 awards (points, reason, when, expiry) of this score',
			},
			{ ...referenceTimeOption, description: 'Treat this as "now" when deciding which awards have expired. Empty means the current time.' },
		],
	},
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = getEmail(this, i);
	const name = getScoreName(this, i);
	const includeAwards = this.getNodeParameter('options.includeAwards', i, false) as boolean;
	const r = await store.getScore(email, name, { now: referenceTime(this, i), includeAwards });
	return { email, found: r.found, name, points: r.score.points, tier: r.score.tier, ...(r.awards ? { awards: r.awards as unknown as IDataObject[] } : {}) };
}
