/**
 * Product lists from anywhere → Product: Shopify product JSON (REST Admin API, as
 * the Shopify node returns it), WooCommerce product JSON (REST API v3, as the
 * WooCommerce node returns it), or a plain { title, price, imageUrl, url } shape.
 */
import { InputError } from '../domain/errors';
import { decodeEntities, safeHttpUrl } from '../domain/htmlSafety';
import type { Product } from '../domain/products';
import { isBlank, optionalId, optionalMoney, optionalString, parseCurrency, parseQuantity } from '../domain/values';
import { first, obj, type Json } from './common';

export interface ProductListOptions {
	/** The shop's address, for Shopify products (links are <shop>/products/<handle>). */
	shopUrl?: string;
	/** At most this many are read (a guard against mapping a whole catalog by mistake). */
	limit?: number;
}

const MAX_PRODUCTS = 1000;

/** A list of products (or one product, or n8n items { json }) in any of the supported shapes. */
export function normalizeProducts(value: unknown, field: string, options: ProductListOptions = {}): Product[] {
	if (isBlank(value)) return [];
	let list = value;
	if (typeof list === 'string') {
		try {
			list = JSON.parse(list);
		} catch {
			throw new InputError(`"${field}" is text that is not JSON`, field, 'Give a list of products, e.g. {{ $json.products }}');
		}
	}
	const wrapper = obj(list);
	if (wrapper && Array.isArray(wrapper.products)) list = wrapper.products;
	if (!Array.isArray(list)) list = [list];
	const items = list as unknown[];
	const limit = options.limit ?? MAX_PRODUCTS;
	if (items.length > limit) throw new InputError(`"${field}" has ${items.length} products; at most ${limit} are read`, field, 'Filter or limit the list before this node');
	return items.map((raw, i) => normalizeProduct(raw, `${field}[${i}]`, options));
}

export function normalizeProduct(raw: unknown, field: string, options: ProductListOptions = {}): Product {
	let item = obj(raw);
	if (!item) throw new InputError(`${field} must be a product object with at least a title`, field);
	// n8n items ({ json }) and Shopify's single-product response ({ product }).
	if (obj(item.json) && item.title === undefined && item.name === undefined) item = obj(item.json)!;
	if (obj(item.product) && item.title === undefined && item.name === undefined) item = obj(item.product)!;
	if (Array.isArray(item.variants) && (item.handle !== undefined || item.body_html !== undefined)) return shopifyProduct(item, field, options);
	if (item.permalink !== undefined || item.stock_status !== undefined || (item.name !== undefined && item.regular_price !== undefined)) {
		return wooProduct(item, field);
	}
	return plainProduct(item, field);
}

function title(item: Json, field: string): string {
	const text = optionalString(first(item.title, item.name, item.product_title, item.productTitle), `${field}.title`, 500);
	if (!text) throw new InputError(`${field} has no title (or name)`, `${field}.title`);
	return text;
}

function tagList(value: unknown): string[] | undefined {
	let tags: string[] = [];
	if (Array.isArray(value)) tags = value.map((t) => (typeof t === 'string' ? t : String(obj(t)?.name ?? obj(t)?.slug ?? ''))).map((t) => t.trim());
	else if (typeof value === 'string') tags = value.split(',').map((t) => t.trim());
	tags = tags.filter(Boolean);
	return tags.length > 0 ? tags : undefined;
}

function imageSrc(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	const image = obj(value);
	return image ? (first(image.src, image.url, image.originalSrc) as string | undefined) : undefined;
}

function stockNumber(value: unknown, field: string): number | undefined {
	if (isBlank(value)) return undefined;
	const n = typeof value === 'string' ? Number(value.trim()) : value;
	if (typeof n !== 'number' || !Number.isFinite(n)) throw new InputError(`"${field}" must be a number (got ${JSON.stringify(value)})`, field);
	return Math.trunc(n);
}

