import { toIso } from '../domain/values';
import type {
	ContactProfile,
	Coupon,
	LineItem,
	StoredCart,
	StoredOrder,
	StoredProductView,
	SubscriptionStatus,
	SuppressionReason,
} from './types';

/** A contacts row as both backends return it. */
export interface ContactRow {
	id: number;
	email: string;
	first_name: string | null;
	last_name: string | null;
	phone: string | null;
	birthday: string | null;
	country: string | null;
	region: string | null;
	city: string | null;
	time_zone: string | null;
	locale: string | null;
	status: string;
	suppressed: number;
	suppression_reason: string | null;
	consent_at: number | null;
	signed_up_at: number | null;
	first_purchase_at: number | null;
	last_purchase_at: number | null;
	order_count: number;
	total_spent: number;
	last_order_value: number | null;
	currency: string | null;
	last_engagement_at: number | null;
	last_visit_at: number | null;
	site_visits: number;
	customer_ids: string;
	custom: string;
	created_at: number;
	updated_at: number;
}

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
	if (!text) return fallback;
	try {
		return JSON.parse(text) as T;
	} catch {
		return fallback;
	}
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function toProfile(row: ContactRow, tags: string[], scores: Record<string, number>, tiers: Record<string, string> = {}): ContactProfile {
	const orderCount = Number(row.order_count);
	const totalSpent = round2(Number(row.total_spent));
	return {
		id: Number(row.id),
		email: row.email,
		firstName: row.first_name,
		lastName: row.last_name,
		phone: row.phone,
		birthday: row.birthday,
		country: row.country,
		region: row.region,
		city: row.city,
		timeZone: row.time_zone,
		locale: row.locale,
		status: row.status as SubscriptionStatus,
		suppressed: Number(row.suppressed) === 1,
		suppressionReason: row.suppression_reason as SuppressionReason | null,
		consentAt: toIso(row.consent_at),
		signedUpAt: toIso(row.signed_up_at),
		firstPurchaseAt: toIso(row.first_purchase_at),
		lastPurchaseAt: toIso(row.last_purchase_at),
		orderCount,
		totalSpent,
		averageOrderValue: orderCount > 0 ? round2(totalSpent / orderCount) : 0,
		lastOrderValue: row.last_order_value === null ? null : round2(Number(row.last_order_value)),
		currency: row.currency,
		lastEngagementAt: toIso(row.last_engagement_at),
		lastVisitAt: toIso(row.last_visit_at),
		siteVisits: Number(row.site_visits),
		customerIds: parseJson(row.customer_ids, {}),
		custom: parseJson(row.custom, {}),
		tags,
		scores,
		tiers,
		createdAt: toIso(row.created_at)!,
		updatedAt: toIso(row.updated_at)!,
	};
}

export interface OrderRow {
	id: number;
	source: string;
	order_id: string;
	order_number: string | null;
	placed_at: number;
	total: number;
	currency: string;
	status: string | null;
	financial_status: string | null;
	fulfillment_status: string | null;
	counted: number;
	/** The store's own last-change time of the order (migration 9); null when no event carried one. */
	source_updated_at?: number | null;
}

export interface OrderItemRow {
	order_pk: number;
	product_id: string | null;
	variant_id: string | null;
	sku: string | null;
	title: string;
	variant_title: string | null;
	quantity: number;
	price: number;
	product_type: string | null;
	vendor: string | null;
	tags: string | null;
	image_url: string | null;
	url: string | null;
}

export function toLineItem(row: OrderItemRow): LineItem {
	const item: LineItem = { title: row.title, quantity: Number(row.quantity), price: Number(row.price) };
	if (row.product_id !== null) item.productId = row.product_id;
	if (row.variant_id !== null) item.variantId = row.variant_id;
	if (row.sku !== null) item.sku = row.sku;
	if (row.variant_title !== null) item.variantTitle = row.variant_title;
	if (row.product_type !== null) item.productType = row.product_type;
	if (row.vendor !== null) item.vendor = row.vendor;
	if (row.tags) item.tags = parseJson<string[]>(row.tags, []);
	if (row.image_url !== null) item.imageUrl = row.image_url;
	if (row.url !== null) item.url = row.url;
	return item;
}

export function toStoredOrder(row: OrderRow, items: LineItem[]): StoredOrder {
	return {
		source: row.source,
		orderId: row.order_id,
		orderNumber: row.order_number,
		placedAt: toIso(row.placed_at)!,
		total: Number(row.total),
		currency: row.currency,
		status: row.status,
		financialStatus: row.financial_status,
		fulfillmentStatus: row.fulfillment_status,
		counted: Number(row.counted) === 1,
		lineItems: items,
	};
}

export interface CartRow {
	source: string;
	cart_id: string;
	value: number;
	currency: string;
	recovery_url: string | null;
	items: string;
	created_at: number;
	updated_at: number;
	converted_at: number | null;
	order_id: string | null;
}

export function toStoredCart(row: CartRow): StoredCart {
	return {
		source: row.source,
		cartId: row.cart_id,
		value: Number(row.value),
		currency: row.currency,
		recoveryUrl: row.recovery_url,
		items: parseJson<LineItem[]>(row.items, []),
		createdAt: toIso(row.created_at)!,
		updatedAt: toIso(row.updated_at)!,
		convertedAt: toIso(row.converted_at),
		orderId: row.order_id,
	};
}

export interface ProductViewRow {
	product_id: string;
	title: string | null;
	product_type: string | null;
	url: string | null;
	image_url: string | null;
	view_count: number;
	first_viewed_at: number;
	last_viewed_at: number;
}

export function toStoredProductView(row: ProductViewRow): StoredProductView {
	return {
		productId: row.product_id,
		title: row.title,
		productType: row.product_type,
		url: row.url,
		imageUrl: row.image_url,
		viewCount: Number(row.view_count),
		firstViewedAt: toIso(row.first_viewed_at)!,
		lastViewedAt: toIso(row.last_viewed_at)!,
	};
}

export interface CouponRow {
	campaign: string;
	code: string;
	created_at: number;
	expires_at: number | null;
}

export function toCoupon(row: CouponRow, now: number): Coupon {
	return {
		campaign: row.campaign,
		code: row.code,
		createdAt: toIso(row.created_at)!,
		expiresAt: toIso(row.expires_at),
		expired: row.expires_at !== null && Number(row.expires_at) <= now,
	};
}
