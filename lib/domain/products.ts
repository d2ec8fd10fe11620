/**
 * Products for email blocks: one normalized shape whatever the source (cart, order,
 * catalog, recommendation), the filters that decide what may be shown, catalog
 * enrichment and accessory rules.
 */
import type { LineItem } from '../store/types';
import { cleanText, safeHttpUrl } from './htmlSafety';

export interface Product {
	productId?: string;
	variantId?: string;
	sku?: string;
	title: string;
	variantTitle?: string;
	/** Unit price in currency units. */
	price?: number;
	/** The "was" price, only when above the price. */
	compareAtPrice?: number;
	currency?: string;
	/** Units in the cart or order. */
	quantity?: number;
	/** http(s) only: anything else is dropped when the product is built. */
	imageUrl?: string;
	url?: string;
	productType?: string;
	vendor?: string;
	tags?: string[];
	/** false when known to be unavailable (sold out, draft, unpublished); undefined when unknown. */
	inStock?: boolean;
	/** Units left, when the shop tracks them. */
	stock?: number;
	/** How many orders had it together with the basis (bought-together recommendations). */
	boughtTogether?: number;
}

/** A cart or order line as a product (links kept only when they are http(s)). */
export function productFromLineItem(item: LineItem, currency?: string): Product {
	const product: Product = { title: item.title, price: item.price, quantity: item.quantity };
	if (item.productId) product.productId = item.productId;
	if (item.variantId) product.variantId = item.variantId;
	if (item.sku) product.sku = item.sku;
	if (item.variantTitle) product.variantTitle = item.variantTitle;
	if (item.compareAtPrice !== undefined && item.compareAtPrice > item.price) product.compareAtPrice = item.compareAtPrice;
	if (currency) product.currency = currency;
	const imageUrl = safeHttpUrl(item.imageUrl);
	if (imageUrl) product.imageUrl = imageUrl;
	const url = safeHttpUrl(item.url);
	if (url) product.url = url;
	if (item.productType) product.productType = item.productType;
	if (item.vendor) product.vendor = item.vendor;
	if (item.tags && item.tags.length > 0) product.tags = item.tags;
	return product;
}

// ------------------------------------------------------------------ identity

/** What a product is known by: its id, SKU, or (with neither) its title. */
export interface ProductSet {
	ids: Set<string>;
	skus: Set<string>;
	titles: Set<string>;
}

export function emptyProductSet(): ProductSet {
	return { ids: new Set(), skus: new Set(), titles: new Set() };
}

export function productSet(products: Array<Pick<Product, 'productId' | 'sku' | 'title'>>, extraIds: Iterable<string> = []): ProductSet {
	const set = emptyProductSet();
	for (const p of products) addToSet(set, p);
	for (const id of extraIds) set.ids.add(id);
	return set;
}

function addToSet(set: ProductSet, p: Pick<Product, 'productId' | 'sku' | 'title'>) {
	if (p.productId) set.ids.add(p.productId);
	if (p.sku) set.skus.add(p.sku);
	if (!p.productId && !p.sku) set.titles.add(titleKey(p.title));
}

function titleKey(title: string): string {
	return cleanText(title).toLowerCase();
}

export function inSet(p: Pick<Product, 'productId' | 'sku' | 'title'>, set: ProductSet): boolean {
	if (p.productId && set.ids.has(p.productId)) return true;
	if (p.sku && set.skus.has(p.sku)) return true;
	return !p.productId && !p.sku && set.titles.has(titleKey(p.title));
}

/** One entry per product (and variant, for carts and orders). */
function dedupeKey(p: Product, byVariant: boolean): string {
	if (p.productId) return `id:${p.productId}${byVariant ? `:${p.variantId ?? p.sku ?? titleKey(p.variantTitle ?? '')}` : ''}`;
	if (p.sku) return `sku:${p.sku}`;
	return `title:${titleKey(p.title)}:${byVariant ? titleKey(p.variantTitle ?? '') : ''}`;
}

// ------------------------------------------------------------------ filters

export type LeftOutReason = 'outOfStock' | 'noImage' | 'alreadyBought' | 'triggerItem' | 'duplicate' | 'overLimit';

export const LEFT_OUT_LABELS: Record<LeftOutReason, string> = {
	outOfStock: 'out of stock',
	noImage: 'no image',
	alreadyBought: 'already bought',
	triggerItem: 'already in the cart or order',
	duplicate: 'listed twice',
	overLimit: 'over Max Products',
};

export interface SelectionOptions {
	excludeOutOfStock: boolean;
	excludeWithoutImage: boolean;
	/** Leave out what the contact has bought. */
	bought?: ProductSet;
	/** Leave out the items the recommendation is based on. */
	trigger?: ProductSet;
	/** Keep variants apart (cart and order lines) instead of one entry per product. */
	byVariant?: boolean;
	max: number;
}