function setLinks(product: Product, image: unknown, url: unknown) {
	const imageUrl = safeHttpUrl(typeof image === 'string' ? image : undefined);
	if (imageUrl) product.imageUrl = imageUrl;
	const link = safeHttpUrl(typeof url === 'string' ? url : undefined);
	if (link) product.url = link;
}

function setPrices(product: Product, price: number | undefined, compareAt: number | undefined) {
	if (price !== undefined) product.price = price;
	if (compareAt !== undefined && (price === undefined || compareAt > price)) product.compareAtPrice = compareAt;
}

// ------------------------------------------------------------------ Shopify

function shopifyVariantAvailable(v: Json): boolean {
	if (typeof v.available === 'boolean') return v.available;
	if (v.inventory_management !== 'shopify' || v.inventory_policy === 'continue') return true;
	return Number(v.inventory_quantity ?? 0) > 0;
}

/** Shopify product (REST Admin API): the first variant that can be bought sets price, stock and image. */
function shopifyProduct(item: Json, field: string, options: ProductListOptions): Product {
	const product: Product = { title: title(item, field) };
	const id = optionalId(item.id, `${field}.id`);
	if (id) product.productId = id;
	const variants = (item.variants as unknown[]).map(obj).filter((v): v is Json => !!v);
	const variant = variants.find(shopifyVariantAvailable) ?? variants[0];
	if (variant) {
		const vid = optionalId(variant.id, `${field}.variants.id`);
		if (vid) product.variantId = vid;
		const sku = optionalString(variant.sku, `${field}.variants.sku`, 200);
		if (sku) product.sku = sku;
		setPrices(
			product,
			optionalMoney(variant.price, `${field}.variants.price`),
			optionalMoney(variant.compare_at_price, `${field}.variants.compare_at_price`),
		);
		if (variant.inventory_management === 'shopify' && variant.inventory_policy !== 'continue') {
			const stock = stockNumber(variant.inventory_quantity, `${field}.variants.inventory_quantity`);
			if (stock !== undefined) product.stock = Math.max(0, stock);
		}
	}
	const published = item.published_at === undefined || item.published_at !== null;
	const active = item.status === undefined || item.status === 'active';
	product.inStock = published && active && variants.some(shopifyVariantAvailable);
	const images = Array.isArray(item.images) ? (item.images as unknown[]).map(obj).filter((i): i is Json => !!i) : [];
	const variantImage = variant?.image_id !== undefined && variant.image_id !== null ? images.find((i) => String(i.id) === String(variant.image_id)) : undefined;
	const image = imageSrc(variantImage) ?? imageSrc(item.image) ?? imageSrc(images[0]) ?? imageSrc(item.featuredImage);
	const handle = optionalString(item.handle, `${field}.handle`, 300);
	const shop = safeHttpUrl(options.shopUrl);
	const url = first(item.onlineStoreUrl, item.url, handle && shop ? `${shop.replace(/\/+$/, '')}/products/${encodeURIComponent(handle)}` : undefined);
	setLinks(product, image, url);
	const type = optionalString(item.product_type, `${field}.product_type`, 200);
	if (type) product.productType = type;
	const vendor = optionalString(item.vendor, `${field}.vendor`, 200);
	if (vendor) product.vendor = vendor;
	const tags = tagList(item.tags);
	if (tags) product.tags = tags;
	return product;
}

// ------------------------------------------------------------------ WooCommerce

