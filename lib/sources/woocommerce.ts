import { InputError } from '../domain/errors';
import { optionalId, optionalString, optionalTimestamp, parseCountry, parseCurrency, parseMoney, parseTimestamp } from '../domain/values';
import type { ContactPatch, OrderEvent } from '../store/types';
import { asObject, emailFrom, first, normalizeLineItems, obj, sumLineItems, type Json, type Parsed } from './common';

/** WooCommerce webhook payloads (REST API v3 resources) → store events: order.created, order.updated, customer.created/updated. */

function checkPing(payload: Json) {
	if (payload.webhook_id !== undefined && payload.id === undefined) {
		throw new InputError(
			'This is WooCommerce\'s test ping sent when a webhook is saved, not an order or customer',
			'payload',
			'Nothing to do: the next real event will carry the order or customer',
		);
	}
}

function contactPatch(email: string, billing: Json | undefined, payload: Json): ContactPatch {
	const patch: ContactPatch = { email };
	const firstName = optionalString(first(billing?.first_name, payload.first_name), 'billing.first_name', 200);
	const lastName = optionalString(first(billing?.last_name, payload.last_name), 'billing.last_name', 200);
	const phone = optionalString(billing?.phone, 'billing.phone', 50);
	const country = parseCountry(billing?.country, 'billing.country');
	const region = optionalString(billing?.state, 'billing.state', 200);
	const city = optionalString(billing?.city, 'billing.city', 200);
	if (firstName) patch.firstName = firstName;
	if (lastName) patch.lastName = lastName;
	if (phone) patch.phone = phone;
	if (country) patch.country = country;
	if (region) patch.region = region;
	if (city) patch.city = city;
	return patch;
}

function gmt(payload: Json, name: string): number | undefined {
	return optionalTimestamp(first(payload[`${name}_gmt`], payload[name]), `${name}_gmt`);
}

export function parseWooOrder(raw: unknown): Parsed<OrderEvent> {
	const payload = asObject(raw, 'payload');
	checkPing(payload);
	const orderId = optionalId(payload.id, 'id');
	if (!orderId) throw new InputError('The WooCommerce order has no "id": is this an order.* webhook payload?', 'id');
	const billing = obj(payload.billing);
	const email = emailFrom('billing.email', billing?.email);
	const lineItems = normalizeLineItems(payload.line_items, 'line_items');
	const currency = parseCurrency(payload.currency, 'currency');
	if (!currency) throw new InputError('The WooCommerce order has no "currency"', 'currency');
	const contact = contactPatch(email, billing, payload);
	const customerId = optionalId(payload.customer_id, 'customer_id');
	if (customerId && customerId !== '0') contact.customerIds = { woocommerce: customerId };
	const status = optionalString(payload.status, 'status', 50);
	const event: OrderEvent = {
		source: 'woocommerce',
		orderId,
		contact,
		placedAt: gmt(payload, 'date_created') ?? parseTimestamp(undefined, 'date_created_gmt'),
		total: first(payload.total) === undefined ? sumLineItems(lineItems) : parseMoney(payload.total, 'total'),
		currency,
		lineItems,
	};
	const number = optionalString(payload.number, 'number', 100);
	if (number) event.orderNumber = number;
	if (status) event.status = status;
	const paid = gmt(payload, 'date_paid');
	event.financialStatus =
		status === 'refunded' ? 'refunded' : paid || status === 'processing' || status === 'completed' ? 'paid' : 'pending';
	event.fulfillmentStatus = status === 'completed' ? 'fulfilled' : 'unfulfilled';
	const cartHash = optionalId(payload.cart_hash, 'cart_hash');
	if (cartHash) event.cartToken = cartHash;
	// Only orders events: an unreadable time is left out rather than failing the item.
	let modifiedAt: number | undefined;
	try {
		modifiedAt = gmt(payload, 'date_modified');
	} catch {
		modifiedAt = undefined;
	}
	if (modifiedAt !== undefined) event.updatedAt = modifiedAt;
	const version = first(payload.date_modified_gmt, payload.date_modified, payload.date_created_gmt);
	return { event, eventKey: `woocommerce:order:${orderId}:${String(version ?? '')}:${status ?? ''}` };
}

export function parseWooCustomer(raw: unknown): Parsed<ContactPatch> {
	const payload = asObject(raw, 'payload');
	checkPing(payload);
	const id = optionalId(payload.id, 'id');
	const billing = obj(payload.billing);
	const email = emailFrom('email', payload.email, billing?.email);
	const patch = contactPatch(email, billing, payload);
	if (id) patch.customerIds = { woocommerce: id };
	const createdAt = gmt(payload, 'date_created');
	if (createdAt) patch.signedUpAt = createdAt;
	const version = first(payload.date_modified_gmt, payload.date_modified, payload.date_created_gmt);
	return { event: patch, eventKey: id ? `woocommerce:customer:${id}:${String(version ?? '')}` : undefined };
}
