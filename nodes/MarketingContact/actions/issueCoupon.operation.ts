import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { normalizeCouponPrefix } from '../../../lib/domain/coupon';
import { InputError } from '../../../lib/domain/errors';
import { optionalString } from '../../../lib/domain/values';
import type { ContactStore } from '../../../lib/store';
import { emailProperty, getEmail } from './common';
import { referenceTime } from '../../shared/execute';

const show = { operation: ['issueCoupon'] };
const DAY = 86_400_000;

export const description: INodeProperties[] = [
	emailProperty('issueCoupon', 'Email of the contact the code is for'),
	{
		displayName:
			'The code exists only in the contact store: create the same code as a discount in your shop (e.g. with a Shopify or WooCommerce node after this one), or the shop rejects it at checkout',
		name: 'couponNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Campaign',
		name: 'campaign',
		type: 'string',
		required: true,
		default: 'welcome',
		description: 'One code per contact and campaign: asking again for the same campaign returns the same code',
		displayOptions: { show },
	},
	{ displayName: 'Code Prefix', name: 'prefix', type: 'string', default: 'SAVE-', description: 'Letters, digits, - and _; the random part follows it', displayOptions: { show } },
	{
		displayName: 'Expires After (Days)',
		name: 'expiresInDays',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 14,
		description: 'How long the code is valid; 0 means it never expires. Create the matching discount in your store with the same code (e.g. with the Shopify or WooCommerce node).',
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
			{ displayName: 'Code Length', name: 'codeLength', type: 'number', typeOptions: { minValue: 6, maxValue: 32 }, default: 8, description: 'Length of the random part' },
			{ displayName: 'Reference Time', name: 'referenceTime', type: 'dateTime', default: '', description: 'Treat this as "now" for the expiry date' },
		],
	},
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = getEmail(this, i);
	const campaign = optionalString(this.getNodeParameter('campaign', i, ''), 'Campaign', 200) ?? '';
	if (!campaign) throw new InputError('"Campaign" is empty', 'Campaign');
	const prefix = normalizeCouponPrefix(this.getNodeParameter('prefix', i, ''));
	const days = Number(this.getNodeParameter('expiresInDays', i, 0));
	if (!Number.isFinite(days) || days < 0) throw new InputError('"Expires After (Days)" must be 0 or more', 'Expires After (Days)');
	const codeLength = Number(this.getNodeParameter('options.codeLength', i, 8));
	const now = referenceTime(this, i);
	const result = await store.issueCoupon({
		email,
		campaign,
		prefix,
		codeLength,
		now,
		...(days > 0 ? { expiresAt: now + days * DAY } : {}),
	});
	return {
		contact: result.contact as unknown as IDataObject,
		coupon: result.coupon as unknown as IDataObject,
		created: result.created,
	};
}
