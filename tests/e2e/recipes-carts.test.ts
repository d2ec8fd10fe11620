// The "carts" recipes (abandoned carts, product interest, post-purchase upsell and cross-sell,
// replenishment, unpaid orders) in one real n8n, with the package installed as users get it
// and an SMTP sink. Each recipe is imported exactly as shipped, except (tests/support/recipes.ts):
// - Shopify Trigger, WooCommerce Trigger and Schedule Trigger nodes are replaced by webhook
//   entries of the same name: a test POSTs the payload the trigger would emit (a Schedule
//   Trigger's is { timestamp }, which is how time is advanced through the sweeps);
// - the Shopify "Product › Get Many" nodes of recipes 02 and 18 (they read a real shop) are
//   stubbed with Shopify product JSON derived from the fixture product;
// - Send Email nodes use the sink's SMTP credential.
// Recipe 08's own Webhook node is real. Every recipe works in its own stretch of (reference)
// time and with its own contacts, so the recipes sharing one contact store do not see each other.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openUncachedStore, type ContactStore } from '../../lib/store';
import { startN8n, type N8nInstance } from '../support/n8nInstance';
import { prepareRecipe, readRecipe, type PreparedRecipe } from '../support/recipes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSmtpSink } = require('../../scripts/lib/smtpSink');

type Json = Record<string, any>;
interface Mail {
	to: string[];
	subject: string;
	text: string;
	html: string;
}

const PAYLOADS = join(__dirname, '..', 'fixtures', 'payloads');
const fixture = (path: string): Json => JSON.parse(readFileSync(join(PAYLOADS, path), 'utf8'));

// ---------------------------------------------------------------- payloads (derived from the fixtures)

interface Line {
	productId: number;
	title: string;
	price: string;
	sku?: string;
	variantId?: number;
	quantity?: number;
}

let nextId = 1;

/** Shopify line items: the fixture's first line with the product changed. */
function shopifyLines(template: Json, lines: Line[]): Json[] {
	return lines.map((line) => ({
		...template,
		id: nextId++,
		product_id: line.productId,
		variant_id: line.variantId ?? line.productId * 10,
		title: line.title,
		name: line.title,
		variant_title: null,
		price: line.price,
		sku: line.sku ?? `SKU-${line.productId}`,
		quantity: line.quantity ?? 1,
	}));
}

const total = (lines: Line[]) => lines.reduce((sum, l) => sum + Number(l.price) * (l.quantity ?? 1), 0).toFixed(2);

function customer(base: Json, email: string, firstName: string, acceptsMarketing: boolean): Json {
	return {
		...base,
		id: nextId++,
		email,
		first_name: firstName,
		last_name: 'Tester',
		email_marketing_consent: { state: acceptsMarketing ? 'subscribed' : 'not_subscribed', opt_in_level: 'single_opt_in', consent_updated_at: null },
	};
}

/** A Shopify checkouts/create (or /update) payload for a new cart. */
function checkout(o: { token: string; email: string; name: string; at: string; lines: Line[]; accepts?: boolean }): Json {
	const base = fixture('shopify/checkouts-create.json');
	return {
		...base,
		token: o.token,
		cart_token: `cart-${o.token}`,
		email: o.email,
		created_at: o.at,
		updated_at: o.at,
		buyer_accepts_marketing: o.accepts ?? true,
		customer: customer(base.customer, o.email, o.name, o.accepts ?? true),
		abandoned_checkout_url: `https://shop.example.com/548380009/checkouts/${o.token}/recover?key=secret-${o.token}`,
		line_items: shopifyLines(base.line_items[0], o.lines),
		total_price: total(o.lines),
	};
}

/** A Shopify orders/create payload: the fixture's (voided test) order made a real one. */
function shopifyOrder(o: {
	id: number;
	email: string;
	name: string;
	at: string;
	lines: Line[];
	financial?: string;
	checkoutToken?: string;
	accepts?: boolean;
}): Json {
	const base = fixture('shopify/orders-create.json');
	return {
		...base,
		id: o.id,
		admin_graphql_api_id: `gid://shopify/Order/${o.id}`,
		name: `#${o.id}`,
		order_number: o.id,
		email: o.email,
		contact_email: o.email,
		created_at: o.at,
		processed_at: o.at,
		updated_at: o.at,
		financial_status: o.financial ?? 'paid',
		cancelled_at: null,
		cancel_reason: null,
		closed_at: null,
		checkout_token: o.checkoutToken ?? null,
		cart_token: null,
		buyer_accepts_marketing: o.accepts ?? true,
		customer: customer(base.customer, o.email, o.name, o.accepts ?? true),
		order_status_url: `https://shop.example.com/548380009/orders/token${o.id}/authenticate?key=key${o.id}`,
		line_items: shopifyLines(base.line_items[0], o.lines),
		total_price: total(o.lines),
	};
}

/** A WooCommerce order.created payload (the documented order 727 with another id, buyer and status). */
function wooOrder(o: { id: number; email: string; name: string; at: string; status: string; paidAt?: string }): Json {
	const base = fixture('woocommerce/order-created.json');
	return {
		...base,
		id: o.id,
		number: String(o.id),
		order_key: `wc_order_key${o.id}`,
		status: o.status,
		date_created: o.at.replace('Z', ''),
		date_created_gmt: o.at.replace('Z', ''),
		date_modified: (o.paidAt ?? o.at).replace('Z', ''),
		date_modified_gmt: (o.paidAt ?? o.at).replace('Z', ''),
		date_paid: o.paidAt ? o.paidAt.replace('Z', '') : null,
		date_paid_gmt: o.paidAt ? o.paidAt.replace('Z', '') : null,
		billing: { ...base.billing, email: o.email, first_name: o.name },
		_links: { self: [{ href: `https://example.com/wp-json/wc/v3/orders/${o.id}` }], collection: [{ href: 'https://example.com/wp-json/wc/v3/orders' }] },
	};
}