/** WooCommerce product (REST API v3): price, regular_price, stock_status, stock_quantity, images, permalink. */
function wooProduct(item: Json, field: string): Product {
	// WordPress stores names with HTML entities ("&ndash;", "&#8217;"): they are text here.
	const product: Product = { title: decodeEntities(title(item, field)) };
	const id = optionalId(item.id, `${field}.id`);
	if (id) product.productId = id;
	const sku = optionalString(item.sku, `${field}.sku`, 200);
	if (sku) product.sku = sku;
	setPrices(product, optionalMoney(first(item.price, item.sale_price, item.regular_price), `${field}.price`), optionalMoney(item.regular_price, `${field}.regular_price`));
	const status = typeof item.stock_status === 'string' ? item.stock_status : undefined;
	const published = item.status === undefined || item.status === 'publish';
	product.inStock = published && item.purchasable !== false && status !== 'outofstock';
	if (item.manage_stock !== false) {
		const stock = stockNumber(item.stock_quantity, `${field}.stock_quantity`);
		if (stock !== undefined && status !== 'onbackorder') product.stock = Math.max(0, stock);
	}
	const images = Array.isArray(item.images) ? (item.images as unknown[]) : [];
	setLinks(product, imageSrc(images[0]) ?? imageSrc(item.image), item.permalink);
	const categories = Array.isArray(item.categories) ? (item.categories as unknown[]).map(obj) : [];
	const type = optionalString(categories[0]?.name, `${field}.categories.name`, 200);
	if (type) product.productType = decodeEntities(type);
	const tags = tagList(item.tags);
	if (tags) product.tags = tags;
	return product;
}

// ------------------------------------------------------------------ plain

/**
 * Your own shape: title (or name), price, compareAtPrice (compare_at_price,
 * regular_price), imageUrl (image_url, image, images[0]), url (link, permalink),
 * productId (product_id, id), variantTitle, quantity, stock (inventory_quantity),
 * inStock (available), productType, vendor, tags, currency.
 */
function plainProduct(item: Json, field: string): Product {
	const product: Product = { title: title(item, field) };
	const id = optionalId(first(item.productId, item.product_id, item.id), `${field}.productId`);
	if (id) product.productId = id;
	const variantId = optionalId(first(item.variantId, item.variant_id), `${field}.variantId`);
	if (variantId) product.variantId = variantId;
	const sku = optionalString(item.sku, `${field}.sku`, 200);
	if (sku) product.sku = sku;
	const variantTitle = optionalString(first(item.variantTitle, item.variant_title, item.variant), `${field}.variantTitle`, 500);
	if (variantTitle) product.variantTitle = variantTitle;
	setPrices(
		product,
		optionalMoney(first(item.price, item.unit_price, item.unitPrice), `${field}.price`),
		optionalMoney(first(item.compareAtPrice, item.compare_at_price, item.regular_price, item.regularPrice), `${field}.compareAtPrice`),
	);
	const currency = parseCurrency(item.currency, `${field}.currency`);
	if (currency) product.currency = currency;
	if (!isBlank(first(item.quantity, item.qty))) product.quantity = parseQuantity(first(item.quantity, item.qty), `${field}.quantity`);
	const stock = stockNumber(first(item.stock, item.stockQuantity, item.stock_quantity, item.inventory_quantity, item.inventoryQuantity), `${field}.stock`);
	if (stock !== undefined) product.stock = Math.max(0, stock);
	const available = first(item.inStock, item.in_stock, item.available);
	if (typeof available === 'boolean') product.inStock = available;
	else if (typeof available === 'string' && /^(true|false)$/i.test(available)) product.inStock = available.toLowerCase() === 'true';
	const images = Array.isArray(item.images) ? (item.images as unknown[]) : [];
	setLinks(
		product,
		first(item.imageUrl, item.image_url, imageSrc(item.image), imageSrc(images[0])),
		first(item.url, item.link, item.permalink, item.productUrl, item.product_url),
	);
	const type = optionalString(first(item.productType, item.product_type, item.category, item.type), `${field}.productType`, 200);
	if (type) product.productType = type;
	const vendor = optionalString(first(item.vendor, item.brand), `${field}.vendor`, 200);
	if (vendor) product.vendor = vendor;
	const tags = tagList(item.tags);
	if (tags) product.tags = tags;
	return product;
}
