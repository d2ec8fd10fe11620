import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	accessoriesFor,
	enrichProducts,
	isOutOfStock,
	productFromLineItem,
	productSet,
	selectProducts,
	type Product,
} from '../../lib/domain/products';
import { normalizeProduct, normalizeProducts } from '../../lib/sources/products';

const payload = (path: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'payloads', path), 'utf8'));

describe('product lists: Shopify product JSON', () => {
	const shopify = payload('shopify/product.json');

	it('reads the documented sample ({ product }), linking to <shop>/products/<handle>', () => {
		expect(normalizeProducts(shopify, 'Products', { shopUrl: 'https://shop.example.com/' })).toEqual([
			{
				title: 'IPod Nano - 8GB',
				productId: '632910392',
				variantId: '808950810',
				sku: 'IPOD2008PINK',
				price: 199,
				inStock: true,
				imageUrl: 'http://static.shopify.com/s/files/1/6909/3384/products/ipod-nano.png?0',
				url: 'https://shop.example.com/products/ipod-nano',
				productType: 'Cult Products',
				vendor: 'Apple',
				tags: ['Emotive', 'Flash Memory', 'MP3', 'Music'],
			},
		]);
	});

	it('without a shop URL has no link, and "continue" variants have no stock count (they sell on)', () => {
		const [p] = normalizeProducts(shopify.product, 'Products');
		expect(p.url).toBeUndefined();
		expect(p.stock).toBeUndefined();
	});

	it('uses the first variant that can be bought, with its compare-at price and tracked stock (sample changed in code)', () => {
		const product = structuredClone(shopify.product);
		for (const v of product.variants) v.inventory_policy = 'deny';
		product.variants[0].inventory_quantity = 0;
		product.variants[1].inventory_quantity = 3;
		product.variants[1].compare_at_price = '249.00';
		product.variants[1].price = '179.00';
		const p = normalizeProduct(product, 'Products[0]');
		expect(p).toMatchObject({ variantId: '49148385', sku: 'IPOD2008RED', price: 179, compareAtPrice: 249, stock: 3, inStock: true });
		for (const v of product.variants) v.inventory_quantity = 0;
		const soldOut = normalizeProduct(product, 'Products[0]');
		expect(soldOut).toMatchObject({ inStock: false, stock: 0, variantId: '808950810' });
		expect(isOutOfStock(soldOut)).toBe(true);
	});

	it('treats drafts, archived and unpublished products as unavailable', () => {
		expect(normalizeProduct({ ...shopify.product, status: 'draft' }, 'p').inStock).toBe(false);
		expect(normalizeProduct({ ...shopify.product, status: 'archived' }, 'p').inStock).toBe(false);
		expect(normalizeProduct({ ...shopify.product, published_at: null }, 'p').inStock).toBe(false);
		expect(normalizeProduct({ ...shopify.product, status: 'active' }, 'p').inStock).toBe(true);
	});

	it('takes the variant image, then image.src, then the first image', () => {
		const product = structuredClone(shopify.product);
		product.images.push({ id: 1, src: 'https://cdn.example.com/pink.png' });
		product.variants[0].image_id = 1;
		expect(normalizeProduct(product, 'p').imageUrl).toBe('https://cdn.example.com/pink.png');
		delete product.variants[0].image_id;
		product.image = { src: 'https://cdn.example.com/main.png' };
		expect(normalizeProduct(product, 'p').imageUrl).toBe('https://cdn.example.com/main.png');
	});
});

