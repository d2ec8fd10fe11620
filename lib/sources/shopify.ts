import { InputError } from '../domain/errors';
import { optionalId, optionalString, optionalTimestamp, parseCountry, parseCurrency, parseMoney, parseTimestamp } from '../domain/values';
import type { CartEvent, ContactPatch, OrderEvent, SubscriptionStatus } from '../store/types';
import { asObject, emailFrom, first, linkOf, normalizeLineItems, obj, sumLineItems, type Json, type Parsed } from './common';

/**
 * Shopify webhook payloads (REST Admin API resources) → store events.
 * Topics: orders/create, orders/paid, orders/updated, orders/fulfilled, orders/cancelled,
 * checkouts/create, checkouts/update, customers/create, customers/update.
 */

function consent(customer: Json | undefined, onlyPositive: boolean, buyerAccepts?: unknown): SubscriptionStatus | undefined {
	const state = obj(customer?.email_marketing_consent)?.state;
	let status: SubscriptionStatus | undefined;
	if (typeof state === 'string') {
		status = (
			{ subscribed: 'subscribed', unsubscribed: 'unsubscribed', pending: 'pending', not_subscribed: 'not_subscribed' } as Record<string, SubscriptionStatus>
		)[state];
	} else if (typeof customer?.accepts_marketing === 'boolean') {
		status = customer.accepts_marketing ? 'subscribed' : 'not_subscribed';
	}
	if (buyerAccepts === true && status !== 'unsubscribed') status = 'subscribed';
	if (onlyPositive && status !== 'subscribed') return undefined;
	return status;
}

function address(payload: Json): Json | undefined {
	return obj(payload.billing_address) ?? obj(payload.shipping_address) ?? obj(obj(payload.customer)?.default_address);
}

function contactPatch(email: string, payload: Json, customer: Json | undefined, onlyPositiveConsent: boolean): ContactPatch {
	const addr = address(payload) ?? obj(customer?.default_address);
	const patch: ContactPatch = { email };
	const firstName = optionalString(first(customer?.first_name, addr?.first_name), 'customer.first_name', 200);
	const lastName = optionalString(first(customer?.last_name, addr?.last_name), 'customer.last_name', 200);
	const phone = optionalString(first(customer?.phone, payload.phone, addr?.phone), 'customer.phone', 50);
	const country = parseCountry(first(addr?.country_code, addr?.country), 'billing_address.country_code');
	const region = optionalString(first(addr?.province, addr?.province_code), 'billing_address.province', 200);
	const city = optionalString(addr?.city, 'billing_address.city', 200);
	const locale = optionalString(first(payload.customer_locale, customer?.locale), 'customer_locale', 20);
	if (firstName) patch.firstName = firstName;
	if (lastName) patch.lastName = lastName;
	if (phone) patch.phone = phone;
	if (country) patch.country = country;
	if (region) patch.region = region;
	if (city) patch.city = city;
	if (locale) patch.locale = locale;
	const customerId = optionalId(customer?.id, 'customer.id');
	if (customerId) patch.customerIds = { shopify: customerId };
	const status = consent(customer, onlyPositiveConsent, payload.buyer_accepts_marketing);
	if (status) patch.status = status;
	const consentAt = optionalTimestamp(obj(customer?.email_marketing_consent)?.consent_updated_at, 'customer.email_marketing_consent.consent_updated_at');
	if (status === 'subscribed' && consentAt) patch.consentAt = consentAt;
	return patch;
}

/** A time that only orders events (an unreadable one is left out rather than failing the item). */
function lenientTimestamp(value: unknown): number | undefined {
	try {
		return optionalTimestamp(value, 'updated_at');
	} catch {
		return undefined;
	}
}

