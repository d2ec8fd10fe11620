/**
 * Hostile data never becomes executable markup or a dangerous link in an email. HTML and script
 * in product titles, customer names, custom fields, coupon codes and brand texts, and
 * `javascript:`, `data:`, `vbscript:` links (mixed case, whitespace- and entity-obfuscated) in
 * every URL field, go through every path that produces email HTML: the Product Block with each
 * source (product list in plain, Shopify and WooCommerce shapes, cart, order, accessories, bought
 * together, catalog enrichment) and each built-in template (list, grid2, grid3) plus a custom one.
 * The HTML is parsed like a browser parses it (tests/support/emailSafety.ts) and every element
 * and attribute checked; the hostile text must still be there, as text. The plain-text part and
 * the JSON outputs (products, button, subject) are checked too.
 */
import type { IDataObject } from 'n8n-workflow';
import shopifyProductSample from '../fixtures/payloads/shopify/product.json';
import wooProductSample from '../fixtures/payloads/woocommerce/product.json';
import shopifyOrderSample from '../fixtures/payloads/shopify/orders-paid.json';
import type { LineItem, StoreConfig } from '../../lib/store';
import { resetStores, runWorkflow, withStoreOf, type RunOptions, type RunResult } from '../support/engine';
import { htmlAttributeValues, htmlProblems, htmlText, textProblems } from '../support/emailSafety';
import { dropEmptyStoreSchema, emptyStore, nodeWorkflow, TARGET } from '../support/hostile';
import { BACKENDS, type Backend } from '../support/stores';

// ------------------------------------------------------------------ hostile values

const TITLE = `<script>alert('title')</script><img src=x onerror=alert(1)> "quoted" & 'single'`;
/** With a right-to-left override, which emails must not carry (it reorders what the reader sees). */
const NAME = `\u202E<svg onload=alert(1)>Eve"><b>`;
const SHOWN_NAME = NAME.replace('\u202E', '');
const CUSTOM = `</mj-text><iframe srcdoc="<script>alert(1)</script>"></iframe>{{{heading}}}`;
const COUPON = `<b>SAVE</b>" onmouseover="alert(1)`;

/** Every way a dangerous link has been smuggled past filters. */
const BAD_URLS = [
	'javascript:alert(1)',
	'JaVaScRiPt:alert(1)',
	' javascript:alert(1)',
	'java\tscript:alert(1)',
	'java\nscript:alert(1)',
	'\u0000javascript:alert(1)',
	'&#106;avascript:alert(1)',
	'&#x6A;avascript:alert(1)',
	'jav&#x09;ascript:alert(1)',
	'javascript&colon;alert(1)',
	'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
	'data:image/svg+xml,<svg onload=alert(1)>',
	'vbscript:msgbox(1)',
	'VBScript:msgbox(1)',
	'//evil.example/x',
	'https:javascript:alert(1)',
];

const SHOP = 'https://shop.example.com';
const NOW = '2026-05-20T10:00:00Z';

// ------------------------------------------------------------------ the Product Block as the recipes set it up

function blockParameters(source: string, template: string, extra: IDataObject = {}): IDataObject {
	return {
		source,
		email: '={{ $json.email }}',
		template,
		maxProducts: 12,
		couponCode: '={{ $json.coupon }}',
		couponExpiresAt: '2026-06-01T00:00:00Z',
		brand: { name: TITLE, address: TITLE, shopUrl: SHOP, logoUrl: 'https://cdn.example.com/logo.png' },
		options: {
			heading: '={{ "Hi " + $json.nickname }}',
			intro: '={{ $json.intro }}',
			buttonText: TITLE,
			couponText: TITLE,
			lowStockText: TITLE,
			quantityText: TITLE,
			excludeWithoutImage: false,
			excludeOutOfStock: false,
			excludeAlreadyBought: false,
			referenceTime: NOW,
			whenNoProducts: 'error',
		},
		...extra,
	};
}

