/** Where a block's products come from: the store (carts, orders, history) or the input. */
import { InputError } from '../../lib/domain/errors';
import { decodeEntities } from '../../lib/domain/htmlSafety';
import { accessoriesFor, productFromLineItem, type AccessoryRule, type Product } from '../../lib/domain/products';
import type { ProductSource } from '../../lib/domain/productBlock';
import type { ContactDetails, ContactProfile, ContactStore, StoredCart, StoredOrder } from '../../lib/store';

export type BasedOn = 'latestOrder' | 'openCart' | 'allPurchases' | 'productIds';

export interface SourceRequest {
	source: ProductSource;
	email?: string;
	now: number;
	/** Product List: already normalized. */
	inputProducts?: Product[];
	cartId?: string;
	orderId?: string;
	basedOn?: BasedOn;
	basisProductIds?: string[];
	accessoryRules?: AccessoryRule[];
	/** How many candidates to ask the store for (bought together). */
	candidateLimit: number;
	includePurchased: boolean;
}

export interface Gathered {
	candidates: Product[];
	/** What a recommendation is based on (left out of it by default). */
	basis?: Product[];
	basisTitle?: string;
	/** The cart's recovery link. */
	buttonUrl?: string;
	currency?: string;
	contact?: ContactProfile;
	/** The contact is not in the store (store-backed sources). */
	contactMissing?: boolean;
	/** Why there is nothing to start from (no open cart, no order…). */
	nothing?: string;
}

/** An order's lines as products; WooCommerce names carry HTML entities, decoded to text. */
function orderProducts(order: StoredOrder): Product[] {
	return order.lineItems.map((i) => {
		const product = productFromLineItem(i, order.currency);
		if (order.source === 'woocommerce') {
			product.title = decodeEntities(product.title);
			if (product.variantTitle) product.variantTitle = decodeEntities(product.variantTitle);
		}
		return product;
	});
}

function latestOpenCart(carts: StoredCart[], cartId?: string): StoredCart | undefined {
	if (cartId) return carts.find((c) => c.cartId === cartId);
	return carts.find((c) => c.convertedAt === null);
}

function pickOrder(orders: StoredOrder[], orderId?: string): StoredOrder | undefined {
	if (orderId) return orders.find((o) => o.orderId === orderId || o.orderNumber === orderId || o.orderNumber === `#${orderId}`);
	let latest: StoredOrder | undefined;
	for (const o of orders) if (!latest || Date.parse(o.placedAt) >= Date.parse(latest.placedAt)) latest = o;
	return latest;
}

function requireEmailFor(request: SourceRequest): string {
	if (!request.email) {
		throw new InputError('"Email" is empty: this source needs the contact\'s email', 'Email', 'Map the contact\'s email, e.g. {{ $json.contact.email }}');
	}
	return request.email;
}

async function details(store: ContactStore, request: SourceRequest, include: Array<'carts' | 'orders'>): Promise<ContactDetails | null> {
	return await store.getContactDetails(requireEmailFor(request), include, request.now);
}

/** The basis of a recommendation: the contact's latest order, open cart, all purchases, or given ids. */
async function basisProducts(store: ContactStore, request: SourceRequest, gathered: Gathered): Promise<Product[] | undefined> {
	const basedOn = request.basedOn ?? 'latestOrder';
	if (basedOn === 'productIds') {
		const ids = request.basisProductIds ?? [];
		if (ids.length === 0) throw new InputError('"Product IDs" is empty', 'Product IDs', 'Give the IDs of the products to recommend for, separated by commas');
		if (request.email) gathered.contact = (await store.getContact(request.email, request.now)) ?? undefined;
		return ids.map((productId) => ({ productId, title: productId }));
	}
	const include: Array<'carts' | 'orders'> = basedOn === 'openCart' ? ['carts'] : ['orders'];
	const found = await details(store, request, include);
	if (!found) {
		gathered.contactMissing = true;
		return undefined;
	}
	gathered.contact = found.contact;
	if (basedOn === 'openCart') {
		const cart = latestOpenCart(found.carts ?? [], request.cartId);
		if (!cart) {
			gathered.nothing = 'no open cart';
			return undefined;
		}
		gathered.currency = cart.currency;
		return cart.items.map((i) => productFromLineItem(i, cart.currency));
	}
	const orders = found.orders ?? [];
	if (basedOn === 'latestOrder') {
		const order = pickOrder(orders, request.orderId);
		if (!order) {
			gathered.nothing = 'no order';
			return undefined;
		}
		gathered.currency = order.currency;
		return orderProducts(order);
	}
	if (orders.length === 0) {
		gathered.nothing = 'no order';
		return undefined;
	}
	gathered.currency = orders[orders.length - 1].currency;
	// Most recent first, so the subject names what they bought last.
	return [...orders].reverse().flatMap(orderProducts);
}

