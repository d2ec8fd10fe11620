// Deterministic store traffic for the queue-mode scale test: synthetic customers who visit the
// site, start and update checkouts, and place paid orders, as the Shopify webhooks and the site
// snippet of the recipes deliver them — plus exact duplicates (same payload, same ids: a store's
// webhook retries) — and what the contact store and the SMTP server must hold afterwards,
// computed from the events alone (never from the store).
//
// Recipes driven (tests/support/recipes.ts entries):
// - 16 Site-visit score (its own webhook `ecommerce-site-visit-score`): site visits;
// - 01 First-time abandoned cart: checkouts/create and checkouts/update ("Checkout started",
//   "Checkout updated") and orders/create ("Order placed"); its sweep is run by the test;
// - 09 Tiered loyalty and 11 Coupon after first purchase: orders/paid ("Order paid"), each order
//   delivered to both, as Shopify does for two webhook subscriptions;
// - 21 Unpaid order reminder: WooCommerce order.created and order.updated ("WooCommerce order
//   created", "WooCommerce order updated"): each order in up to three versions (pending, paid,
//   completed or cancelled) that the workers may record in any order — the latest must win.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, any>;

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;

export const SUBJECTS = {
	thankYou: 'Thank you for your first order: 15% off your next one',
	silver: "You're Silver now: 10% off your next order",
	gold: 'Welcome to Gold: 15% off + free shipping',
	cart: 'You left something behind (and here is 10% off)',
} as const;

export type Target = 'visit' | 'checkoutStarted' | 'checkoutUpdated' | 'orderPlaced' | 'orderPaidLoyalty' | 'orderPaidCoupon' | 'wooCreated' | 'wooUpdated';

export interface Delivery {
	target: Target;
	body: Json;
	/** Index of the event in the unique list; a duplicate carries its original's. */
	event: number;
	duplicate: boolean;
}

export interface ExpectedCart {
	cartId: string;
	valueCents: number;
	updatedAt: number;
	converted: boolean;
}

export interface ExpectedOrder {
	source: 'shopify' | 'woocommerce';
	orderId: string;
	/** The latest version's state. */
	status: string;
	financialStatus: string;
	counted: boolean;
}

export interface ExpectedContact {
	email: string;
	subscribed: boolean;
	orderCount: number;
	spentCents: number;
	firstPurchaseAt: number | null;
	/** Loyalty points (recipe 09: 1 point per whole currency unit of each order) and the tier they give. */
	loyaltyPoints: number | null;
	loyaltyTier: 'Bronze' | 'Silver' | 'Gold' | null;
	siteVisits: number;
	/** Lead points (recipe 16: 10 per product-page visit in the last 30 days, at most 10 visits). */
	leadPoints: number | null;
	carts: ExpectedCart[];
	orders: ExpectedOrder[];
	/** Subjects of the emails this contact must get, each exactly once. */
	emails: string[];
}

export interface ScalePlan {
	deliveries: Delivery[];
	unique: number;
	duplicates: number;
	customers: number;
	byTarget: Record<Target, number>;
	orders: number;
	carts: number;
	visits: number;
	/** The reference time of the abandoned-cart sweep (recipe 01's Schedule Trigger). */
	sweepAt: number;
	contacts: Map<string, ExpectedContact>;
}

/** mulberry32: a small seeded PRNG, so every run sends the same traffic. */
function random(seed: number) {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	return {
		next,
		int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
		chance: (p: number) => next() < p,
		pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)],
	};
}

const PAYLOADS = join(__dirname, '..', 'fixtures', 'payloads', 'shopify');
const fixture = (name: string): Json => JSON.parse(readFileSync(join(PAYLOADS, name), 'utf8'));

const PRODUCTS = [
	{ id: 9001, title: 'Pour-over Kettle', handle: 'pour-over-kettle', cents: 5900 },
	{ id: 9002, title: 'Paper Filters', handle: 'paper-filters', cents: 650 },
	{ id: 9003, title: 'Coffee Scale', handle: 'coffee-scale', cents: 3400 },
	{ id: 9004, title: 'Ceramic Dripper', handle: 'ceramic-dripper', cents: 2800 },
	{ id: 9005, title: 'Travel Mug', handle: 'travel-mug', cents: 1900 },
	{ id: 9006, title: 'Espresso Grinder', handle: 'espresso-grinder', cents: 14900 },
	{ id: 9007, title: 'Milk Frother', handle: 'milk-frother', cents: 3950 },
	{ id: 9008, title: 'Espresso Machine', handle: 'espresso-machine', cents: 104900 },
];
const OTHER_PAGES = ['/', '/collections/coffee', '/collections/gear', '/pages/about', '/blogs/news/brewing-guide'];