const CUSTOM_TEMPLATE = `<mjml lang="{{lang}}">
  <mj-head><mj-title>{{subject}}</mj-title><mj-preview>{{preheader}}</mj-preview></mj-head>
  <mj-body>
    <mj-section><mj-column>
      <mj-image src="{{brand.logoUrl}}" href="{{brand.url}}" alt="{{brand.name}}" />
      <mj-text>{{heading}} {{contact.firstName}} {{contact.lastName}} {{contact.email}}<br/>{{intro}}</mj-text>
    </mj-column></mj-section>
    {{#products}}
    <mj-section><mj-column>
      <mj-image src="{{product.imageUrl}}" href="{{product.url}}" alt="{{product.title}}" title="{{product.vendor}}" />
      <mj-text><a href="{{product.url}}" title="{{product.title}}">{{product.title}}</a> {{product.variant}} {{product.price}} {{product.sku}} {{product.productType}}
        <a href="${SHOP}/search?q={{product.title}}">more</a><img src="{{product.imageUrl}}" alt="{{product.title}}" /></mj-text>
    </mj-column></mj-section>
    {{/products}}
    {{#coupon}}<mj-section><mj-column><mj-text>{{coupon.text}} {{coupon.code}} {{coupon.expires}}</mj-text></mj-column></mj-section>{{/coupon}}
    {{#button}}<mj-section><mj-column><mj-button href="{{button.url}}">{{button.text}}</mj-button></mj-column></mj-section>{{/button}}
    {{#unsubscribe}}<mj-section><mj-column><mj-text><a href="{{unsubscribe.url}}">{{unsubscribe.text}}</a></mj-text></mj-column></mj-section>{{/unsubscribe}}
  </mj-body>
</mjml>`;

const TEMPLATES: Array<[string, IDataObject]> = [
	['list', {}],
	['grid2', {}],
	['grid3', {}],
	['custom', { customTemplate: CUSTOM_TEMPLATE }],
];

/** The item a recipe hands the Product Block: the contact, a custom field for the heading, a coupon, a signed unsubscribe link. */
function item(email: string, extra: IDataObject = {}): IDataObject {
	return { email, nickname: CUSTOM, intro: NAME, coupon: COUPON, unsubscribeUrl: `${SHOP}/unsubscribe?e=${encodeURIComponent(email)}&t=abc`, ...extra };
}

// ------------------------------------------------------------------ hostile products in every shape

function plainProducts(): IDataObject[] {
	return BAD_URLS.map((url, i) => ({ title: `${TITLE} #${i}`, price: '10.00', url, imageUrl: url, productId: `plain-${i}`, vendor: NAME, sku: `${COUPON}-plain-${i}`, productType: TITLE, stock: 2 }));
}

function shopifyProduct(): IDataObject {
	const p = JSON.parse(JSON.stringify(shopifyProductSample)).product as IDataObject;
	const image = { ...((p.images as IDataObject[])[0] ?? {}), src: 'javascript:alert(1)' };
	return { ...p, title: TITLE, handle: `"><script>alert(1)</script>`, body_html: '<script>alert(1)</script>', images: [image], image, vendor: NAME };
}

function wooProduct(): IDataObject {
	const p = JSON.parse(JSON.stringify(wooProductSample)) as IDataObject;
	return { ...p, name: '&lt;script&gt;alert(&#039;woo&#039;)&lt;/script&gt;', permalink: 'JaVaScRiPt:alert(1)', images: [{ src: 'data:image/png;base64,AAAA' }] };
}

/** Written straight to the store, so without the NUL variant (PostgreSQL refuses NUL in text; the nodes remove it on input). */
const STORABLE_BAD_URLS = BAD_URLS.filter((url) => !url.includes('\u0000'));

function hostileLines(prefix: string): LineItem[] {
	return STORABLE_BAD_URLS.slice(0, 6).map((url, i) => ({
		productId: `${prefix}-${i}`,
		title: `${TITLE} ${prefix}${i}`,
		variantTitle: NAME,
		quantity: 1,
		price: 10 + i,
		imageUrl: url,
		url,
		productType: TITLE,
		vendor: NAME,
		sku: `${COUPON}-${prefix}-${i}`,
	}));
}