export interface Selection {
	products: Product[];
	leftOut: Partial<Record<LeftOutReason, number>>;
}

/** Applies the filters in order and keeps at most `max` products. */
export function selectProducts(candidates: Product[], options: SelectionOptions): Selection {
	const products: Product[] = [];
	const leftOut: Partial<Record<LeftOutReason, number>> = {};
	const seen = new Set<string>();
	const drop = (reason: LeftOutReason) => (leftOut[reason] = (leftOut[reason] ?? 0) + 1);
	for (const p of candidates) {
		const key = dedupeKey(p, options.byVariant ?? false);
		if (seen.has(key)) {
			drop('duplicate');
			continue;
		}
		seen.add(key);
		if (options.trigger && inSet(p, options.trigger)) drop('triggerItem');
		else if (options.bought && inSet(p, options.bought)) drop('alreadyBought');
		else if (options.excludeOutOfStock && isOutOfStock(p)) drop('outOfStock');
		else if (options.excludeWithoutImage && !p.imageUrl) drop('noImage');
		else if (products.length >= options.max) drop('overLimit');
		else products.push(p);
	}
	return { products, leftOut };
}

export function isOutOfStock(p: Product): boolean {
	return p.inStock === false || (p.stock !== undefined && p.stock <= 0);
}

// ------------------------------------------------------------------ catalog

/**
 * Fills in what carts, orders and order history lack (images, links, stock,
 * compare-at prices) from a product catalog, matched by product id, then SKU,
 * then URL. Stock comes from the catalog when it has it (it is the fresher);
 * the price a shopper saw in their cart is kept.
 */
export function enrichProducts(products: Product[], catalog: Product[]): Product[] {
	if (catalog.length === 0) return products;
	const byId = new Map<string, Product>();
	const bySku = new Map<string, Product>();
	const byUrl = new Map<string, Product>();
	for (const c of catalog) {
		if (c.productId && !byId.has(c.productId)) byId.set(c.productId, c);
		if (c.sku && !bySku.has(c.sku)) bySku.set(c.sku, c);
		if (c.url && !byUrl.has(c.url)) byUrl.set(c.url, c);
	}
	return products.map((p) => {
		const c = (p.productId && byId.get(p.productId)) || (p.sku && bySku.get(p.sku)) || (p.url && byUrl.get(p.url)) || undefined;
		if (!c) return p;
		const out: Product = { ...p };
		if (!out.imageUrl && c.imageUrl) out.imageUrl = c.imageUrl;
		if (!out.url && c.url) out.url = c.url;
		if (out.price === undefined && c.price !== undefined) out.price = c.price;
		if (out.compareAtPrice === undefined && c.compareAtPrice !== undefined && (out.price === undefined || c.compareAtPrice > out.price)) {
			out.compareAtPrice = c.compareAtPrice;
		}
		if (!out.currency && c.currency) out.currency = c.currency;
		if (!out.productType && c.productType) out.productType = c.productType;
		if (!out.vendor && c.vendor) out.vendor = c.vendor;
		if (!out.tags && c.tags) out.tags = c.tags;
		if (c.inStock !== undefined) out.inStock = c.inStock;
		if (c.stock !== undefined) out.stock = c.stock;
		return out;
	});
}

// ------------------------------------------------------------------ accessories

export type AccessoryMatch = 'productId' | 'productType' | 'tag' | 'any';

export interface AccessoryRule {
	matchBy: AccessoryMatch;
	/** Product ids, types or tags (types and tags compare case-insensitively). */
	values: string[];
	accessories: Product[];
}

function ruleMatches(rule: AccessoryRule, p: Product): boolean {
	switch (rule.matchBy) {
		case 'any':
			return true;
		case 'productId':
			return (p.productId !== undefined && rule.values.includes(p.productId)) || (p.sku !== undefined && rule.values.includes(p.sku));
		case 'productType': {
			const type = p.productType?.toLowerCase();
			return type !== undefined && rule.values.some((v) => v.toLowerCase() === type);
		}
		case 'tag': {
			const tags = (p.tags ?? []).map((t) => t.toLowerCase());
			return rule.values.some((v) => tags.includes(v.toLowerCase()));
		}
	}
}

/** The accessories of every rule that matches one of the basis products, in rule order. */
export function accessoriesFor(basis: Product[], rules: AccessoryRule[]): Product[] {
	const out: Product[] = [];
	for (const rule of rules) {
		if (basis.some((p) => ruleMatches(rule, p))) out.push(...rule.accessories);
	}
	return out;
}