interface Line {
	product: (typeof PRODUCTS)[number];
	quantity: number;
}

const money = (cents: number) => (cents / 100).toFixed(2);
const linesCents = (lines: Line[]) => lines.reduce((sum, l) => sum + l.product.cents * l.quantity, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Generates `total` deliveries (a `duplicateRate` share of them exact duplicates of others) and
 * the expected end state. `now` is the real time of the run: site visits lie in the 20 days
 * before it (recipe 16 counts visits of the last 30 days at the real clock); checkouts and the
 * orders that convert them lie in the daytime (UTC) of the day before, and the cart sweep runs at
 * 19:00 that day; other orders lie in the daytime of the 25 days before that. Daytime, so that
 * no email is held back by quiet hours (the recipes' workflows run with GENERIC_TIMEZONE=UTC).
 */
export function generateStoreEvents(options: { total: number; now: number; duplicateRate?: number; seed?: number }): ScalePlan {
	const rng = random(options.seed ?? 20_260_301);
	const duplicates = Math.round(options.total * (options.duplicateRate ?? 0.1));
	const uniqueTarget = options.total - duplicates;
	const day0 = Math.floor((options.now - DAY) / DAY) * DAY; // 00:00 UTC of the day before
	const sweepAt = day0 + 19 * HOUR;
	const orderTemplate = fixture('orders-create.json');
	const wooTemplate: Json = JSON.parse(readFileSync(join(PAYLOADS, '..', 'woocommerce', 'order-created.json'), 'utf8'));
	const checkoutTemplate = fixture('checkouts-create.json');
	const lineTemplate = orderTemplate.line_items[0];
	const checkoutLineTemplate = checkoutTemplate.line_items[0];

	const unique: Array<Omit<Delivery, 'event' | 'duplicate'>> = [];
	const contacts = new Map<string, ExpectedContact>();
	let nextId = 7_000_000;
	let orders = 0;
	let carts = 0;
	let visits = 0;

	const shopLines = (template: Json, lines: Line[]) =>
		lines.map((l) => ({
			...template,
			id: nextId++,
			admin_graphql_api_id: undefined,
			product_id: l.product.id,
			variant_id: l.product.id * 10,
			title: l.product.title,
			name: l.product.title,
			variant_title: null,
			price: money(l.product.cents),
			sku: `SKU-${l.product.id}`,
			quantity: l.quantity,
		}));

	const randomLines = (maxCents: number): Line[] => {
		const lines: Line[] = [];
		const count = rng.int(1, 3);
		for (let i = 0; i < count; i++) {
			const affordable = PRODUCTS.filter((p) => p.cents <= maxCents - linesCents(lines) && !lines.some((l) => l.product.id === p.id));
			if (affordable.length === 0) break;
			lines.push({ product: rng.pick(affordable), quantity: 1 });
		}
		if (lines.length === 0) lines.push({ product: PRODUCTS[1], quantity: 1 });
		return lines;
	};

	let index = 0;
	while (unique.length < uniqueTarget) {
		index++;
		const email = `c${String(index).padStart(5, '0')}@scale.test`;
		const firstName = `Cust${index}`;
		const subscribed = rng.chance(0.85);
		const customerId = 8_000_000 + index;
		const customer = (base: Json) => ({
			...base,
			id: customerId,
			email,
			first_name: firstName,
			last_name: 'Scale',
			email_marketing_consent: { state: subscribed ? 'subscribed' : 'not_subscribed', opt_in_level: 'single_opt_in', consent_updated_at: null },
		});
		const expected: ExpectedContact = {
			email,
			subscribed,
			orderCount: 0,
			spentCents: 0,
			firstPurchaseAt: null,
			loyaltyPoints: null,
			loyaltyTier: null,
			siteVisits: 0,
			leadPoints: null,
			carts: [],
			orders: [],
			emails: [],
		};
		const events: Array<Omit<Delivery, 'event' | 'duplicate'>> = [];
		const roll = rng.next();
		const kind = roll < 0.33 ? 'visitor' : roll < 0.5 ? 'cartOnly' : roll < 0.58 ? 'wooBuyer' : 'buyer';

		// ---- site visits (every kind may visit; a few visit a lot: the 10-visit cap)
		const visitCount = kind === 'visitor' ? (rng.chance(0.1) ? rng.int(8, 14) : rng.int(1, 4)) : rng.int(0, 3);
		let productVisits = 0;
		const seen = new Set<number>();
		for (let v = 0; v < visitCount; v++) {
			let at = options.now - rng.int(1, 20 * 24) * HOUR - rng.int(0, 59) * MINUTE;
			while (seen.has(at)) at += 1000;
			seen.add(at);
			const product = rng.chance(0.6);
			const path = product ? `/products/${rng.pick(PRODUCTS).handle}` : rng.pick(OTHER_PAGES);
			if (product) productVisits++;
			events.push({ target: 'visit', body: { email, url: `https://shop.example.com${path}`, visitedAt: iso(at) } });
		}
		expected.siteVisits = visitCount;
		if (visitCount > 0) expected.leadPoints = 10 * Math.min(productVisits, 10);

		// ---- checkouts: checkouts/create, then 0-2 checkouts/update with later times
		const checkout = (token: string, startAt: number, versions: number): { lastAt: number; token: string } => {
			let lines = randomLines(30_000);
			let at = startAt;
			let valueCents = 0;
			for (let v = 0; v <= versions; v++) {
				if (v > 0) {
					at += rng.int(3, 20) * MINUTE;
					if (rng.chance(0.5) || lines.length === 1) lines = [...lines.filter((l) => l.product.id !== PRODUCTS[4].id), { product: PRODUCTS[4], quantity: v + 1 }];
					else lines = lines.slice(1);
				}
				valueCents = linesCents(lines);
				events.push({
					target: v === 0 ? 'checkoutStarted' : 'checkoutUpdated',
					body: {
						...checkoutTemplate,
						token,
						cart_token: `cart-${token}`,
						email,
						created_at: iso(startAt),
						updated_at: iso(at),
						completed_at: null,
						buyer_accepts_marketing: subscribed,
						customer: customer(checkoutTemplate.customer),
						abandoned_checkout_url: `https://shop.example.com/checkouts/${token}/recover?key=k-${token}`,
						line_items: shopLines(checkoutLineTemplate, lines),
						total_price: money(valueCents),
					},
				});
			}
			expected.carts.push({ cartId: token, valueCents, updatedAt: at, converted: false });
			carts++;
			return { lastAt: at, token };
		};
		// Checkouts start between 10:00 and 16:00 UTC the day before; updates follow within the hour.
		const checkoutStart = () => day0 + 10 * HOUR + rng.int(0, 6 * 60) * MINUTE;

		// ---- orders: delivered as orders/paid to recipes 09 and 11; one that completes a checkout
		// also as orders/create to recipe 01 (the same payload: a card payment is paid at once).
		const order = (lines: Line[], placedAt: number, checkoutToken: string | null) => {
			const id = nextId++;
			const cents = linesCents(lines);
			const body = {
				...orderTemplate,
				id,
				admin_graphql_api_id: `gid://shopify/Order/${id}`,
				name: `#${id}`,
				order_number: id,
				number: id,
				email,
				contact_email: email,
				created_at: iso(placedAt),
				processed_at: iso(placedAt),
				updated_at: iso(placedAt + 2 * MINUTE),
				financial_status: 'paid',
				fulfillment_status: null,
				cancelled_at: null,
				cancel_reason: null,
				closed_at: null,
				test: false,
				checkout_token: checkoutToken,
				cart_token: null,
				buyer_accepts_marketing: subscribed,
				customer: customer(orderTemplate.customer),
				line_items: shopLines(lineTemplate, lines),
				total_price: money(cents),
				subtotal_price: money(cents),
				current_total_price: money(cents),
				total_line_items_price: money(cents),
			};
			events.push({ target: 'orderPaidLoyalty', body });
			events.push({ target: 'orderPaidCoupon', body });
			if (checkoutToken) {
				events.push({ target: 'orderPlaced', body });
				const cart = expected.carts.find((c) => c.cartId === checkoutToken)!;
				cart.converted = true;
			}
			orders++;
			expected.orders.push({ source: 'shopify', orderId: String(id), status: 'open', financialStatus: 'paid', counted: true });
			expected.orderCount++;
			expected.spentCents += cents;
			expected.loyaltyPoints = (expected.loyaltyPoints ?? 0) + Math.floor(cents / 100);
			expected.firstPurchaseAt = expected.firstPurchaseAt === null ? placedAt : Math.min(expected.firstPurchaseAt, placedAt);
		};
		// Other orders: 10:00 to 18:00 UTC on one of the 25 days before.
		const pastOrderTime = () => day0 - rng.int(1, 25) * DAY + 10 * HOUR + rng.int(0, 8 * 60) * MINUTE;

		// ---- WooCommerce orders (recipe 21): order.created, then order.updated for each change; the
		// versions are one or more minutes apart (date_modified has whole seconds).
		const wooOrder = (placedAt: number, statuses: string[]) => {
			const id = nextId++;
			const lines = randomLines(20_000);
			const cents = linesCents(lines);
			const gmt = (ms: number) => iso(ms).slice(0, 19);
			let at = placedAt;
			statuses.forEach((status, v) => {
				if (v > 0) at += rng.int(1, 90) * MINUTE;
				const paid = status === 'processing' || status === 'completed';
				events.push({
					target: v === 0 ? 'wooCreated' : 'wooUpdated',
					body: {
						...wooTemplate,
						id,
						number: String(id),
						order_key: `wc_order_${id}`,
						status,
						currency: 'EUR',
						date_created: gmt(placedAt),
						date_created_gmt: gmt(placedAt),
						date_modified: gmt(at),
						date_modified_gmt: gmt(at),
						date_paid: paid ? gmt(placedAt + MINUTE) : null,
						date_paid_gmt: paid ? gmt(placedAt + MINUTE) : null,
						date_completed: status === 'completed' ? gmt(at) : null,
						date_completed_gmt: status === 'completed' ? gmt(at) : null,
						customer_id: 0,
						cart_hash: '',
						total: money(cents),
						billing: { ...wooTemplate.billing, email, first_name: firstName, last_name: 'Scale' },
						line_items: lines.map((l, i) => ({ ...wooTemplate.line_items[0], id: id * 10 + i, name: l.product.title, product_id: l.product.id, quantity: l.quantity, price: l.product.cents / 100, subtotal: money(l.product.cents), total: money(l.product.cents), sku: `SKU-${l.product.id}` })),
						_links: { self: [{ href: `https://example.com/wp-json/wc/v3/orders/${id}` }], collection: [{ href: 'https://example.com/wp-json/wc/v3/orders' }] },
					},
				});
			});
			const final = statuses[statuses.length - 1];
			const counted = final !== 'cancelled';
			const financialStatus = final === 'processing' || final === 'completed' ? 'paid' : 'pending';
			expected.orders.push({ source: 'woocommerce', orderId: String(id), status: final, financialStatus, counted });
			orders++;
			if (counted) {
				expected.orderCount++;
				expected.spentCents += cents;
				expected.firstPurchaseAt = expected.firstPurchaseAt === null ? placedAt : Math.min(expected.firstPurchaseAt, placedAt);
			}
		};

		if (kind === 'wooBuyer') {
			for (let k = rng.int(1, 2); k > 0; k--) {
				const story = rng.pick([
					['pending', 'processing', 'completed'],
					['pending', 'processing', 'cancelled'],
					['pending', 'cancelled'],
					['processing', 'completed'],
					['pending', 'processing'],
				]);
				wooOrder(pastOrderTime(), story);
			}
		} else if (kind === 'cartOnly') {
			const count = rng.chance(0.7) ? 1 : 2;
			for (let k = 0; k < count; k++) checkout(`ck${index}x${k}`, checkoutStart(), rng.int(0, 2));
		} else if (kind === 'buyer') {
			// Loyalty totals chosen so that the tier emails do not depend on the order in which
			// concurrent executions happen to run: below 500 points no reward; 500-999: Silver once;
			// Gold buyers place one order of 1,000+ and small ones adding up to less than 500 (so no
			// set of their orders lands in Silver): Gold once, never Silver.
			const tier = rng.next();
			const plans: Line[][] = [];
			if (tier < 0.55) {
				for (let k = rng.int(1, 3); k > 0; k--) plans.push(randomLines(15_000));
				while (plans.reduce((s, p) => s + linesCents(p), 0) >= 50_000) plans.pop();
			} else if (tier < 0.85) {
				const target = rng.int(52_000, 95_000);
				let sum = 0;
				while (sum < 50_000 || plans.length === 0) {
					const lines = randomLines(Math.min(40_000, target - sum));
					if (linesCents(lines) + sum >= 100_000) break;
					plans.push(lines);
					sum += linesCents(lines);
				}
				if (sum < 50_000) plans.push([{ product: PRODUCTS[5], quantity: Math.ceil((50_000 - sum) / PRODUCTS[5].cents) }]);
			} else {
				plans.push([{ product: PRODUCTS[7], quantity: 1 }, ...(rng.chance(0.5) ? [{ product: PRODUCTS[2], quantity: 1 }] : [])]);
				for (let k = rng.int(0, 2); k > 0; k--) plans.push([{ product: rng.pick(PRODUCTS.slice(0, 5)), quantity: 1 }]);
			}
			// Some buyers complete a checkout with their order; some also leave another cart open.
			const converting = rng.chance(0.3);
			plans.forEach((lines, k) => {
				if (k === 0 && converting) {
					const started = checkout(`ck${index}x0`, checkoutStart(), rng.int(0, 2));
					order(lines, started.lastAt + rng.int(5, 50) * MINUTE, started.token);
				} else {
					order(lines, pastOrderTime(), null);
				}
			});
			if (rng.chance(0.1)) checkout(`ck${index}x9`, checkoutStart(), rng.int(0, 1));
		}

		if (events.length === 0) continue;
		if (unique.length + events.length > uniqueTarget) {
			// The last customer: only as many visits as fit, so the total is exact.
			const room = uniqueTarget - unique.length;
			const fill: typeof events = [];
			const seenFill = new Set<number>();
			for (let v = 0; v < room; v++) {
				let at = options.now - (v + 1) * HOUR;
				while (seenFill.has(at)) at += 1000;
				seenFill.add(at);
				fill.push({ target: 'visit', body: { email, url: 'https://shop.example.com/pages/about', visitedAt: iso(at) } });
			}
			contacts.set(email, { ...expected, orderCount: 0, spentCents: 0, firstPurchaseAt: null, loyaltyPoints: null, carts: [], orders: [], siteVisits: room, leadPoints: 0 });
			visits += room;
			unique.push(...fill);
			break;
		}
		visits += visitCount;
		if (expected.loyaltyPoints !== null) expected.loyaltyTier = expected.loyaltyPoints >= 1000 ? 'Gold' : expected.loyaltyPoints >= 500 ? 'Silver' : 'Bronze';
		contacts.set(email, expected);
		unique.push(...events);
	}
	// The last customer may have been cut down to visits: recount what it kept.
	orders = [...contacts.values()].reduce((s, c) => s + c.orders.length, 0);
	carts = [...contacts.values()].reduce((s, c) => s + c.carts.length, 0);

	// ---- the emails each contact must get (exactly once)
	for (const c of contacts.values()) {
		if (!c.subscribed) continue;
		if (c.orders.some((o) => o.source === 'woocommerce')) continue; // recipe 21 mails only from its sweep
		if (c.orderCount > 0) {
			c.emails.push(SUBJECTS.thankYou);
			if (c.loyaltyTier === 'Silver') c.emails.push(SUBJECTS.silver);
			if (c.loyaltyTier === 'Gold') c.emails.push(SUBJECTS.gold);
		} else if (c.carts.length === 1 && !c.carts[0].converted) {
			// Recipe 01: a first-time abandoner (exactly one abandoned cart) who never bought.
			c.emails.push(SUBJECTS.cart);
		}
	}

	// ---- send order: shuffled; duplicates of distinct events, half right behind their original
	// (in flight at the same time), half later on.
	const keyed = unique.map((d, i) => ({ key: 0, d: { ...d, event: i, duplicate: false } as Delivery }));
	for (let i = keyed.length - 1; i > 0; i--) {
		const j = Math.floor(rng.next() * (i + 1));
		[keyed[i], keyed[j]] = [keyed[j], keyed[i]];
	}
	keyed.forEach((k, i) => (k.key = i));
	const chosen = new Set<number>();
	while (chosen.size < Math.min(duplicates, keyed.length)) chosen.add(rng.int(0, keyed.length - 1));
	const copies = [...chosen].map((position) => ({
		key: position + (rng.chance(0.5) ? 0.5 : rng.int(1, 400) + 0.5),
		d: { ...keyed[position].d, duplicate: true },
	}));
	const deliveries = [...keyed, ...copies].sort((a, b) => a.key - b.key).map((k) => k.d);

	const byTarget = { visit: 0, checkoutStarted: 0, checkoutUpdated: 0, orderPlaced: 0, orderPaidLoyalty: 0, orderPaidCoupon: 0, wooCreated: 0, wooUpdated: 0 } as Record<Target, number>;
	for (const d of deliveries) byTarget[d.target]++;
	return { deliveries, unique: unique.length, duplicates: copies.length, customers: contacts.size, byTarget, orders, carts, visits, sweepAt, contacts };
}
