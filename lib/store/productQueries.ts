/**
 * Product Block's reads of the order history: what a contact bought, and what is
 * most often bought in the same order as given products ("bought together").
 *
 * Bought together stays fast on a large history because it never scans it: for
 * each basis product (at most MAX_BASIS) it takes only its most recent
 * ORDERS_PER_PRODUCT orders by walking the (product_id, order_pk) index
 * backwards (keeping the counted ones), then counts the other products of those orders through the covering
 * (order_pk, product_id) index, and leaves out the contact's own purchases read
 * once through the (contact_id, product_id) index (migration 4). The work is bounded by
 * MAX_BASIS × ORDERS_PER_PRODUCT orders, whatever the size of the store.
 */
import { toLineItem, type OrderItemRow } from './rows';
import type { Dialect, SqlExecutor, SqlValue } from './sql';
import type { BoughtTogetherProduct, BoughtTogetherRequest } from './types';

export const MAX_BASIS = 10;
export const ORDERS_PER_PRODUCT = 200;
const MAX_RESULTS = 100;

/** The contact's products, most recently ordered first (by email, in one query). */
async function recentProductIds(db: SqlExecutor, email: string, limit: number): Promise<string[]> {
	const rows = await db.all<{ product_id: string }>(
		`SELECT product_id, max(order_pk) AS last_pk FROM order_items
		WHERE contact_id = (SELECT id FROM contacts WHERE email = $1) AND product_id IS NOT NULL
		GROUP BY product_id ORDER BY last_pk DESC, product_id LIMIT $2`,
		[email, limit],
	);
	return rows.map((r) => String(r.product_id));
}

/** Product ids the contact has ordered (any order status), most recently ordered first. */
export async function purchasedProductIds(db: SqlExecutor, email: string, limit = 1000): Promise<string[]> {
	return await recentProductIds(db, email, limit);
}