/**
 * Stores hostile carts and orders directly through the store (as data written by another tool
 * or an older version would be: the nodes now refuse such links on input), so that what the
 * email path itself does with them is tested.
 */
async function seedStore(store: StoreConfig) {
	await withStoreOf(store, async (s) => {
		for (const email of ['eve@example.com', 'mallory@example.com']) {
			await s.upsertProfile({ email, firstName: NAME, lastName: TITLE, status: 'subscribed', locale: 'en-US' });
		}
		await s.recordCart(
			{
				source: 'shopify',
				cartId: 'cart-eve',
				contact: { email: 'eve@example.com' },
				items: hostileLines('cart'),
				value: 60,
				currency: 'USD',
				recoveryUrl: 'javascript:alert(document.cookie)',
				createdAt: Date.parse('2026-05-19T10:00:00Z'),
				updatedAt: Date.parse('2026-05-19T10:00:00Z'),
			},
			{ now: Date.parse(NOW) },
		);
		for (const [email, orderId, placed] of [
			['eve@example.com', 'o-eve', '2026-05-01T10:00:00Z'],
			['mallory@example.com', 'o-mallory', '2026-05-02T10:00:00Z'],
		] as const) {
			await s.recordOrder(
				{ source: 'shopify', orderId, contact: { email }, placedAt: Date.parse(placed), total: 75, currency: 'USD', lineItems: hostileLines('ord').concat([{ productId: `own-${email}`, title: `${TITLE} ${email}`, quantity: 1, price: 5, url: BAD_URLS[10], imageUrl: BAD_URLS[12] }]) },
				{ now: Date.parse(NOW) },
			);
		}
	});
}

// ------------------------------------------------------------------ checking one email

