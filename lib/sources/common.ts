import { requireEmail } from '../domain/email';
import { InputError } from '../domain/errors';
import { safeHttpUrl } from '../domain/htmlSafety';
import { cleanInputText, describeType, isBlank, MAX_MONEY, optionalId, optionalMoney, optionalString, parseMoney, parseQuantity } from '../domain/values';
import type { LineItem } from '../store/types';

export type Json = Record<string, unknown>;

/** A normalized store event plus the idempotency key a replay of it would carry. */
export interface Parsed<T> {
	event: T;
	eventKey?: string;
}

export function asObject(value: unknown, field: string): Json {
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			throw new InputError(`"${field}" is text that is not JSON`, field);
		}
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new InputError(
			`"${field}" must be an object (the webhook payload), got ${describeType(value)}`,
			field,
			Array.isArray(value) ? 'Give one event per item: split the list first (e.g. with the Split Out node)' : 'Map the webhook payload, e.g. {{ $json }}',
		);
	}
	return value as Json;
}

export function obj(value: unknown): Json | undefined {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** The first non-blank value among several candidate fields. */
export function first(...values: unknown[]): unknown {
	return values.find((v) => !isBlank(v));
}

export function emailFrom(field: string, ...candidates: unknown[]): string {
	return requireEmail(first(...candidates), field);
}

const MAX_LINE_ITEMS = 500;

/**
 * Line items from any common shape (Shopify, WooCommerce, or your own):
 * product_id/productId/id, variant_id/variation_id, sku, title/name, quantity/qty, price.
 */
export function normalizeLineItems(value: unknown, field: string): LineItem[] {
	if (isBlank(value)) return [];
	let list = value;
	if (typeof list === 'string') {
		try {
			list = JSON.parse(list);
		} catch {
			throw new InputError(`"${field}" is not a JSON list of line items`, field);
		}
	}
	if (!Array.isArray(list)) throw new InputError(`"${field}" must be a list of line items, got ${describeType(list)}`, field);
	if (list.length > MAX_LINE_ITEMS) {
		throw new InputError(
			`"${field}" has ${list.length} line items; at most ${MAX_LINE_ITEMS} are accepted`,
			field,
			`Split the order, or map only its first ${MAX_LINE_ITEMS} line items`,
		);
	}
	return list.map((raw, i) => normalizeLineItem(raw, `${field}[${i}]`));
}

export function normalizeLineItem(raw: unknown, field: string): LineItem {
	const item = obj(raw);
	if (!item) throw new InputError(`${field} must be an object with at least a title and a price`, field);
	const title = optionalString(first(item.title, item.name, item.product_title, item.productTitle), `${field}.title`, 500);
	if (!title) throw new InputError(`${field} has no title (or name)`, `${field}.title`);
	const priceValue = first(item.price, item.unit_price, item.unitPrice);
	const price = parseMoney(priceValue, `${field}.price`);
	const image = obj(item.image);
	const variantId = optionalId(first(item.variant_id, item.variantId, item.variation_id), `${field}.variant_id`);
	const out: LineItem = {
		title,
		quantity: parseQuantity(first(item.quantity, item.qty), `${field}.quantity`),
		price,
	};
	const productId = optionalId(first(item.product_id, item.productId, item.id), `${field}.product_id`);
	if (productId) out.productId = productId;
	if (variantId && variantId !== '0') out.variantId = variantId;
	const sku = optionalString(item.sku, `${field}.sku`, 200);
	if (sku) out.sku = sku;
	const variantTitle = optionalString(first(item.variant_title, item.variantTitle), `${field}.variant_title`, 500);
	if (variantTitle) out.variantTitle = variantTitle;
	const compareAt = optionalMoney(first(item.compare_at_price, item.compareAtPrice, item.regular_price), `${field}.compare_at_price`);
	if (compareAt !== undefined && compareAt > price) out.compareAtPrice = compareAt;
	const productType = optionalString(first(item.product_type, item.productType, item.category), `${field}.product_type`, 200);
	if (productType) out.productType = productType;
	const vendor = optionalString(first(item.vendor, item.brand), `${field}.vendor`, 200);
	if (vendor) out.vendor = vendor;
	const tags = lineItemTags(item.tags, `${field}.tags`);
	if (tags) out.tags = tags;
	const imageUrl = linkOf(first(item.image_url, item.imageUrl, image?.src, typeof item.image === 'string' ? item.image : undefined), `${field}.image`);
	if (imageUrl) out.imageUrl = imageUrl;
	const url = linkOf(first(item.url, item.product_url, item.productUrl, item.permalink), `${field}.url`);
	if (url) out.url = url;
	return out;
}

/** Shopify's own limits for product tags: 250 tags of at most 255 characters. */
const MAX_ITEM_TAGS = 250;
const MAX_ITEM_TAG_LENGTH = 255;

/** A line item's product tags (a list or comma-separated text), cleaned like any text. */
function lineItemTags(value: unknown, field: string): string[] | undefined {
	let parts: unknown[];
	if (Array.isArray(value)) parts = value;
	else if (typeof value === 'string') parts = value.split(',');
	else return undefined;
	const tags = parts
		.map((t) => (typeof t === 'string' ? cleanInputText(t).trim() : typeof t === 'number' ? String(t) : ''))
		.filter(Boolean);
	if (tags.length > MAX_ITEM_TAGS) throw new InputError(`"${field}" has ${tags.length} tags; at most ${MAX_ITEM_TAGS} are accepted`, field);
	const long = tags.find((t) => t.length > MAX_ITEM_TAG_LENGTH);
	if (long) throw new InputError(`"${field}" has a tag longer than ${MAX_ITEM_TAG_LENGTH} characters`, field);
	return tags.length > 0 ? tags : undefined;
}

/** The value of the items (price × quantity), to the cent; more than MAX_MONEY is an input error. */
/**
 * A link the store keeps for emails (product, image, cart recovery): an absolute http(s) URL,
 * normalized. Anything else (javascript:, data:, relative paths…) is left out, never stored.
 */
export function linkOf(value: unknown, field: string): string | undefined {
	const text = optionalString(value, field, 2000);
	return text ? safeHttpUrl(text) : undefined;
}

export function sumLineItems(items: LineItem[], field = 'line_items'): number {
	const sum = Math.round(items.reduce((total, i) => total + i.price * i.quantity, 0) * 100) / 100;
	if (sum > MAX_MONEY) {
		throw new InputError(`"${field}" add up to ${sum}, more than the ${MAX_MONEY.toExponential()} accepted`, field, 'Check the prices (currency units, not cents) and quantities');
	}
	return sum;
}