/** A Shopify product (REST Admin API, as the Shopify node returns it): the fixture product, changed. */
function shopifyProduct(o: { id: number; title: string; handle: string; price: string; stock: number; image?: boolean }): Json {
	const base = fixture('shopify/product.json').product;
	const variant = { ...base.variants[0], id: o.id * 10, product_id: o.id, price: o.price, sku: `SKU-${o.id}`, inventory_quantity: o.stock, inventory_policy: 'deny' };
	const image = { ...base.images[0], id: o.id * 100, product_id: o.id, src: `https://cdn.example.com/products/${o.handle}.png` };
	return { ...base, id: o.id, title: o.title, handle: o.handle, variants: [variant], images: o.image === false ? [] : [image], image: o.image === false ? null : image };
}

const plus = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * 3_600_000).toISOString();

// ---------------------------------------------------------------- the instance

const FILES = {
	firstCart: '01-first-time-abandoned-cart.json',
	blackFriday: '02-black-friday-abandoned-cart-series.json',
	interest: '08-shopify-product-interest-follow-up.json',
	accessories: '17-accessory-upsell-after-purchase.json',
	crossSell: '18-cross-sell-after-purchase.json',
	replenish: '20-replenishment-reminder.json',
	unpaid: '21-unpaid-order-reminder.json',
};

const NANO = { productId: 632910392, variantId: 808950810, title: 'IPod Nano - 8GB', price: '199.00', sku: 'IPOD2008PINK' };
const SLEEVE = { productId: 632910399, variantId: 808950899, title: 'Leather Sleeve', price: '24.50', sku: 'SLEEVE-1' };

const BLACK_FRIDAY_STOCK = [
	shopifyProduct({ id: 632910392, title: 'IPod Nano - 8GB', handle: 'ipod-nano', price: '199.00', stock: 3 }),
	shopifyProduct({ id: 632910399, title: 'Leather Sleeve', handle: 'leather-sleeve', price: '24.50', stock: 50 }),
];

const KETTLE = { productId: 1801, title: 'Pour-over Kettle', price: '59.00' };
const FILTERS = { productId: 1802, title: 'Paper Filters', price: '6.50' };
const SCALE = { productId: 1803, title: 'Coffee Scale', price: '34.00' };
const DRIPPER = { productId: 1804, title: 'Ceramic Dripper', price: '28.00' };
const MUG = { productId: 1805, title: 'Travel Mug', price: '19.00' };
const CROSS_SELL_CATALOG = [
	shopifyProduct({ id: 1801, title: 'Pour-over Kettle', handle: 'pour-over-kettle', price: '59.00', stock: 20 }),
	shopifyProduct({ id: 1802, title: 'Paper Filters', handle: 'paper-filters', price: '6.50', stock: 200 }),
	shopifyProduct({ id: 1803, title: 'Coffee Scale', handle: 'coffee-scale', price: '34.00', stock: 15 }),
	shopifyProduct({ id: 1804, title: 'Ceramic Dripper', handle: 'ceramic-dripper', price: '28.00', stock: 0 }),
	shopifyProduct({ id: 1805, title: 'Travel Mug', handle: 'travel-mug', price: '19.00', stock: 9, image: false }),
];