export async function gatherProducts(getStore: () => Promise<ContactStore>, request: SourceRequest): Promise<Gathered> {
	const gathered: Gathered = { candidates: [] };
	switch (request.source) {
		case 'cart': {
			const found = await details(await getStore(), request, ['carts']);
			if (!found) return { ...gathered, contactMissing: true };
			gathered.contact = found.contact;
			const cart = latestOpenCart(found.carts ?? [], request.cartId);
			if (!cart) return { ...gathered, nothing: request.cartId ? `no cart "${request.cartId}"` : 'no open cart' };
			gathered.candidates = cart.items.map((i) => productFromLineItem(i, cart.currency));
			gathered.currency = cart.currency;
			if (cart.recoveryUrl) gathered.buttonUrl = cart.recoveryUrl;
			return gathered;
		}
		case 'order': {
			const found = await details(await getStore(), request, ['orders']);
			if (!found) return { ...gathered, contactMissing: true };
			gathered.contact = found.contact;
			const order = pickOrder(found.orders ?? [], request.orderId);
			if (!order) return { ...gathered, nothing: request.orderId ? `no order "${request.orderId}"` : 'no order' };
			gathered.candidates = orderProducts(order);
			gathered.currency = order.currency;
			return gathered;
		}
		case 'input': {
			gathered.candidates = request.inputProducts ?? [];
			if (request.email) gathered.contact = (await (await getStore()).getContact(request.email, request.now)) ?? undefined;
			return gathered;
		}
		case 'accessories': {
			const store = await getStore();
			const basis = await basisProducts(store, request, gathered);
			if (!basis) return gathered;
			gathered.basis = basis;
			gathered.basisTitle = basis.find((p) => p.title !== p.productId)?.title;
			gathered.candidates = accessoriesFor(basis, request.accessoryRules ?? []);
			return gathered;
		}
		case 'crossSell': {
			const store = await getStore();
			const basedOn = request.basedOn ?? 'allPurchases';
			if (basedOn === 'allPurchases') {
				// The store takes the contact's own recent purchases as the basis.
				const email = requireEmailFor(request);
				gathered.contact = (await store.getContact(email, request.now)) ?? undefined;
				if (!gathered.contact) return { ...gathered, contactMissing: true };
				gathered.currency = gathered.contact.currency ?? undefined;
				gathered.candidates = (
					await store.productsBoughtTogether({ email, limit: request.candidateLimit, includePurchased: request.includePurchased })
				).map(toProduct);
				return gathered;
			}
			const basis = await basisProducts(store, request, gathered);
			if (!basis) return gathered;
			gathered.basis = basis;
			gathered.basisTitle = basis.find((p) => p.title !== p.productId)?.title;
			const productIds = basis.map((p) => p.productId).filter((id): id is string => !!id);
			if (productIds.length === 0) return { ...gathered, nothing: 'no product IDs to match' };
			gathered.candidates = (
				await store.productsBoughtTogether({
					...(request.email ? { email: request.email } : {}),
					productIds,
					limit: request.candidateLimit,
					includePurchased: request.includePurchased,
				})
			).map(toProduct);
			return gathered;
		}
	}
}

function toProduct(p: Awaited<ReturnType<ContactStore['productsBoughtTogether']>>[number]): Product {
	const product: Product = productFromLineItem({ ...p, quantity: 1 }, p.currency);
	delete product.quantity;
	product.boughtTogether = p.orders;
	return product;
}