describe('product lists: WooCommerce product JSON', () => {
	it('reads the documented "create a product" response', () => {
		expect(normalizeProduct(payload('woocommerce/product.json'), 'Products[0]')).toEqual({
			title: 'Premium Quality',
			productId: '794',
			price: 21.99,
			inStock: true,
			imageUrl: 'https://example.com/wp-content/uploads/2017/03/T_2_front-4.jpg',
			url: 'https://example.com/product/premium-quality-19/',
			productType: 'Clothing',
		});
	});

	it('reads the documented list, where a variable product has no price and cannot be bought yet', () => {
		const [variable, simple] = normalizeProducts(payload('woocommerce/products-list.json'), 'Products');
		// "purchasable": false in the sample: it is left out by the out-of-stock filter.
		expect(variable).toMatchObject({ title: 'Ship Your Idea', productId: '799', inStock: false, url: 'https://example.com/product/ship-your-idea-22/' });
		expect(variable.price).toBeUndefined();
		expect(simple.title).toBe('Premium Quality');
	});

	it('reads sale prices, stock and stock status, and decodes WordPress entities in names (sample changed in code)', () => {
		const base = payload('woocommerce/product.json');
		const sale = normalizeProduct({ ...base, name: 'Tom&#8217;s tee &ndash; black', price: '17.99', sale_price: '17.99', manage_stock: true, stock_quantity: 2 }, 'p');
		expect(sale).toMatchObject({ title: 'Tom\u2019s tee \u2013 black', price: 17.99, compareAtPrice: 21.99, stock: 2, inStock: true });
		expect(normalizeProduct({ ...base, stock_status: 'outofstock' }, 'p').inStock).toBe(false);
		expect(normalizeProduct({ ...base, status: 'draft' }, 'p').inStock).toBe(false);
		expect(normalizeProduct({ ...base, purchasable: false }, 'p').inStock).toBe(false);
		expect(normalizeProduct({ ...base, stock_status: 'onbackorder', manage_stock: true, stock_quantity: -3 }, 'p')).toMatchObject({ inStock: true });
		expect(normalizeProduct({ ...base, stock_status: 'onbackorder', manage_stock: true, stock_quantity: -3 }, 'p').stock).toBeUndefined();
	});
});

describe('product lists: plain shape and n8n items', () => {
	it('reads title, price, compare-at, image, link, stock and the rest', () => {
		expect(
			normalizeProduct(
				{
					name: 'Mug',
					price: '12.50',
					compare_at_price: 15,
					image: { url: 'https://cdn.example.com/mug.png' },
					link: 'https://shop.example.com/mug',
					id: 7,
					variant: 'Blue',
					stock: '4',
					available: 'true',
					category: 'Kitchen',
					brand: 'Acme',
					tags: 'gift, blue',
					currency: 'eur',
					qty: '2',
				},
				'p',
			),
		).toEqual({
			title: 'Mug',
			productId: '7',
			variantTitle: 'Blue',
			price: 12.5,
			compareAtPrice: 15,
			currency: 'EUR',
			quantity: 2,
			stock: 4,
			inStock: true,
			imageUrl: 'https://cdn.example.com/mug.png',
			url: 'https://shop.example.com/mug',
			productType: 'Kitchen',
			vendor: 'Acme',
			tags: ['gift', 'blue'],
		});
	});

	it('unwraps n8n items ({ json }), a { products } object and JSON text', () => {
		const list = [{ json: { title: 'A', price: 1 } }, { json: { title: 'B', price: 2 } }];
		expect(normalizeProducts(list, 'Products').map((p) => p.title)).toEqual(['A', 'B']);
		expect(normalizeProducts({ products: list }, 'Products')).toHaveLength(2);
		expect(normalizeProducts(JSON.stringify(list.map((i) => i.json)), 'Products')).toHaveLength(2);
		expect(normalizeProducts({ title: 'Only one' }, 'Products')).toHaveLength(1);
		expect(normalizeProducts(undefined, 'Products')).toEqual([]);
	});

	it('drops links that are not http(s), keeping the product', () => {
		const p = normalizeProduct({ title: 'x', imageUrl: 'javascript:alert(1)', url: 'data:text/html,hi' }, 'p');
		expect(p.imageUrl).toBeUndefined();
		expect(p.url).toBeUndefined();
	});

	it('names the item and field of bad input', () => {
		expect(() => normalizeProducts([{ title: 'ok' }, { price: 3 }], 'Products')).toThrow('Products[1] has no title (or name)');
		expect(() => normalizeProducts([{ title: 'x', price: 'abc' }], 'Products')).toThrow('"Products[0].price" is not a number');
		expect(() => normalizeProducts('{not json', 'Products')).toThrow('"Products" is text that is not JSON');
		expect(() => normalizeProducts([42], 'Products')).toThrow('Products[0] must be a product object');
		expect(() => normalizeProducts(Array.from({ length: 3 }, () => ({ title: 'x' })), 'Products', { limit: 2 })).toThrow('at most 2 are read');
	});
});

