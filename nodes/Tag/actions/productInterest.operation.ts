import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../lib/domain/errors';
import { DAY_MS, DEFAULT_INTEREST_GROUP, normalizeGroup } from '../../../lib/domain/tags';
import type { ContactStore } from '../../../lib/store';
import { referenceTime } from '../../shared/execute';
import { contactJson, emailProperty, expireAfterOption, getEmail, getExpiry, positiveNumber, referenceTimeOption } from './common';

const show = { operation: ['productInterest'] };

export const description: INodeProperties[] = [
	emailProperty(['productInterest'], 'Email of the contact (e.g. right after Marketing Contact › Record Product View). An unknown email is left alone.'),
	{
		displayName: 'Minimum Views',
		name: 'minViews',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 3,
		description: 'A product (or category) viewed at least this many times is an interest',
		displayOptions: { show },
	},
	{
		displayName: 'Within (Days)',
		name: 'withinDays',
		type: 'number',
		typeOptions: { minValue: 0.01 },
		default: 30,
		description: 'Count only views from the last this many days',
		displayOptions: { show },
	},
	{
		displayName: 'Interest In',
		name: 'interestIn',
		type: 'options',
		options: [
			{ name: 'Products and Categories', value: 'both' },
			{ name: 'Products', value: 'products' },
			{ name: 'Categories', value: 'categories', description: 'The product type recorded with each view' },
		],
		default: 'both',
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
			expireAfterOption,
			{
				displayName: 'Name Product Tags By',
				name: 'productTagFrom',
				type: 'options',
				options: [
					{ name: 'Product Title', value: 'title', description: 'E.g. interest:espresso-grinder (the ID when there is no title)' },
					{ name: 'Product ID', value: 'id', description: 'E.g. interest:8072' },
				],
				default: 'title',
			},
			referenceTimeOption,
			{
				displayName: 'Tag Group',
				name: 'group',
				type: 'string',
				default: DEFAULT_INTEREST_GROUP,
				description: 'Prefix of the interest tags, e.g. interest:coffee',
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = getEmail(this, i);
	const minViews = positiveNumber(this, 'minViews', i, 'Minimum Views', 3);
	if (!Number.isInteger(minViews)) throw new InputError(`"Minimum Views" must be a whole number (got ${minViews})`, 'Minimum Views');
	const withinDays = positiveNumber(this, 'withinDays', i, 'Within (Days)', 30);
	const interestIn = this.getNodeParameter('interestIn', i, 'both') as 'both' | 'products' | 'categories';
	const now = referenceTime(this, i);
	const result = await store.applyInterestTags(email, {
		rule: {
			group: normalizeGroup(this.getNodeParameter('options.group', i, DEFAULT_INTEREST_GROUP) || DEFAULT_INTEREST_GROUP, 'Tag Group'),
			minViews,
			products: interestIn !== 'categories',
			categories: interestIn !== 'products',
			productTagFrom: this.getNodeParameter('options.productTagFrom', i, 'title') as 'title' | 'id',
		},
		since: now - Math.round(withinDays * DAY_MS),
		now,
		expiresAt: getExpiry(this, i, now),
	});
	if (!result) return { email, found: false, interests: [], added: [], changed: false, contact: null };
	return {
		email,
		found: true,
		interests: result.interests as unknown as IDataObject[],
		added: result.added,
		refreshed: result.refreshed,
		changed: result.added.length + result.refreshed.length > 0,
		contact: contactJson(result.contact),
	};
}
