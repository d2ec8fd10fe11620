import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../lib/domain/errors';
import {
	optionalId,
	optionalString,
	optionalTimestamp,
	parseBirthday,
	parseCountry,
	parseCustomFields,
	parseTimeZone,
} from '../../../lib/domain/values';
import { parseShopifyCustomer } from '../../../lib/sources/shopify';
import { parseWooCustomer } from '../../../lib/sources/woocommerce';
import { SUBSCRIPTION_STATUSES, type ContactPatch, type ContactStore, type SubscriptionStatus } from '../../../lib/store';
import { getEmail, payloadProperty, sourceProperty, writeOptions, writeOptionsProperty, writeOutput, getPayload } from './common';

const op = 'upsertProfile';
const custom = { operation: [op], source: ['custom'] };

export const description: INodeProperties[] = [
	sourceProperty(op, 'Where the profile comes from. Shopify topics: customers/create, customers/update. WooCommerce: customer.created, customer.updated.'),
	payloadProperty(op, ['shopify', 'woocommerce']),
	{ displayName: 'Email', name: 'email', type: 'string', required: true, default: '={{ $json.email }}', placeholder: 'name@example.com', displayOptions: { show: custom } },
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'collection',
		placeholder: 'Add field',
		default: {},
		description: 'Fields left out keep their stored value',
		displayOptions: { show: custom },
		options: [
			{ displayName: 'Birthday', name: 'birthday', type: 'string', default: '', placeholder: '1990-02-28', description: 'YYYY-MM-DD, or --MM-DD when the year is unknown' },
			{ displayName: 'City', name: 'city', type: 'string', default: '' },
			{ displayName: 'Country', name: 'country', type: 'string', default: '', description: 'ISO country code, e.g. DE' },
			{ displayName: 'Custom Fields (JSON)', name: 'custom', type: 'json', default: '{}', description: 'Merged into the stored custom fields; a null value removes a field' },
			{ displayName: 'Customer ID', name: 'customerId', type: 'string', default: '', description: 'The customer\'s ID in your store' },
			{ displayName: 'First Name', name: 'firstName', type: 'string', default: '' },
			{ displayName: 'Last Name', name: 'lastName', type: 'string', default: '' },
			{ displayName: 'Lift Suppression', name: 'liftSuppression', type: 'boolean', default: false, description: 'Whether a new "Subscribed" status may lift an earlier unsubscribe (only with fresh, explicit consent; bounces and complaints are never lifted)' },
			{ displayName: 'Locale', name: 'locale', type: 'string', default: '', placeholder: 'en-US' },
			{ displayName: 'Phone', name: 'phone', type: 'string', default: '' },
			{ displayName: 'Region', name: 'region', type: 'string', default: '', description: 'State or province' },
			{ displayName: 'Signed Up At', name: 'signedUpAt', type: 'string', default: '', description: 'When the contact signed up (for anniversaries); only an earlier date replaces the stored one' },
			{ displayName: 'Store Name', name: 'store', type: 'string', default: 'custom', description: 'Key the Customer ID is stored under' },
			{
				displayName: 'Subscription Status',
				name: 'status',
				type: 'options',
				options: [
					{ name: 'Not Subscribed', value: 'not_subscribed' },
					{ name: 'Pending (Double Opt-In)', value: 'pending' },
					{ name: 'Subscribed', value: 'subscribed' },
					{ name: 'Unsubscribed', value: 'unsubscribed' },
				],
				default: 'subscribed',
			},
			{ displayName: 'Time Zone', name: 'timeZone', type: 'string', default: '', placeholder: 'Europe/Berlin', description: 'IANA time zone, for birthdays and quiet hours' },
		],
	},
	writeOptionsProperty(op),
];

function customPatch(ctx: IExecuteFunctions, i: number): ContactPatch {
	const fields = ctx.getNodeParameter('fields', i, {}) as IDataObject;
	const patch: ContactPatch = { email: getEmail(ctx, i) };
	const text = (name: string, label: string) => optionalString(fields[name], label, 200);
	const assign = <K extends keyof ContactPatch>(key: K, value: ContactPatch[K] | undefined) => {
		if (value !== undefined) patch[key] = value;
	};
	assign('firstName', text('firstName', 'First Name'));
	assign('lastName', text('lastName', 'Last Name'));
	assign('phone', text('phone', 'Phone'));
	assign('region', text('region', 'Region'));
	assign('city', text('city', 'City'));
	assign('locale', text('locale', 'Locale'));
	assign('country', parseCountry(fields.country, 'Country'));
	assign('birthday', parseBirthday(fields.birthday, 'Birthday'));
	assign('timeZone', parseTimeZone(fields.timeZone, 'Time Zone'));
	assign('signedUpAt', optionalTimestamp(fields.signedUpAt, 'Signed Up At'));
	if (fields.status !== undefined) {
		if (!SUBSCRIPTION_STATUSES.includes(fields.status as SubscriptionStatus)) {
			throw new InputError(`"Subscription Status" must be one of ${SUBSCRIPTION_STATUSES.join(', ')}`, 'Subscription Status');
		}
		patch.status = fields.status as SubscriptionStatus;
		if (fields.liftSuppression === true) patch.liftSuppression = true;
	}
	const customerId = optionalId(fields.customerId, 'Customer ID');
	if (customerId) patch.customerIds = { [text('store', 'Store Name') || 'custom']: customerId };
	const customFields = parseCustomFields(fields.custom, 'Custom Fields');
	if (customFields && Object.keys(customFields).length > 0) patch.custom = customFields;
	return patch;
}

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const source = this.getNodeParameter('source', i) as string;
	const parsed =
		source === 'shopify'
			? parseShopifyCustomer(getPayload(this, i))
			: source === 'woocommerce'
				? parseWooCustomer(getPayload(this, i))
				: { event: customPatch(this, i), eventKey: undefined };
	const result = await store.upsertProfile(parsed.event, writeOptions(this, i, parsed.eventKey));
	return writeOutput(result);
}
