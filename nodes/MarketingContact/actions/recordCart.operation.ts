import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../lib/domain/errors';
import { requireEmail } from '../../../lib/domain/email';
import { optionalId, optionalTimestamp, parseCurrency, parseMoney } from '../../../lib/domain/values';
import { linkOf, normalizeLineItems, sumLineItems } from '../../../lib/sources/common';
import { parseShopifyCheckout } from '../../../lib/sources/shopify';
import type { CartEvent, ContactStore } from '../../../lib/store';
import { getPayload, payloadProperty, writeOptions, writeOptionsProperty, writeOutput } from './common';

const show = { operation: ['recordCart'], source: ['custom'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Input Format',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Shopify Checkout Webhook', value: 'shopify', description: 'Topics checkouts/create and checkouts/update' },
			{ name: 'Custom', value: 'custom', description: 'Map each field yourself (WooCommerce cart plugins, your own site)' },
		],
		default: 'shopify',
		description: 'Where the cart comes from. An order carrying the same checkout or cart token later marks the cart converted.',
		displayOptions: { show: { operation: ['recordCart'] } },
	},
	payloadProperty('recordCart', ['shopify']),
	{ displayName: 'Email', name: 'email', type: 'string', required: true, default: '', placeholder: 'name@example.com', description: 'The shopper\'s email address', displayOptions: { show } },
	{ displayName: 'Cart ID', name: 'cartId', type: 'string', required: true, default: '', description: 'Unique ID of the cart or checkout; an order recorded with this token converts it', displayOptions: { show } },
	{ displayName: 'Cart Items', name: 'items', type: 'json', default: '[]', description: 'A list of items, each with title (or name), price and quantity, and optionally product_id, image_url, url', displayOptions: { show } },
	{ displayName: 'Currency', name: 'currency', type: 'string', required: true, default: 'USD', description: 'ISO 4217 code, e.g. USD, EUR', displayOptions: { show } },
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add field',
		default: {},
		displayOptions: { show },
		options: [
			{ displayName: 'Cart Value', name: 'value', type: 'string', default: '', description: 'Empty means the sum of the items' },
			{ displayName: 'Completed At', name: 'completedAt', type: 'string', default: '', description: 'Set when the cart was turned into an order' },
			{ displayName: 'Created At', name: 'createdAt', type: 'string', default: '', description: 'When the cart was started (ISO 8601); default is the update time' },
			{ displayName: 'Recovery URL', name: 'recoveryUrl', type: 'string', default: '', description: 'Link that restores the cart, used by the "Return to your cart" button' },
			{ displayName: 'Updated At', name: 'updatedAt', type: 'string', default: '', description: 'When the cart last changed (ISO 8601); default is now' },
		],
	},
	writeOptionsProperty('recordCart'),
];

function customCart(ctx: IExecuteFunctions, i: number, now: number): CartEvent {
	const extra = ctx.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const cartId = optionalId(ctx.getNodeParameter('cartId', i, ''), 'Cart ID');
	if (!cartId) throw new InputError('"Cart ID" is empty', 'Cart ID');
	const items = normalizeLineItems(ctx.getNodeParameter('items', i, []), 'Cart Items');
	const currency = parseCurrency(ctx.getNodeParameter('currency', i, ''), 'Currency');
	if (!currency) throw new InputError('"Currency" is empty', 'Currency');
	const updatedAt = optionalTimestamp(extra.updatedAt, 'Updated At') ?? now;
	const cart: CartEvent = {
		source: 'custom',
		cartId,
		contact: { email: requireEmail(ctx.getNodeParameter('email', i, ''), 'Email') },
		items,
		value: extra.value === undefined || extra.value === '' ? sumLineItems(items, 'Cart Items') : parseMoney(extra.value, 'Cart Value'),
		currency,
		createdAt: optionalTimestamp(extra.createdAt, 'Created At') ?? updatedAt,
		updatedAt,
	};
	const url = linkOf(extra.recoveryUrl, 'Recovery URL');
	if (url) cart.recoveryUrl = url;
	const completedAt = optionalTimestamp(extra.completedAt, 'Completed At');
	if (completedAt) cart.completedAt = completedAt;
	return cart;
}

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const source = this.getNodeParameter('source', i) as string;
	const options = writeOptions(this, i);
	const parsed =
		source === 'shopify'
			? parseShopifyCheckout(getPayload(this, i))
			: { event: customCart(this, i, options.now), eventKey: undefined as string | undefined };
	const eventKey = options.eventKey ?? parsed.eventKey;
	const result = await store.recordCart(parsed.event, { ...options, ...(eventKey ? { eventKey } : {}) });
	return writeOutput(result, { cart: result.cart as unknown as IDataObject });
}