export function parseShopifyOrder(raw: unknown): Parsed<OrderEvent> {
	const payload = asObject(raw, 'payload');
	const orderId = optionalId(payload.id, 'id');
	if (!orderId) throw new InputError('The Shopify order has no "id": is this an orders/* webhook payload?', 'id');
	const customer = obj(payload.customer);
	const email = emailFrom('email', payload.email, payload.contact_email, customer?.email);
	const lineItems = normalizeLineItems(payload.line_items, 'line_items');
	const currency = parseCurrency(first(payload.currency, payload.presentment_currency), 'currency');
	if (!currency) throw new InputError('The Shopify order has no "currency"', 'currency');
	const event: OrderEvent = {
		source: 'shopify',
		orderId,
		contact: contactPatch(email, payload, customer, true),
		placedAt: parseTimestamp(first(payload.processed_at, payload.created_at), 'created_at'),
		total: first(payload.total_price) === undefined ? sumLineItems(lineItems) : parseMoney(payload.total_price, 'total_price'),
		currency,
		lineItems,
	};
	const number = optionalString(first(payload.name, payload.order_number), 'name', 100);
	if (number) event.orderNumber = number;
	if (payload.cancelled_at) event.status = 'cancelled';
	else if (payload.closed_at) event.status = 'closed';
	else event.status = 'open';
	const financial = optionalString(payload.financial_status, 'financial_status', 50);
	if (financial) event.financialStatus = financial;
	const fulfillment = optionalString(payload.fulfillment_status, 'fulfillment_status', 50);
	event.fulfillmentStatus = fulfillment ?? 'unfulfilled';
	const checkoutToken = optionalId(payload.checkout_token, 'checkout_token');
	if (checkoutToken) event.checkoutToken = checkoutToken;
	const cartToken = optionalId(payload.cart_token, 'cart_token');
	if (cartToken) event.cartToken = cartToken;
	const updatedAt = lenientTimestamp(payload.updated_at);
	if (updatedAt !== undefined) event.updatedAt = updatedAt;
	const version = first(payload.updated_at, payload.created_at);
	return { event, eventKey: `shopify:order:${orderId}:${String(version ?? '')}:${event.financialStatus ?? ''}:${event.fulfillmentStatus}:${event.status}` };
}

export function parseShopifyCheckout(raw: unknown): Parsed<CartEvent> {
	const payload = asObject(raw, 'payload');
	const token = optionalId(first(payload.token, payload.id), 'token');
	if (!token) throw new InputError('The Shopify checkout has no "token": is this a checkouts/* webhook payload?', 'token');
	const customer = obj(payload.customer);
	const email = emailFrom('email', payload.email, customer?.email);
	const items = normalizeLineItems(payload.line_items, 'line_items');
	const currency = parseCurrency(first(payload.presentment_currency, payload.currency), 'currency');
	if (!currency) throw new InputError('The Shopify checkout has no "currency"', 'currency');
	const createdAt = parseTimestamp(payload.created_at, 'created_at');
	const event: CartEvent = {
		source: 'shopify',
		cartId: token,
		contact: contactPatch(email, payload, customer, true),
		items,
		value: first(payload.total_price) === undefined ? sumLineItems(items) : parseMoney(payload.total_price, 'total_price'),
		currency,
		createdAt,
		updatedAt: optionalTimestamp(payload.updated_at, 'updated_at') ?? createdAt,
	};
	const cartToken = optionalId(payload.cart_token, 'cart_token');
	if (cartToken) event.cartToken = cartToken;
	const url = linkOf(payload.abandoned_checkout_url, 'abandoned_checkout_url');
	if (url) event.recoveryUrl = url;
	const completedAt = optionalTimestamp(payload.completed_at, 'completed_at');
	if (completedAt) event.completedAt = completedAt;
	return { event, eventKey: `shopify:checkout:${token}:${String(payload.updated_at ?? payload.created_at)}` };
}

export function parseShopifyCustomer(raw: unknown): Parsed<ContactPatch> {
	const payload = asObject(raw, 'payload');
	const id = optionalId(payload.id, 'id');
	const email = emailFrom('email', payload.email);
	const patch = contactPatch(email, payload, payload, false);
	const createdAt = optionalTimestamp(payload.created_at, 'created_at');
	if (createdAt) patch.signedUpAt = createdAt;
	const tags = optionalString(payload.tags, 'tags', 5000);
	if (tags) patch.custom = { shopifyTags: tags.split(',').map((t) => t.trim()).filter(Boolean) };
	return { event: patch, eventKey: id ? `shopify:customer:${id}:${String(payload.updated_at ?? payload.created_at ?? '')}` : undefined };
}