describe('cart, interest and post-purchase recipes in a real n8n', () => {
	let sink: { port: number; messages: Mail[]; close(): Promise<void> };
	let n8n: N8nInstance;
	const recipes = {} as Record<keyof typeof FILES, PreparedRecipe>;
	let storePath: string;

	beforeAll(async () => {
		sink = await startSmtpSink({});
		for (const [key, file] of Object.entries(FILES) as Array<[keyof typeof FILES, string]>) {
			const stubs: Record<string, unknown[]> =
				key === 'blackFriday' ? { 'Get product stock': BLACK_FRIDAY_STOCK } : key === 'crossSell' ? { 'Get product catalog': CROSS_SELL_CATALOG } : {};
			recipes[key] = prepareRecipe(readRecipe(file), { stubs });
		}
		n8n = await startN8n({
			name: 'recipes-carts',
			workflowData: Object.values(recipes).map((r) => r.workflow),
			smtpPort: sink.port,
			// Quiet hours and dates in emails fall back to the workflow's time zone.
			env: { GENERIC_TIMEZONE: 'UTC' },
		});
		storePath = join(n8n.userFolder, '.n8n', 'ecommerce-marketing', 'contacts.db');
		console.log(`n8n ${n8n.baseUrl} timings (s): ${JSON.stringify(n8n.timings)}`);
	});

	afterAll(async () => {
		await n8n?.stop();
		await sink?.close();
	});

	/**
	 * POSTs what the (replaced) trigger would emit; the entry answers when the execution has
	 * finished, with the last node's first item. A run whose last node put out nothing (nothing
	 * was due, an If said no) answers 500 "No item to return was found": then the execution
	 * itself must have succeeded.
	 */
	async function fire(recipe: keyof typeof FILES, trigger: string, body: unknown): Promise<void> {
		const entry = recipes[recipe].entries[trigger];
		if (!entry) throw new Error(`${recipe} has no trigger "${trigger}"`);
		const since = new Date();
		const res = await n8n.webhook(entry.path, body);
		if (res.status === 200) return;
		expect({ recipe, trigger, status: res.status, message: res.body?.message }).toEqual({ recipe, trigger, status: 500, message: 'No item to return was found' });
		const execution = await n8n.waitForExecution(recipes[recipe].workflow.id, { since });
		expect({ recipe, trigger, status: execution.status, error: execution.data?.resultData?.error?.message }).toEqual({ recipe, trigger, status: 'success', error: undefined });
	}

	const sweep = (recipe: keyof typeof FILES, trigger: string, timestamp: string) => fire(recipe, trigger, { timestamp });

	async function withStore<T>(fn: (store: ContactStore) => Promise<T>): Promise<T> {
		const store = await openUncachedStore({ backend: 'sqlite', path: storePath });
		try {
			return await fn(store);
		} finally {
			await store.close();
		}
	}

	function sends(email: string): Array<{ campaign: string; step: string }> {
		const db = new DatabaseSync(storePath, { readOnly: true });
		try {
			return db
				.prepare('SELECT s.campaign, s.step FROM sends s JOIN contacts c ON c.id = s.contact_id WHERE c.email = ? ORDER BY s.claimed_at, s.campaign')
				.all(email) as Array<{ campaign: string; step: string }>;
		} finally {
			db.close();
		}
	}

	/** Messages to an address, with the text part's line breaks as \n. */
	const mailsTo = (email: string): Mail[] => sink.messages.filter((m) => m.to.includes(email)).map((m) => ({ ...m, text: (m.text ?? '').replace(/\r\n/g, '\n') }));
	const couponIn = (mail: Mail, prefix: string) => new RegExp(`${prefix}[A-Z0-9]{8}`).exec(mail.text)?.[0];

	/** The signed one-click link Sendable adds, to the shipped Unsubscribe workflow. */
	function expectUnsubscribeLink(mail: Mail, email: string, campaign: string) {
		const match = /Unsubscribe: (\S+)/.exec(mail.text);
		expect(match).not.toBeNull();
		const url = new URL(match![1]);
		expect(url.pathname).toBe('/webhook/ecommerce-unsubscribe');
		expect(url.searchParams.get('e')).toBe(email);
		expect(url.searchParams.get('c')).toBe(campaign);
		expect(url.searchParams.get('t')).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(mail.html).toContain(`href="${match![1].replace(/&/g, '&amp;')}"`);
	}

	// ================================================================ 01
	describe('01 · First-time abandoned cart hook', () => {
		const T0 = '2026-03-02T15:00:00.000Z';
		const ana = 'ana.first@carts.test';

		it('sends one email with the cart, the recovery button and a one-time code to a first-time abandoner who never bought', async () => {
			// Bob bought before; Cy abandoned a cart before; Dee's cart converts; Eve unsubscribes; Fay did not opt in.
			await fire('firstCart', 'Order placed', shopifyOrder({ id: 10101, email: 'bob.buyer@carts.test', name: 'Bob', at: '2026-02-20T12:00:00Z', lines: [NANO] }));
			await fire('firstCart', 'Checkout started', checkout({ token: 'c01-cy-old', email: 'cy.again@carts.test', name: 'Cy', at: '2026-02-25T12:00:00Z', lines: [SLEEVE] }));
			for (const [token, email, name, accepts] of [
				['c01-ana', ana, 'Ana', true],
				['c01-bob', 'bob.buyer@carts.test', 'Bob', true],
				['c01-cy', 'cy.again@carts.test', 'Cy', true],
				['c01-dee', 'dee.converts@carts.test', 'Dee', true],
				['c01-eve', 'eve.unsubscribed@carts.test', 'Eve', true],
				['c01-fay', 'fay.optout@carts.test', 'Fay', false],
			] as Array<[string, string, string, boolean]>) {
				await fire('firstCart', 'Checkout started', checkout({ token, email, name, at: T0, lines: [NANO, SLEEVE], accepts }));
			}
			// Ana changes her cart a minute later (checkouts/update): the delay counts from her last change.
			await fire('firstCart', 'Checkout updated', checkout({ token: 'c01-ana', email: ana, name: 'Ana', at: plus(T0, 1 / 60), lines: [NANO, SLEEVE] }));
			await fire('firstCart', 'Order placed', shopifyOrder({ id: 10102, email: 'dee.converts@carts.test', name: 'Dee', at: plus(T0, 0.3), lines: [NANO, SLEEVE], checkoutToken: 'c01-dee' }));
			await withStore((store) => store.unsubscribe('eve.unsubscribed@carts.test', 'unsubscribed'));

			await sweep('firstCart', 'Every 15 minutes', plus(T0, 0.5));
			await sweep('firstCart', 'Every 15 minutes', plus(T0, 1));
			expect(sink.messages.filter((m) => m.to.some((to) => to.endsWith('@carts.test')))).toHaveLength(0);

			await sweep('firstCart', 'Every 15 minutes', plus(T0, 1.1));
			const mails = sink.messages.filter((m) => m.to.some((to) => to.endsWith('@carts.test')));
			expect(mails.map((m) => m.to)).toEqual([[ana]]);
			const [mail] = mailsTo(ana);
			expect(mail.subject).toBe('You left something behind (and here is 10% off)');
			expect(mail.text).toContain('Still thinking it over?');
			expect(mail.text).toContain('* IPod Nano - 8GB\n  $199.00 · Qty 1');
			expect(mail.text).toContain('* Leather Sleeve\n  $24.50 · Qty 1');
			const code = couponIn(mail, 'CART10-');
			expect(code).toBeDefined();
			// Issued at the sweep (2 March 16:06 UTC), valid 3 days.
			expect(mail.text).toContain(`10% off your first order: ${code} (Valid until March 5, 2026)`);
			expect(mail.text).toContain('Return to your cart: https://shop.example.com/548380009/checkouts/c01-ana/recover?key=secret-c01-ana');
			expect(mail.html).toContain('Return to your cart');
			expect(mail.html).toContain(code);
			expectUnsubscribeLink(mail, ana, 'first-cart-hook');

			const details = await withStore((store) => store.getContactDetails(ana, ['coupons', 'carts']));
			expect(details!.coupons).toEqual([expect.objectContaining({ campaign: 'first-cart-hook', code, expiresAt: '2026-03-05T16:06:00.000Z' })]);
			expect(details!.carts![0]).toMatchObject({ cartId: 'c01-ana', convertedAt: null });
			expect(sends(ana)).toEqual([{ campaign: 'first-cart-hook', step: '1h' }]);
			expect(sends('fay.optout@carts.test')).toEqual([]);
		});

		it('never sends twice: later sweeps, replayed webhooks and a second abandoned cart send nothing', async () => {
			await sweep('firstCart', 'Every 15 minutes', plus(T0, 1.1));
			await sweep('firstCart', 'Every 15 minutes', plus(T0, 1.35));
			await fire('firstCart', 'Checkout started', checkout({ token: 'c01-ana', email: ana, name: 'Ana', at: plus(T0, 1 / 60), lines: [NANO, SLEEVE] }));
			// A second cart two days later: Ana is no longer a first-time abandoner.
			await fire('firstCart', 'Checkout started', checkout({ token: 'c01-ana-2', email: ana, name: 'Ana', at: plus(T0, 48), lines: [SLEEVE] }));
			await sweep('firstCart', 'Every 15 minutes', plus(T0, 49.1));
			expect(sink.messages.filter((m) => m.to.some((to) => to.endsWith('@carts.test')))).toHaveLength(1);
			expect(sends(ana)).toEqual([{ campaign: 'first-cart-hook', step: '1h' }]);
		});
	});

	// ================================================================ 02
	describe('02 · Black Friday abandoned cart series', () => {
		const T = '2026-11-27T14:00:00.000Z';
		const gus = 'gus.series@friday.test';
		const hal = 'hal.converts@friday.test';
		const fridayMails = (email: string) => mailsTo(email);

		it('sends the 1 h email to every due cart, each with its own products, stock badge, code and recovery link', async () => {
			await fire('blackFriday', 'Checkout started', checkout({ token: 'c02-gus', email: gus, name: 'Gus', at: T, lines: [NANO, SLEEVE] }));
			await fire('blackFriday', 'Checkout started', checkout({ token: 'c02-hal', email: hal, name: 'Hal', at: T, lines: [NANO] }));
			await fire('blackFriday', 'Checkout started', checkout({ token: 'c02-ida', email: 'ida.unsubscribed@friday.test', name: 'Ida', at: T, lines: [NANO] }));
			// Jo did not opt in; her cart is the newest, so she comes first in the sweep (and is held back by Sendable).
			await fire('blackFriday', 'Checkout started', checkout({ token: 'c02-jo', email: 'jo.optout@friday.test', name: 'Jo', at: plus(T, 0.02), lines: [SLEEVE], accepts: false }));
			await withStore((store) => store.unsubscribe('ida.unsubscribed@friday.test', 'unsubscribed'));

			await sweep('blackFriday', 'Every 15 minutes', plus(T, 1.1));
			expect(sink.messages.filter((m) => m.to.some((to) => to.endsWith('@friday.test'))).map((m) => m.to[0]).sort()).toEqual([gus, hal]);

			const [first] = fridayMails(gus);
			expect(first.subject).toBe('Your Black Friday picks are waiting');
			expect(first.text).toContain('Still deciding? We saved your cart');
			// Stock and photos come from the catalog (Shopify products): 3 left of the Nano, plenty of sleeves.
			expect(first.text).toContain('* IPod Nano - 8GB\n  $199.00 · Qty 1 · Only 3 left\n  https://shop.example.com/products/ipod-nano');
			expect(first.text).toContain('* Leather Sleeve\n  $24.50 · Qty 1\n  https://shop.example.com/products/leather-sleeve');
			expect(first.html).toContain('Only 3 left');
			expect(first.html).toContain('https://cdn.example.com/products/ipod-nano.png');
			const code = couponIn(first, 'BLACKFRIDAY-');
			expect(code).toBeDefined();
			expect(first.text).toContain(`Extra 15% off with your Black Friday code: ${code} (Valid until December 1, 2026)`);
			expect(first.text).toContain('Return to your cart: https://shop.example.com/548380009/checkouts/c02-gus/recover?key=secret-c02-gus');
			expectUnsubscribeLink(first, gus, 'black-friday-cart@c02-gus');

			const [halFirst] = fridayMails(hal);
			expect(halFirst.text).toContain('Return to your cart: https://shop.example.com/548380009/checkouts/c02-hal/recover?key=secret-c02-hal');
			expect(halFirst.text).not.toContain('Leather Sleeve');
			expect(couponIn(halFirst, 'BLACKFRIDAY-')).not.toBe(code);
		});

		it('sends the follow-up and the final email with the same expiring code, and stops the series when the cart converts', async () => {
			// Hal completes his order 5 hours later: his series stops.
			await fire('blackFriday', 'Order placed', shopifyOrder({ id: 20201, email: hal, name: 'Hal', at: plus(T, 5), lines: [NANO], checkoutToken: 'c02-hal' }));

			await sweep('blackFriday', 'Every 15 minutes', plus(T, 12));
			expect(fridayMails(gus)).toHaveLength(1);
			await sweep('blackFriday', 'Every 15 minutes', plus(T, 24.1));
			await sweep('blackFriday', 'Every 15 minutes', plus(T, 24.35));
			await sweep('blackFriday', 'Every 15 minutes', plus(T, 72.1));
			await sweep('blackFriday', 'Every 15 minutes', plus(T, 73));

			const series = fridayMails(gus);
			expect(series.map((m) => m.subject)).toEqual([
				'Your Black Friday picks are waiting',
				'Going fast: the items in your cart',
				'Last chance: your Black Friday code expires soon',
			]);
			const code = couponIn(series[0], 'BLACKFRIDAY-');
			for (const mail of series) {
				expect(couponIn(mail, 'BLACKFRIDAY-')).toBe(code);
				expect(mail.text).toContain('(Valid until December 1, 2026)');
				expect(mail.text).toContain('Only 3 left');
			}
			expect(series[2].text).toContain('This is the last reminder about this cart.');
			expect(sends(gus).map((s) => s.step)).toEqual(['1h', '24h', '72h']);

			expect(fridayMails(hal)).toHaveLength(1);
			expect(sends(hal)).toEqual([{ campaign: 'black-friday-cart@c02-hal', step: '1h' }]);
			expect(mailsTo('ida.unsubscribed@friday.test')).toHaveLength(0);
			expect(mailsTo('jo.optout@friday.test')).toHaveLength(0);
		});
	});

	// ================================================================ 08
	describe('08 · Shopify product interest follow-up', () => {
		const WORKFLOW = 'ecommerceRecipe08';
		const GRINDER = { product_id: '5001', title: 'Espresso Grinder', price: 149, compare_at_price: 179, image_url: 'https://shop.example.com/images/grinder.jpg', url: 'https://shop.example.com/products/espresso-grinder', product_type: 'Coffee' };
		const FROTHER = { product_id: '5002', title: 'Milk Frother', price: 39.5, image_url: 'https://shop.example.com/images/frother.jpg', url: 'https://shop.example.com/products/milk-frother', product_type: 'Coffee' };
		const kim = 'kim.views@interest.test';

		/** The tracking snippet's POST; the webhook answers at once, so wait for the execution. */
		async function view(email: string, product: Json, viewedAt: string) {
			const since = new Date();
			const res = await n8n.webhook('ecommerce-product-interest-follow-up', { email, ...product, viewed_at: viewedAt });
			expect(res.status).toBe(200);
			const execution = await n8n.waitForExecution(WORKFLOW, { since });
			expect({ status: execution.status, error: execution.data?.resultData?.error?.message }).toEqual({ status: 'success', error: undefined });
		}

		it('emails the product with a code for it on the view that makes the contact interested, once per product', async () => {
			await withStore(async (store) => {
				for (const [email, firstName] of [
					[kim, 'Kim'],
					['leo.unsubscribed@interest.test', 'Leo'],
					['nat.owner@interest.test', 'Nat'],
				]) {
					await store.upsertProfile({ email, firstName, status: 'subscribed' });
				}
				await store.unsubscribe('leo.unsubscribed@interest.test', 'unsubscribed');
				await store.recordOrder({
					source: 'custom',
					orderId: 'nat-1',
					contact: { email: 'nat.owner@interest.test' },
					placedAt: Date.parse('2026-04-01T10:00:00Z'),
					total: 149,
					currency: 'USD',
					lineItems: [{ productId: '5001', title: 'Espresso Grinder', price: 149, quantity: 1 }],
				});
			});

			await view(kim, GRINDER, '2026-05-04T10:00:00.000Z');
			await view(kim, GRINDER, '2026-05-05T10:00:00.000Z');
			expect(mailsTo(kim)).toHaveLength(0);
			await view(kim, GRINDER, '2026-05-06T10:00:00.000Z');
			expect(mailsTo(kim)).toHaveLength(1);
			const [mail] = mailsTo(kim);
			expect(mail.subject).toBe('Still thinking about the Espresso Grinder?');
			expect(mail.text).toContain('* Espresso Grinder\n  $149.00 (was $179.00)\n  https://shop.example.com/products/espresso-grinder');
			expect(mail.html).toContain('https://shop.example.com/images/grinder.jpg');
			const code = couponIn(mail, 'LOVEIT-');
			expect(code).toBeDefined();
			expect(mail.text).toContain(`10% off this product with your code: ${code} (Valid until May 13, 2026)`);
			expect(mail.text).toContain('Take another look: https://shop.example.com/products/espresso-grinder');
			expectUnsubscribeLink(mail, kim, 'product-interest-5001');
			const tags = await withStore((store) => store.getTags(kim, Date.parse('2026-05-06T10:00:00Z')));
			expect(tags.tags).toContain('interest:espresso-grinder');

			// A fourth view, and the third view delivered again, send nothing.
			await view(kim, GRINDER, '2026-05-07T10:00:00.000Z');
			await view(kim, GRINDER, '2026-05-06T10:00:00.000Z');
			expect(mailsTo(kim)).toHaveLength(1);

			// Interest in another product: its own email and code.
			for (const day of ['08', '09', '10']) await view(kim, FROTHER, `2026-05-${day}T10:00:00.000Z`);
			expect(mailsTo(kim).map((m) => m.subject)).toEqual(['Still thinking about the Espresso Grinder?', 'Still thinking about the Milk Frother?']);
			expect(couponIn(mailsTo(kim)[1], 'LOVEIT-')).not.toBe(code);
			expect(sends(kim)).toEqual([
				{ campaign: 'product-interest-5001', step: 'offer' },
				{ campaign: 'product-interest-5002', step: 'offer' },
			]);
		});

		it('sends nothing to unsubscribed contacts, visitors who never opted in, or buyers of the product', async () => {
			for (const email of ['leo.unsubscribed@interest.test', 'mia.visitor@interest.test', 'nat.owner@interest.test']) {
				for (const day of ['11', '12', '13']) await view(email, GRINDER, `2026-05-${day}T10:00:00.000Z`);
				expect(mailsTo(email)).toHaveLength(0);
				expect(sends(email)).toEqual([]);
			}
			// They are still tagged: the interest is real, only the email is held back.
			const tags = await withStore((store) => store.getTags('leo.unsubscribed@interest.test', Date.parse('2026-05-13T10:00:00Z')));
			expect(tags.tags).toContain('interest:espresso-grinder');
		});
	});

	// ================================================================ 17
	describe('17 · Accessory upsell after purchase', () => {
		const T = '2026-06-08T10:00:00.000Z';
		const SUNGLASSES = { productId: 1701, title: 'Aviator sunglasses', price: '89.99', sku: 'SKU2006-001' };
		const LOUNGER = { productId: 1702, title: 'Mid-century lounger', price: '159.99', sku: 'SKU2006-020' };
		const THROW = { productId: 7102, title: 'Wool Throw', price: '59.00', sku: 'THROW-1' };
		const oli = 'oli.sunglasses@upsell.test';
		const pam = 'pam.lounger@upsell.test';

		it('sends the accessories for what was just bought, with a free-shipping code, a day after the order', async () => {
			await fire('accessories', 'Order placed', shopifyOrder({ id: 17001, email: oli, name: 'Oli', at: T, lines: [SUNGLASSES] }));
			// Pam already owns the throw (an earlier order the same morning), then buys the lounger: one email, about the lounger.
			await fire('accessories', 'Order placed', shopifyOrder({ id: 17002, email: pam, name: 'Pam', at: plus(T, -2), lines: [THROW] }));
			await fire('accessories', 'Order placed', shopifyOrder({ id: 17003, email: pam, name: 'Pam', at: T, lines: [LOUNGER] }));
			await fire('accessories', 'Order placed', shopifyOrder({ id: 17004, email: 'quinn.pending@upsell.test', name: 'Quinn', at: T, lines: [SUNGLASSES], financial: 'pending' }));
			await fire('accessories', 'Order placed', shopifyOrder({ id: 17005, email: 'rae.unsubscribed@upsell.test', name: 'Rae', at: T, lines: [SUNGLASSES] }));
			await withStore((store) => store.unsubscribe('rae.unsubscribed@upsell.test', 'unsubscribed'));
			// The same webhook delivered again changes nothing.
			await fire('accessories', 'Order placed', shopifyOrder({ id: 17001, email: oli, name: 'Oli', at: T, lines: [SUNGLASSES] }));

			await sweep('accessories', 'Every daytime hour', plus(T, 12));
			expect(sink.messages.filter((m) => m.to.some((to) => to.endsWith('@upsell.test')))).toHaveLength(0);

			await sweep('accessories', 'Every daytime hour', plus(T, 25));
			expect(sink.messages.filter((m) => m.to.some((to) => to.endsWith('@upsell.test'))).map((m) => m.to[0]).sort()).toEqual([oli, pam]);

			const [mail] = mailsTo(oli);
			expect(mail.subject).toBe('Goes well with your Aviator sunglasses');
			expect(mail.text).toContain('Made for what you just bought');
			expect(mail.text).toContain('* Premium Leather Case\n  $24.99\n  https://shop.example.com/products/premium-leather-case');
			expect(mail.text).toContain('* Lens Cleaning Kit\n  $9.99');
			expect(mail.text).toContain('* Sport Strap\n  $14.50');
			expect(mail.text).not.toContain('Aviator sunglasses\n');
			expect(mail.html).toContain('https://shop.example.com/images/premium-leather-case.jpg');
			const code = couponIn(mail, 'FREESHIP-');
			expect(code).toBeDefined();
			expect(mail.text).toContain(`Free shipping on your accessories with this code: ${code} (Valid until June 16, 2026)`);
			expect(mail.text).toContain('See all accessories: https://shop.example.com/collections/accessories');
			expectUnsubscribeLink(mail, oli, 'accessory-upsell@2026-06-08T10:00:00Z');

			const [pamMail] = mailsTo(pam);
			expect(pamMail.subject).toBe('Goes well with your Mid-century lounger');
			expect(pamMail.text).toContain('* Lounger Cushion');
			expect(pamMail.text).not.toContain('Wool Throw');
			expect(sends(pam)).toEqual([{ campaign: 'accessory-upsell@2026-06-08T10:00:00Z', step: 'day-1' }]);
		});

		it('sends nothing more on later sweeps, and nothing for unpaid orders or unsubscribed customers', async () => {
			await sweep('accessories', 'Every daytime hour', plus(T, 26));
			await sweep('accessories', 'Every daytime hour', plus(T, 25));
			expect(mailsTo(oli)).toHaveLength(1);
			expect(mailsTo(pam)).toHaveLength(1);
			expect(mailsTo('quinn.pending@upsell.test')).toHaveLength(0);
			expect(mailsTo('rae.unsubscribed@upsell.test')).toHaveLength(0);
			expect(sends(oli)).toHaveLength(1);
		});
	});

	// ================================================================ 18
	describe('18 · Cross-sell after purchase', () => {
		const T = '2026-07-06T10:00:00.000Z';
		const tia = 'tia.kettle@crosssell.test';
		const uma = 'uma.filters@crosssell.test';

		it('sends the products most often bought with the purchase, five days later, leaving out what is owned, sold out or without a photo', async () => {
			// Order history: the kettle goes with filters (2 orders), the scale (2), the dripper (sold out) and the mug (no photo).
			const history: Array<typeof KETTLE[]> = [
				[KETTLE, FILTERS],
				[KETTLE, FILTERS, SCALE],
				[KETTLE, SCALE],
				[KETTLE, DRIPPER],
				[KETTLE, DRIPPER],
				[KETTLE, MUG],
				[KETTLE, MUG],
				[KETTLE, MUG],
			];
			for (const [i, lines] of history.entries()) {
				await fire('crossSell', 'Order placed', shopifyOrder({ id: 18000 + i, email: `history${i}@crosssell.test`, name: 'H', at: `2026-06-0${i + 1}T10:00:00Z`, lines }));
			}
			await fire('crossSell', 'Order placed', shopifyOrder({ id: 18101, email: tia, name: 'Tia', at: T, lines: [KETTLE] }));
			await fire('crossSell', 'Order placed', shopifyOrder({ id: 18102, email: uma, name: 'Uma', at: plus(T, -1), lines: [FILTERS] }));
			await fire('crossSell', 'Order placed', shopifyOrder({ id: 18103, email: uma, name: 'Uma', at: T, lines: [KETTLE] }));
			await fire('crossSell', 'Order placed', shopifyOrder({ id: 18104, email: 'vic.unsubscribed@crosssell.test', name: 'Vic', at: T, lines: [KETTLE] }));
			await withStore((store) => store.unsubscribe('vic.unsubscribed@crosssell.test', 'unsubscribed'));

			await sweep('crossSell', 'Every daytime hour', plus(T, 4 * 24 + 23));
			expect(mailsTo(tia)).toHaveLength(0);
			await sweep('crossSell', 'Every daytime hour', plus(T, 5 * 24 + 1));

			const [mail] = mailsTo(tia);
			expect(mail.subject).toBe('Customers who bought Pour-over Kettle also bought');
			expect(mail.text).toContain('Goes well with your order');
			expect(mail.text).toContain('* Paper Filters\n  $6.50\n  https://shop.example.com/products/paper-filters');
			expect(mail.text).toContain('* Coffee Scale\n  $34.00\n  https://shop.example.com/products/coffee-scale');
			expect(mail.html).toContain('https://cdn.example.com/products/coffee-scale.png');
			for (const leftOut of ['Pour-over Kettle\n', 'Ceramic Dripper', 'Travel Mug']) expect(mail.text).not.toContain(`* ${leftOut}`);
			expect(mail.text).toContain('Discover more: https://shop.example.com');
			expectUnsubscribeLink(mail, tia, 'cross-sell@2026-07-06T10:00:00Z');

			// Uma owns the filters already: only the scale.
			const [umaMail] = mailsTo(uma);
			expect(umaMail.text).toContain('* Coffee Scale');
			expect(umaMail.text).not.toContain('* Paper Filters');
			expect(mailsTo('vic.unsubscribed@crosssell.test')).toHaveLength(0);
		});

		it('sends each cross-sell once', async () => {
			await sweep('crossSell', 'Every daytime hour', plus(T, 5 * 24 + 2));
			await sweep('crossSell', 'Every daytime hour', plus(T, 5 * 24 + 1));
			expect(mailsTo(tia)).toHaveLength(1);
			expect(mailsTo(uma)).toHaveLength(1);
			expect(sends(tia)).toEqual([{ campaign: 'cross-sell@2026-07-06T10:00:00Z', step: 'day-5' }]);
		});
	});

	// ================================================================ 20
	describe('20 · Replenishment reminder', () => {
		const wes = 'wes.beans@refill.test';
		const BEANS = { productId: 2001, title: 'Coffee Beans 1 kg', price: '24.00', quantity: 2 };
		const GRINDER = { productId: 2002, title: 'Hand Grinder', price: '45.00' };
		const FILTER = { productId: 2003, title: 'Paper Filters', price: '6.50' };
		const refillMails = () => sink.messages.filter((m) => m.to.some((to) => to.endsWith('@refill.test'))).map((m) => m.to[0]);
		let orderId = 20001;
		const paid = (email: string, name: string, at: string, lines: Line[]) => fire('replenish', 'Order paid', shopifyOrder({ id: orderId++, email, name, at, lines }));

		it('reminds a repeat buyer when the next order is due, with the products they buy again, once per cycle', async () => {
			// Wes orders every 30 days: next order expected 16 October, reminder from 13 October.
			await paid(wes, 'Wes', '2026-08-17T09:00:00Z', [BEANS, GRINDER]);
			await paid(wes, 'Wes', '2026-09-16T09:00:00Z', [BEANS, FILTER]);
			await paid('xan.once@refill.test', 'Xan', '2026-09-20T09:00:00Z', [BEANS]);
			await paid('yan.later@refill.test', 'Yan', '2026-09-01T09:00:00Z', [BEANS]);
			await paid('yan.later@refill.test', 'Yan', '2026-10-01T09:00:00Z', [BEANS]);
			await paid('zoe.unsubscribed@refill.test', 'Zoe', '2026-08-17T09:00:00Z', [BEANS]);
			await paid('zoe.unsubscribed@refill.test', 'Zoe', '2026-09-16T09:00:00Z', [BEANS]);
			await paid('abe.lapsed@refill.test', 'Abe', '2026-05-01T09:00:00Z', [BEANS]);
			await paid('abe.lapsed@refill.test', 'Abe', '2026-05-15T09:00:00Z', [BEANS]);
			await withStore((store) => store.unsubscribe('zoe.unsubscribed@refill.test', 'unsubscribed'));

			// At 02:00 it is night for Wes (UTC): held back, and nothing claimed…
			await sweep('replenish', 'Every 4 hours', '2026-10-15T02:00:00.000Z');
			expect(mailsTo(wes)).toHaveLength(0);
			expect(sends(wes)).toEqual([]);
			// …so the next run sends it.
			await sweep('replenish', 'Every 4 hours', '2026-10-15T10:00:00.000Z');
			expect(refillMails()).toEqual([wes]);
			const [mail] = mailsTo(wes);
			expect(mail.subject).toBe('Wes, time to stock up again?');
			expect(mail.text).toContain('Running low?');
			expect(mail.text).toContain('around October 16, 2026');
			expect(mail.text).toContain('* Coffee Beans 1 kg\n  $24.00 · Qty 2');
			expect(mail.text).not.toContain('Hand Grinder');
			expect(mail.text).not.toContain('* Paper Filters');
			expect(mail.text).toContain('Restock now: https://shop.example.com');
			expectUnsubscribeLink(mail, wes, 'replenishment-2026-09-16T09:00:00.000Z');

			await sweep('replenish', 'Every 4 hours', '2026-10-15T14:00:00.000Z');
			await sweep('replenish', 'Every 4 hours', '2026-10-16T10:00:00.000Z');
			expect(refillMails()).toEqual([wes]);

			// Wes reorders: a new cycle, and a new reminder when it comes due.
			await paid(wes, 'Wes', '2026-10-16T09:00:00Z', [BEANS]);
			await sweep('replenish', 'Every 4 hours', '2026-10-20T10:00:00.000Z');
			expect(refillMails()).toEqual([wes]);
			// 13 November: Wes's next order is due on the 15th; Yan's was due on 31 October and has not
			// come (overdue, within one cycle: still reminded). Xan (one order), Zoe (unsubscribed) and
			// Abe (lapsed: more than a whole cycle overdue) get nothing.
			await sweep('replenish', 'Every 4 hours', '2026-11-13T10:00:00.000Z');
			expect(refillMails()).toEqual([wes, wes, 'yan.later@refill.test']);
			expect(sends(wes).map((s) => s.campaign)).toEqual(['replenishment-2026-09-16T09:00:00.000Z', 'replenishment-2026-10-16T09:00:00.000Z']);
			expect(mailsTo(wes)[1].text).toContain('around November 15, 2026');
			expect(mailsTo('yan.later@refill.test')[0].text).toContain('around October 31, 2026');
		});
	});

	// ================================================================ 21
	describe('21 · Unpaid order reminder', () => {
		const T = '2026-09-07T10:00:00.000Z';
		const bea = 'bea.pending@unpaid.test';
		const dan = 'dan.woo@unpaid.test';
		const LINES = [{ productId: 2101, title: 'Linen Shirt', price: '49.00', quantity: 2 }];

		it('reminds Shopify and WooCommerce customers a day later about orders still awaiting payment, with the payment link', async () => {
			// Bea did not opt in to marketing: the reminder is about her own order, so she gets it.
			await fire('unpaid', 'Shopify order created', shopifyOrder({ id: 2101, email: bea, name: 'Bea', at: T, lines: LINES, financial: 'pending', accepts: false }));
			await fire('unpaid', 'Shopify order created', shopifyOrder({ id: 2102, email: 'cal.paid@unpaid.test', name: 'Cal', at: T, lines: LINES, financial: 'pending' }));
			await fire('unpaid', 'WooCommerce order created', wooOrder({ id: 2103, email: dan, name: 'Dan', at: T, status: 'pending' }));
			await fire('unpaid', 'WooCommerce order created', wooOrder({ id: 2104, email: 'eli.woopaid@unpaid.test', name: 'Eli', at: T, status: 'pending' }));
			await fire('unpaid', 'Shopify order created', shopifyOrder({ id: 2105, email: 'fox.paid@unpaid.test', name: 'Fox', at: T, lines: LINES }));
			await fire('unpaid', 'Shopify order created', shopifyOrder({ id: 2106, email: 'gil.unsubscribed@unpaid.test', name: 'Gil', at: T, lines: LINES, financial: 'pending' }));
			await withStore((store) => store.unsubscribe('gil.unsubscribed@unpaid.test', 'unsubscribed'));
			// Cal pays on Shopify, Eli on WooCommerce.
			await fire('unpaid', 'Shopify order paid', { ...shopifyOrder({ id: 2102, email: 'cal.paid@unpaid.test', name: 'Cal', at: T, lines: LINES }), updated_at: plus(T, 3) });
			await fire('unpaid', 'WooCommerce order updated', wooOrder({ id: 2104, email: 'eli.woopaid@unpaid.test', name: 'Eli', at: T, status: 'processing', paidAt: plus(T, 4) }));
			// Bea's order webhook delivered again changes nothing.
			await fire('unpaid', 'Shopify order created', shopifyOrder({ id: 2101, email: bea, name: 'Bea', at: T, lines: LINES, financial: 'pending', accepts: false }));

			await sweep('unpaid', 'Every daytime hour', plus(T, 20));
			expect(sink.messages.filter((m) => m.to.some((to) => to.endsWith('@unpaid.test')))).toHaveLength(0);
			await sweep('unpaid', 'Every daytime hour', plus(T, 25));
			expect(sink.messages.filter((m) => m.to.some((to) => to.endsWith('@unpaid.test'))).map((m) => m.to[0]).sort()).toEqual([bea, dan]);

			const [mail] = mailsTo(bea);
			expect(mail.subject).toBe('Your order #2101 is waiting for payment');
			expect(mail.text).toContain('We are holding your order #2101');
			expect(mail.text).toContain('* Linen Shirt\n  $49.00 · Qty 2');
			expect(mail.text).toContain('Complete your payment: https://shop.example.com/548380009/orders/token2101/authenticate?key=key2101');
			expectUnsubscribeLink(mail, bea, 'unpaid-order-2101');

			const [woo] = mailsTo(dan);
			expect(woo.subject).toBe('Your order 2103 is waiting for payment');
			expect(woo.text).toContain('* Woo Single #1\n  $3.00 · Qty 2');
			expect(woo.text).toContain('* Ship Your Idea – Color: Black, Size: M Test');
			expect(woo.text).toContain('Complete your payment: https://example.com/checkout/order-pay/2103/?pay_for_order=true&key=wc_order_key2103');
		});

		it('sends each reminder once, and none for paid, unsubscribed or never-pending orders', async () => {
			await sweep('unpaid', 'Every daytime hour', plus(T, 26));
			await sweep('unpaid', 'Every daytime hour', plus(T, 25));
			expect(mailsTo(bea)).toHaveLength(1);
			expect(mailsTo(dan)).toHaveLength(1);
			for (const email of ['cal.paid@unpaid.test', 'eli.woopaid@unpaid.test', 'fox.paid@unpaid.test', 'gil.unsubscribed@unpaid.test']) {
				expect(mailsTo(email)).toHaveLength(0);
			}
			expect(sends(bea)).toEqual([{ campaign: 'unpaid-order-2101', step: 'day-1' }]);
			const bea_ = await withStore((store) => store.getContact(bea));
			expect(bea_).toMatchObject({ status: 'not_subscribed', custom: { unpaidOrderId: '2101' } });
		});
	});
});
