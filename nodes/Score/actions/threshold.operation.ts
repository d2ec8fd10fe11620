import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { parsePoints } from '../../../lib/domain/scores';
import { optionalString } from '../../../lib/domain/values';
import type { ContactStore } from '../../../lib/store';
import { referenceTime } from '../../shared/execute';
import type { Routed } from '../../shared/routing';
import { emailProperty, getEmail, getScoreName, referenceTimeOption } from './common';

const show = { operation: ['threshold'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Passes an item only the first time the contact\'s score reaches the threshold (e.g. lead score 50 → sales drip). It can pass again only after the score was below the threshold.',
		name: 'thresholdNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	emailProperty(['threshold'], 'Email of the contact. An unknown email has not crossed.'),
	{
		displayName: 'Threshold',
		name: 'threshold',
		type: 'number',
		default: 50,
		description: 'The score to reach (at or above)',
		displayOptions: { show },
	},
	{
		displayName: 'Add "Not Crossed" Output',
		name: 'notCrossedOutput',
		type: 'boolean',
		default: false,
		description: 'Whether items that did not cross now go to a second output instead of being dropped',
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
			referenceTimeOption,
			{
				displayName: 'Trigger Key',
				name: 'triggerKey',
				type: 'string',
				default: '',
				placeholder: 'sales-drip',
				description: 'Each key fires once per crossing. Empty means the score name and threshold, shared by every flow checking the same threshold: give each flow its own key to fire in each.',
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<Routed> {
	const email = getEmail(this, i);
	const name = getScoreName(this, i);
	const threshold = parsePoints(this.getNodeParameter('threshold', i, 50), 'Threshold');
	const triggerKey = optionalString(this.getNodeParameter('options.triggerKey', i, ''), 'Trigger Key', 200) ?? `${name}:${threshold}`;
	const withSecond = this.getNodeParameter('notCrossedOutput', i, false) as boolean;
	const r = await store.checkScoreThreshold(email, name, threshold, triggerKey, referenceTime(this, i));
	const fields = { scoreThreshold: { email, found: r.found, name, points: r.points, threshold, crossed: r.crossed, armed: r.armed, crossedAt: r.crossedAt, triggerKey } };
	return { output: r.crossed ? 0 : withSecond ? 1 : null, fields };
}
