import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../lib/domain/errors';
import { requireEmail } from '../../../lib/domain/email';
import { optionalId, optionalString, parseCountry, parseCurrency, parseMoney, parseTimestamp } from '../../../lib/domain/values';
import { normalizeLineItems, sumLineItems } from '../../../lib/sources/common';
import { parseShopifyOrder } from '../../../lib/sources/shopify';
import { parseWooOrder } from '../../../lib/sources/woocommerce';
import type { ContactStore, OrderEvent } from '../../../lib/store';
import { getPayload, payloadProperty, sourceProperty, writeOptions, writeOptionsProperty, writeOutput } from './common';

const show = { operation: ['recordOrder'], source: ['custom'] };

export const description: INodeProperties[] = [
	sourceProperty('recordOrder', 'Where the order comes from. Shopify topics: orders/create, orders/paid, orders/updated, orders/fulfilled, orders/cancelled. WooCommerce: order.created, order.updated.'),
	payloadProperty('recordOrder', ['shopify', 'woocommerce']),
	{ displayName: 'Email', name: 'email', type: 'string', required: true, default: '', placeholder: 'name@example.com', description: 'The customer\'s email address', displayOptions: { show } },
	{ displayName: 'Order ID', name: 'orderId', type: 'string', required: true, default: '', description: 'Your store\'s unique ID for the order. Recording the same ID again updates its status and never counts it twice.', displayOptions: { show } },
	{ displayName: 'Order Total', name: 'total', type: 'string', default: '', placeholder: '59.90', description: 'The amount paid, in currency units. Empty means the sum of the line items.', displayOptions: { show } },
	{ displayName: 'Currency', name: 'currency', type: 'string', required: true, default: 'USD', description: 'ISO 4217 code, e.g. USD, EUR', displayOptions: { show } },
	{ displayName: 'Order Date', name: 'placedAt', type: 'string', default: '={{ $now.toISO() }}', description: 'When the order was placed (ISO 8601)', displayOptions: { show } },
	{ displayName: 'Line Items', name: 'lineItems', type: 'json', default: '[]', description: 'A list of items, each with title (or name), price and quantity, and optionally product_id, variant_id, sku, product_type, vendor, tags, image_url, url', displayOptions: { show } },
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add field',
		default: {},
		displayOptions: { show },
		options: [
			{ displayName: 'Cart or Checkout Token', name: 'checkoutToken', type: 'string', default: '', description: 'Marks the cart recorded with this ID as converted' },
			{ displayName: 'City', name: 'city', type: 'string', default: '' },
			{ displayName: 'Country', name: 'country', type: 'string', default: '', description: 'ISO country code, e.g. DE' },
			{ displayName: 'Financial Status', name: 'financialStatus', type: 'string', default: '', placeholder: 'paid' },
			{ displayName: 'First Name', name: 'firstName', type: 'string', default: '' },
			{ displayName: 'Fulfillment Status', name: 'fulfillmentStatus', type: 'string', default: '', placeholder: 'fulfilled' },
			{ displayName: 'Last Name', name: 'lastName', type: 'string', default: '' },
			{ displayName: 'Order Number', name: 'orderNumber', type: 'string', default: '', description: 'The number customers see, e.g. #1001' },
			{ displayName: 'Status', name: 'status', type: 'string', default: '', placeholder: 'processing', description: 'Cancelled, refunded and failed orders do not count towards purchase history' },
		],
	},
	writeOptionsProperty('recordOrder'),
];

function customOrder(ctx: IExecuteFunctions, i: number): OrderEvent {
	const extra = ctx.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const orderId = optionalId(ctx.getNodeParameter('orderId', i, ''), 'Order ID');
	if (!orderId) throw new InputError('"Order ID" is empty', 'Order ID');
	const lineItems = normalizeLineItems(ctx.getNodeParameter('lineItems', i, []), 'Line Items');
	const totalRaw = ctx.getNodeParameter('total', i, '') as unknown;
	const order: OrderEvent = {
		source: 'custom',
		orderId,
		contact: { email: requireEmail(ctx.getNodeParameter('email', i, ''), 'Email') },
		placedAt: parseTimestamp(ctx.getNodeParameter('placedAt', i, ''), 'Order Date'),
		total: totalRaw === '' || totalRaw === null ? sumLineItems(lineItems, 'Line Items') : parseMoney(totalRaw, 'Order Total'),
		currency: parseCurrency(ctx.getNodeParameter('currency', i, ''), 'Currency')!,
		lineItems,
	};
	if (!order.currency) throw new InputError('"Currency" is empty', 'Currency');
	const text = (name: string, label: string) => optionalString(extra[name], label, 200);
	const set = <K extends keyof OrderEvent>(key: K, value: OrderEvent[K] | undefined) => {
		if (value !== undefined) order[key] = value;
	};
	set('orderNumber', text('orderNumber', 'Order Number'));
	set('status', text('status', 'Status'));
	set('financialStatus', text('financialStatus', 'Financial Status'));
	set('fulfillmentStatus', text('fulfillmentStatus', 'Fulfillment Status'));
	const token = text('checkoutToken', 'Cart or Checkout Token');
	if (token) order.checkoutToken = token;
	const firstName = text('firstName', 'First Name');
	const lastName = text('lastName', 'Last Name');
	const country = parseCountry(extra.country, 'Country');
	const city = text('city', 'City');
	if (firstName) order.contact.firstName = firstName;
	if (lastName) order.contact.lastName = lastName;
	if (country) order.contact.country = country;
	if (city) order.contact.city = city;
	return order;
}

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const source = this.getNodeParameter('source', i) as string;
	const parsed =
		source === 'shopify'
			? parseShopifyOrder(getPayload(this, i))
			: source === 'woocommerce'
				? parseWooOrder(getPayload(this, i))
				: { event: customOrder(this, i), eventKey: undefined };
	const result = await store.recordOrder(parsed.event, writeOptions(this, i, parsed.eventKey));
	return writeOutput(result, { order: result.order as unknown as IDataObject, newOrder: result.newOrder });
}
