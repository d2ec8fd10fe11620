import { requireEmail } from '../domain/email';
import { InputError } from '../domain/errors';
import { isBlank, optionalId, optionalMoney, optionalString, parseMoney, parseQuantity } from '../domain/values';
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
		throw new InputError(`"${field}" must be an object (the webhook payload), got ${Array.isArray(value) ? 'a list' : typeof value}`, field);
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
	if (!Array.isArray(list)) throw new InputError(`"${field}" must be a list of line items`, field);
	if (list.length > MAX_LINE_ITEMS) throw new InputError(`"${field}" has ${list.length} line items; at most ${MAX_LINE_ITEMS} are accepted`, field);
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
	const tags = item.tags;
	if (Array.isArray(tags)) out.tags = tags.map(String).filter(Boolean);
	else if (typeof tags === 'string' && tags.trim()) out.tags = tags.split(',').map((t) => t.trim()).filter(Boolean);
	const imageUrl = optionalString(first(item.image_url, item.imageUrl, image?.src, typeof item.image === 'string' ? item.image : undefined), `${field}.image`, 2000);
	if (imageUrl) out.imageUrl = imageUrl;
	const url = optionalString(first(item.url, item.product_url, item.productUrl, item.permalink), `${field}.url`, 2000);
	if (url) out.url = url;
	return out;
}

export function sumLineItems(items: LineItem[]): number {
	return Math.round(items.reduce((sum, i) => sum + i.price * i.quantity, 0) * 100) / 100;
}