export async function productsBoughtTogether(db: SqlExecutor, dialect: Dialect, request: BoughtTogetherRequest): Promise<BoughtTogetherProduct[]> {
	const limit = Math.max(1, Math.min(MAX_RESULTS, Math.floor(request.limit)));
	let basis = [...new Set((request.productIds ?? []).map(String).filter(Boolean))].slice(0, MAX_BASIS);
	if (basis.length === 0 && request.email) basis = await recentProductIds(db, request.email, MAX_BASIS);
	if (basis.length === 0) return [];

	const params: SqlValue[] = [];
	const param = (value: SqlValue) => {
		params.push(value);
		return `$${params.length}`;
	};
	const perProduct = param(ORDERS_PER_PRODUCT);
	const basisParams = basis.map((b) => param(b));
	let basisOrders: string;
	let pairs: string;
	if (dialect.name === 'postgres') {
		// LATERAL (with OFFSET 0 as a fence) keeps PostgreSQL on index lookups per order:
		// left to itself it may hash-join the whole order_items table.
		basisOrders = `SELECT DISTINCT b.order_pk FROM (VALUES ${basisParams.map((b) => `(${b}::text)`).join(', ')}) AS basis(product_id)
			CROSS JOIN LATERAL (SELECT oi.order_pk FROM order_items oi WHERE oi.product_id = basis.product_id
				ORDER BY oi.order_pk DESC LIMIT ${perProduct}) b
			CROSS JOIN LATERAL (SELECT 1 AS counted FROM orders o WHERE o.id = b.order_pk AND o.counted = 1 OFFSET 0) c`;
		pairs = `SELECT DISTINCT bo.order_pk AS order_pk, x.product_id AS product_id FROM basis_orders bo
			CROSS JOIN LATERAL (SELECT oi.product_id FROM order_items oi WHERE oi.order_pk = bo.order_pk AND oi.product_id IS NOT NULL OFFSET 0) x`;
	} else {
		basisOrders = basisParams
			.map(
				(b, i) => `SELECT order_pk FROM (
					SELECT oi.order_pk FROM order_items oi WHERE oi.product_id = ${b}
					ORDER BY oi.order_pk DESC LIMIT ${perProduct}) b${i}`,
			)
			.join('\nUNION\n');
		basisOrders = `SELECT bo.order_pk FROM (${basisOrders}) bo JOIN orders o ON o.id = bo.order_pk WHERE o.counted = 1`;
		pairs = `SELECT DISTINCT oi.order_pk AS order_pk, oi.product_id AS product_id
			FROM basis_orders bo JOIN order_items oi ON oi.order_pk = bo.order_pk
			WHERE oi.product_id IS NOT NULL`;
	}
	const excludeOwn =
		request.email && !request.includePurchased
			? `AND product_id NOT IN (SELECT mine.product_id FROM order_items mine
				WHERE mine.contact_id = (SELECT id FROM contacts WHERE email = ${param(request.email)}) AND mine.product_id IS NOT NULL)`
			: '';
	// Each (order, product) once, even when an order has two lines of one product (variants).
	const ranked = await db.all<{ product_id: string; orders: number; last_pk: number }>(
		`WITH basis_orders AS (${basisOrders}),
		pairs AS (${pairs})
		SELECT product_id, count(*) AS orders, max(order_pk) AS last_pk
		FROM pairs
		WHERE product_id NOT IN (${basisParams.join(', ')}) ${excludeOwn}
		GROUP BY product_id
		ORDER BY orders DESC, last_pk DESC, product_id
		LIMIT ${param(limit)}`,
		params,
	);
	if (ranked.length === 0) return [];

	// The latest line of each product carries its current title, price, image and link.
	const detailParams: SqlValue[] = [];
	const conditions = ranked.map((r) => {
		detailParams.push(Number(r.last_pk), String(r.product_id));
		return `(oi.order_pk = $${detailParams.length - 1} AND oi.product_id = $${detailParams.length})`;
	});
	const lines = await db.all<OrderItemRow & { currency: string }>(
		`SELECT oi.*, o.currency AS currency FROM order_items oi JOIN orders o ON o.id = oi.order_pk
		WHERE ${conditions.join(' OR ')}
		ORDER BY oi.order_pk, oi.line`,
		detailParams,
	);
	const latest = new Map<string, OrderItemRow & { currency: string }>();
	for (const line of lines) if (!latest.has(String(line.product_id))) latest.set(String(line.product_id), line);

	// Order lines often lack images and links (Shopify's do): take them from product views,
	// the latest one that has either (one probe of the partial index of migration 8).
	const missing = ranked.map((r) => String(r.product_id)).filter((p) => !latest.get(p)?.image_url || !latest.get(p)?.url);
	const views = new Map<string, { image_url: string | null; url: string | null; product_type: string | null }>();
	if (missing.length > 0) {
		const viewParams: SqlValue[] = [];
		const selects = missing.map((p, i) => {
			viewParams.push(p);
			return `SELECT * FROM (SELECT product_id, image_url, url, product_type FROM product_views
				WHERE product_id = $${viewParams.length} AND (image_url IS NOT NULL OR url IS NOT NULL)
				ORDER BY last_viewed_at DESC LIMIT 1) v${i}`;
		});
		for (const row of await db.all<{ product_id: string; image_url: string | null; url: string | null; product_type: string | null }>(
			selects.join('\nUNION ALL\n'),
			viewParams,
		)) {
			views.set(String(row.product_id), row);
		}
	}

	const out: BoughtTogetherProduct[] = [];
	for (const r of ranked) {
		const productId = String(r.product_id);
		const line = latest.get(productId);
		if (!line) continue;
		const item = toLineItem(line);
		const view = views.get(productId);
		const product: BoughtTogetherProduct = { productId, title: item.title, price: item.price, currency: line.currency, orders: Number(r.orders) };
		if (item.sku) product.sku = item.sku;
		const imageUrl = item.imageUrl ?? view?.image_url ?? undefined;
		if (imageUrl) product.imageUrl = imageUrl;
		const url = item.url ?? view?.url ?? undefined;
		if (url) product.url = url;
		const productType = item.productType ?? view?.product_type ?? undefined;
		if (productType) product.productType = productType;
		if (item.vendor) product.vendor = item.vendor;
		if (item.tags) product.tags = item.tags;
		out.push(product);
	}
	return out;
}