describe('filters', () => {
	const p = (title: string, extra: Partial<Product> = {}): Product => ({ title, price: 10, imageUrl: `https://cdn.example.com/${title}.png`, ...extra });

	it('leaves out sold-out, image-less, bought and basis products, and stops at Max Products', () => {
		const candidates = [
			p('basis', { productId: '1' }),
			p('bought', { productId: '2' }),
			p('sold out', { productId: '3', inStock: false }),
			p('zero stock', { productId: '4', stock: 0 }),
			p('no image', { productId: '5', imageUrl: undefined }),
			p('ok 1', { productId: '6' }),
			p('ok 1 again', { productId: '6' }),
			p('ok 2', { sku: 'S-7' }),
			p('ok 3'),
		];
		const result = selectProducts(candidates, {
			excludeOutOfStock: true,
			excludeWithoutImage: true,
			bought: productSet([], ['2']),
			trigger: productSet([{ productId: '1', title: 'basis' }]),
			max: 2,
		});
		expect(result.products.map((x) => x.title)).toEqual(['ok 1', 'ok 2']);
		expect(result.leftOut).toEqual({ triggerItem: 1, alreadyBought: 1, outOfStock: 2, noImage: 1, duplicate: 1, overLimit: 1 });
	});

	it('keeps what the switches allow, and cart lines of two variants of one product', () => {
		const lines = [p('Tee', { productId: '1', variantId: 'a', imageUrl: undefined }), p('Tee', { productId: '1', variantId: 'b', inStock: false })];
		const result = selectProducts(lines, { excludeOutOfStock: false, excludeWithoutImage: false, byVariant: true, max: 6 });
		expect(result.products).toHaveLength(2);
		expect(result.leftOut).toEqual({});
	});

	it('matches bought products by id, SKU, or title when neither is known', () => {
		const set = productSet([{ productId: '9', title: 'x' }, { sku: 'S', title: 'y' }, { title: 'Blue  Mug' }]);
		expect(selectProducts([p('a', { productId: '9' }), p('b', { sku: 'S' }), p('blue mug'), p('Blue Mug', { productId: '10' })], { excludeOutOfStock: true, excludeWithoutImage: true, bought: set, max: 6 }).products.map((x) => x.title)).toEqual(['Blue Mug']);
	});
});

describe('catalog enrichment and accessories', () => {
	it('fills images, links, stock and compare-at prices by id, SKU or URL, keeping the cart price', () => {
		const cart = [productFromLineItem({ productId: '632910392', title: 'IPod Nano - 8GB', quantity: 1, price: 199, imageUrl: 'javascript:x' }, 'USD'), productFromLineItem({ sku: 'S-2', title: 'Case', quantity: 2, price: 20 })];
		expect(cart[0].imageUrl).toBeUndefined();
		const catalog = [
			{ productId: '632910392', title: 'IPod', price: 150, compareAtPrice: 249, imageUrl: 'https://cdn.example.com/ipod.png', url: 'https://shop.example.com/products/ipod-nano', stock: 2, inStock: true },
			{ sku: 'S-2', title: 'Case', inStock: false },
		];
		const [ipod, caseItem] = enrichProducts(cart, catalog);
		expect(ipod).toMatchObject({ price: 199, compareAtPrice: 249, imageUrl: 'https://cdn.example.com/ipod.png', url: 'https://shop.example.com/products/ipod-nano', stock: 2, quantity: 1, currency: 'USD' });
		expect(caseItem.inStock).toBe(false);
		expect(enrichProducts(cart, [])).toBe(cart);
	});

	it('collects the accessories of every matching rule in order', () => {
		const lens = { title: 'Lens cloth' };
		const bag = { title: 'Camera bag' };
		const card = { title: 'Gift card' };
		const rules = [
			{ matchBy: 'productType' as const, values: ['cameras'], accessories: [bag, lens] },
			{ matchBy: 'tag' as const, values: ['Travel'], accessories: [lens] },
			{ matchBy: 'productId' as const, values: ['99'], accessories: [card] },
			{ matchBy: 'any' as const, values: [], accessories: [card] },
		];
		expect(accessoriesFor([{ title: 'X100', productType: 'Cameras', tags: ['travel'] }], rules)).toEqual([bag, lens, lens, card]);
		expect(accessoriesFor([{ title: 'Y', productId: '99' }], rules.slice(0, 3))).toEqual([card]);
		expect(accessoriesFor([{ title: 'Y', sku: '99' }], rules.slice(2, 3))).toEqual([card]);
		expect(accessoriesFor([], rules)).toEqual([]);
	});
});