function expectSafeEmail(json: IDataObject, label: string) {
	const html = String(json.html ?? '');
	const text = String(json.text ?? '');
	expect(html.startsWith('<!doctype html>')).toBe(true);
	// Parsed as a browser parses it: nothing executable, every link http(s).
	expect({ label, problems: htmlProblems(html) }).toEqual({ label, problems: [] });
	expect({ label, problems: textProblems(text) }).toEqual({ label, problems: [] });
	// The hostile values are shown, as text (so this check cannot pass by showing nothing).
	const shown = htmlText(html);
	expect(shown).toContain(`Hi ${CUSTOM}`);
	expect(shown).toContain(COUPON);
	expect(shown).toMatch(/<script>alert\('title'\)<\/script>|<script>alert\('woo'\)<\/script>/);
	expect(text).toContain(`Hi ${CUSTOM}`);
	// No hostile link survives anywhere: not in an attribute, not in the text, not in the JSON.
	const attributes = htmlAttributeValues(html).map((v) => v.replace(/[\u0000-\u0020]+/g, '').toLowerCase());
	for (const bad of ['javascript:', 'vbscript:', 'data:', '//evil.example']) {
		expect({ label, bad, found: attributes.filter((v) => v.includes(bad)) }).toEqual({ label, bad, found: [] });
	}
	for (const url of BAD_URLS) expect({ label, url, inText: text.includes(url.trim()) }).toEqual({ label, url, inText: false });
	for (const p of (json.products as IDataObject[]) ?? []) {
		for (const key of ['url', 'imageUrl']) if (p[key] !== undefined) expect({ label, [key]: p[key] }).toEqual({ label, [key]: expect.stringMatching(/^https?:\/\//) });
	}
	if (json.button) expect((json.button as IDataObject).url).toMatch(/^https?:\/\//);
	expect(html).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u0000]/);
	expect(String(json.subject)).not.toMatch(/[\r\n\u0000-\u001F\u202A-\u202E]/);
	expect(String(json.preheader)).not.toMatch(/[\r\n\u0000-\u001F]/);
}

function emails(result: RunResult): IDataObject[] {
	expect(result.error).toBeUndefined();
	const out = result.json(TARGET);
	expect(out.length).toBeGreaterThan(0);
	for (const json of out) expect(json.error).toBeUndefined();
	return out;
}

describe.each(BACKENDS)('Hostile data in email HTML, %s store', (backend: Backend) => {
	let store: StoreConfig;
	let options: RunOptions;
	beforeEach(async () => {
		({ store, options } = await emptyStore(backend));
		await seedStore(store);
	});
	afterEach(async () => await resetStores());
	afterAll(async () => await dropEmptyStoreSchema());

	const run = (parameters: IDataObject, items: IDataObject[]) => runWorkflow(nodeWorkflow('productBlock', parameters, false), { ...options, input: items });

	it.each(TEMPLATES)('product list (plain, Shopify and WooCommerce products), %s template', async (template, extra) => {
		const products = [...plainProducts(), shopifyProduct(), wooProduct()];
		const result = await run(blockParameters('input', template, { products: '={{ $json.products }}', ...extra }), [
			item('eve@example.com', { products: products.slice(0, 9) }),
			item('mallory@example.com', { products: products.slice(9) }),
		]);
		const out = emails(result);
		expect(out).toHaveLength(2);
		for (const [i, json] of out.entries()) {
			expectSafeEmail(json, `${template} #${i}`);
			expect(json.productCount).toBe(9);
		}
		// WordPress entities in a WooCommerce name are decoded to text, then escaped again.
		expect(htmlText(String(out[1].html))).toContain("<script>alert('woo')</script>");
		// A dangerous product link falls back to the shop; its image is left out.
		expect((out[0].products as IDataObject[])[0]).toMatchObject({ url: `${SHOP}/` });
		expect((out[0].products as IDataObject[])[0].imageUrl).toBeUndefined();
	});

	it.each(TEMPLATES)('abandoned cart from the store, %s template', async (template, extra) => {
		const out = emails(await run(blockParameters('cart', template, extra), [item('eve@example.com')]));
		expectSafeEmail(out[0], `cart ${template}`);
		// The recovery link was javascript:: the button goes to the shop instead.
		expect(out[0].button).toEqual({ text: expect.any(String), url: `${SHOP}/` });
		expect(String(out[0].subject)).toBe(`${SHOWN_NAME}, you left something in your cart`);
		expect(htmlText(String(out[0].html))).toContain(`${TITLE} cart0`);
	});

	it.each(TEMPLATES)('order from the store, %s template', async (template, extra) => {
		const out = emails(await run(blockParameters('order', template, extra), [item('eve@example.com')]));
		expectSafeEmail(out[0], `order ${template}`);
		expect(out[0].productCount).toBe(7);
	});

	it('accessories from rules, with a catalog of hostile images', async () => {
		const parameters = blockParameters('accessories', 'grid3', {
			basedOn: 'latestOrder',
			accessoryRules: { rule: [{ matchBy: 'any', accessories: JSON.stringify(plainProducts().slice(0, 8)) }] },
		});
		(parameters.options as IDataObject).catalog = JSON.stringify(plainProducts().map((p) => ({ ...p, imageUrl: 'javascript:alert(2)' })));
		const out = emails(await run(parameters, [item('eve@example.com')]));
		expectSafeEmail(out[0], 'accessories');
		expect(out[0].productCount).toBe(8);
	});

	it('bought together, from every customer’s order history', async () => {
		const out = emails(await run(blockParameters('crossSell', 'grid2', { basedOn: 'allPurchases' }), [item('eve@example.com')]));
		expectSafeEmail(out[0], 'bought together');
		expect(htmlText(String(out[0].html))).toContain(`${TITLE} mallory@example.com`);
	});

	it('a Shopify order recorded by the node, then its email: the same, end to end', async () => {
		const order = JSON.parse(JSON.stringify(shopifyOrderSample)) as IDataObject;
		const lines = (order.line_items as IDataObject[]).map((l, i) => ({ ...l, title: `${TITLE} line${i}`, name: TITLE, image_url: BAD_URLS[i], url: BAD_URLS[i + 5] }));
		Object.assign(order, {
			id: 4242,
			email: 'olga@example.com',
			contact_email: 'olga@example.com',
			financial_status: 'paid',
			cancelled_at: null,
			customer: { ...(order.customer as IDataObject), email: 'olga@example.com', first_name: NAME, last_name: TITLE },
			line_items: lines,
		});
		const recorded = await runWorkflow(nodeWorkflow('marketingContact', { operation: 'recordOrder', source: 'shopify', options: {} }, false), { ...options, input: [order] });
		expect(recorded.error).toBeUndefined();
		// Stored as text; the links were not http(s), so they were not stored at all.
		const stored = await withStoreOf(store, (s) => s.getContactDetails('olga@example.com', ['orders']));
		expect(stored?.contact.firstName).toBe(SHOWN_NAME);
		for (const line of stored!.orders![0].lineItems) {
			expect(line.title.startsWith(TITLE)).toBe(true);
			expect(line.imageUrl).toBeUndefined();
			expect(line.url).toBeUndefined();
		}
		for (const [template, extra] of TEMPLATES) {
			const out = emails(await run(blockParameters('order', template, extra), [item('olga@example.com')]));
			expectSafeEmail(out[0], `recorded order ${template}`);
			expect(htmlText(String(out[0].html))).toContain(`${TITLE} line0`);
		}
	});

	it('a title that reads "javascript:…" stays text and never becomes a link', async () => {
		const out = emails(
			await run(blockParameters('input', 'list', { products: '={{ $json.products }}', options: { ...(blockParameters('input', 'list').options as IDataObject), heading: 'Picked for you' } }), [
				item('eve@example.com', { nickname: 'x', products: [{ title: 'javascript:alert(1)', price: '1.00', url: 'javascript:alert(1)' }] }),
			]),
		);
		const html = String(out[0].html);
		expect(htmlProblems(html)).toEqual([]);
		expect(htmlText(html)).toContain('javascript:alert(1)');
		expect(htmlAttributeValues(html, ['href', 'src']).filter((v) => /javascript:/i.test(v))).toEqual([]);
	});

	it('links set on the node or the item that are not http(s) stop that item with a clear error, never reaching an email', async () => {
		const base = blockParameters('input', 'list', { products: '={{ $json.products }}' });
		const products = [{ title: 'Mug', price: '9.00', url: `${SHOP}/mug` }];
		const result = await runWorkflow(nodeWorkflow('productBlock', base, true), {
			...options,
			input: [
				item('eve@example.com', { products }),
				item('eve@example.com', { products, unsubscribeUrl: 'javascript:alert(1)' }),
				item('eve@example.com', { products, unsubscribeUrl: ' JAVA\tSCRIPT:alert(1)' }),
			],
		});
		const out = result.json(TARGET);
		expect(out).toHaveLength(3);
		expectSafeEmail({ ...out[0], products: [] }, 'control');
		expect(out[1].error).toBe('"Unsubscribe URL" must be an http:// or https:// link (got "javascript:alert(1)") [item 1]');
		expect(out[2].error).toContain('"Unsubscribe URL" must be an http:// or https:// link');
		for (const [option, value] of [
			['buttonUrl', 'data:text/html,x'],
			['logoUrl', 'vbscript:msgbox(1)'],
		] as const) {
			const parameters = blockParameters('input', 'list', { products: '={{ $json.products }}' });
			if (option === 'logoUrl') (parameters.brand as IDataObject).logoUrl = value;
			else (parameters.options as IDataObject).buttonUrl = value;
			const failed = await runWorkflow(nodeWorkflow('productBlock', parameters, false), { ...options, input: [item('eve@example.com', { products })] });
			expect(failed.error?.message).toMatch(/must be an http:\/\/ or https:\/\/ link .*\[item 0\]$/);
		}
	});
});
