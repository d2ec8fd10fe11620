import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { DEFAULT_TIERS, tierDirection, validateTiers } from '../../../lib/domain/scores';
import type { ContactStore } from '../../../lib/store';
import { referenceTime } from '../../shared/execute';
import { emailProperty, getEmail, getScoreName, referenceTimeOption } from './common';

const show = { operation: ['updateTier'] };

export const description: INodeProperties[] = [
	emailProperty(['updateTier'], 'Email of the contact. An unknown email is left alone (found: false).'),
	{
		displayName: 'Tiers',
		name: 'tiers',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add tier',
		default: { tier: DEFAULT_TIERS.map((t) => ({ ...t })) },
		description: 'Each tier starts at its minimum score; a contact is in the highest tier they reach (none below the lowest minimum)',
		displayOptions: { show },
		options: [
			{
				displayName: 'Tier',
				name: 'tier',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'Gold' },
					{ displayName: 'Minimum Score', name: 'minimum', type: 'number', default: 0 },
				],
			},
		],
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

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = getEmail(this, i);
	const name = getScoreName(this, i);
	const raw = this.getNodeParameter('tiers', i, {}) as { tier?: Array<{ name?: unknown; minimum?: unknown }> };
	const tiers = validateTiers(raw.tier ?? [], 'Tiers');
	const r = await store.updateScoreTier(email, name, tiers, referenceTime(this, i));
	const direction = tierDirection(r.previousTier, r.tier, tiers);
	return {
		email,
		found: r.found,
		name,
		points: r.score.points,
		previousTier: r.previousTier,
		tier: r.tier,
		changed: r.changed,
		direction: direction === 1 ? 'up' : direction === -1 ? 'down' : 'none',
	};
}
