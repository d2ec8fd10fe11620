import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { expectPinnedOutputs, readFixture, resetStores, runWorkflow, type RunOptions, type RunResult, freshEngineStore } from '../support/engine';
import { BACKENDS, type Backend } from '../support/stores';

const fixture = (name: string) => readFixture(join(__dirname, 'productBlock', name));
const NODE = 'Product Block';

function hints(result: RunResult): string[] {
	return (result.run.data.resultData.runData[NODE]?.[0]?.hints ?? []).map((h) => h.message);
}

/** Every email is a whole MJML document, with only http(s) links and no markup from the data. */
function expectSafeEmail(html: string) {
	expect(html.startsWith('<!doctype html>')).toBe(true);
	expect(html).not.toMatch(/<script/i);
	expect(html.replace(/"[^"]*"/g, '""')).not.toMatch(/<[^>]*\son\w+=/);
	for (const match of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) expect(match[1]).toMatch(/^(https?:\/\/|$)/);
	expect(html).not.toMatch(/javascript:|vbscript:|data:image/i);
}

describe.each(BACKENDS)('Product Block in the n8n engine, %s store', (backend: Backend) => {
	let options: RunOptions;
	beforeEach(() => {
		({ options } = freshEngineStore(backend));
	});
	afterEach(async () => await resetStores());

	it.each(['cart.json', 'order.json', 'product-list.json', 'accessories.json', 'bought-together.json', 'custom-template.json'])(
		'%s gives the pinned outputs, each paired with its input item, as safe email HTML',
		async (name) => {
			const f = fixture(name);
			const result = await runWorkflow(f, options);
			expect(result.error).toBeUndefined();
			expectPinnedOutputs(f, result);
			const items = result.output(NODE);
			expect(items.length).toBeGreaterThan(0);
			for (const [i, item] of items.entries()) {
				expect(item.pairedItem).toEqual({ item: i });
				expectSafeEmail(item.json.html as string);
				expect(typeof item.json.text).toBe('string');
			}
		},
	);

	it('warns when an email has no unsubscribe link (no Sendable guard before it, no Unsubscribe URL)', async () => {
		const f = fixture('product-list.json');
		const node = f.nodes.find((n: { name: string }) => n.name === NODE)!;
		delete (node.parameters.brand as IDataObject).unsubscribeUrl;
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		const emails = result.json(NODE);
		expect(emails).toHaveLength(2);
		for (const email of emails) expect(email.html).not.toMatch(/unsubscribe/i);
		expect(hints(result)).toContain(
			"2 emails have no unsubscribe link: put the Segment node's Sendable guard before this node (it adds a signed one-click link to each item), or set Brand → Unsubscribe URL",
		);
		// With the link (as in the shipped fixture) there is no such warning.
		expect(hints(await runWorkflow(fixture('product-list.json'), options)).join('\n')).not.toMatch(/no unsubscribe link/);
	});

	it('abandoned cart: the cart item with its catalog image and a button back to the cart', async () => {
		const result = await runWorkflow(fixture('cart.json'), options);
		const html = result.json(NODE)[0].html as string;
		expect(html).toContain('<title>John, you left something in your cart</title>');
		expect(html).toContain('src="http://static.shopify.com/s/files/1/6909/3384/products/ipod-nano.png?0"');
		expect(html).toContain('<a href="https://shop.example.com/products/ipod-nano">IPod Nano - 8GB</a>');
		expect(html).toContain('href="https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token"');
		expect(html).toContain('Return to your cart');
		expect(html).toContain('<strong>$199.00</strong>');
		expect(html).toContain('href="https://shop.example.com/unsubscribe?email=example%40email.com">Unsubscribe</a>');
		expect(html).toContain('1 Main Street, Springfield');
		expect(hints(result)).toEqual(['Products left out: 1 listed twice']);
	});

	it('order: prices in the contact’s locale, the compare-at price struck through and an "only N left" badge', async () => {
		const html = (await runWorkflow(fixture('order.json'), options)).json(NODE)[0].html as string;
		expect(html).toContain('<html lang="de-DE"');
		expect(html).toContain('<s style="color:#6e7781;">15,00\u00A0$</s>');
		expect(html).toContain('Only 3 left');
		expect(html).toContain('Ship Your Idea \u2013 Color: Black, Size: M Test');
		expect(html).toContain('class="mj-column-per-50');
	});

	it('product list: hostile titles stay text, bad links are dropped, RTL names kept, coupon banner in the right time zone', async () => {
		const result = await runWorkflow(fixture('product-list.json'), options);
		const [first, second] = result.json(NODE);
		const html = first.html as string;
		expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
		expect(html).toContain('<div dir="auto" style="font-size:15px;font-weight:bold;line-height:1.3;"><a href="https://shop.example.com/products/watch">ساعة يد ذكية</a></div>');
		expect(html).toContain('SAVE-7KQ2MZ');
		// 21:59:59 UTC is 23:59:59 in Berlin: still 1 June.
		expect(html).toContain('Valid until June 1, 2026');
		expect(html).toContain('Only 2 left');
		expect(html).toContain('class="mj-column-per-33-33');
		expect(html).not.toContain('Sold out mug');
		expect(html).not.toContain('Gift card');
		expect(second.html as string).not.toContain('OLD-CODE');
		expect(hints(result)).toEqual(['Products left out: 1 out of stock, 1 no image', '1 coupon had expired: the coupon banner was left out']);
	});

	it('custom template: the user’s design with every value escaped', async () => {
		const html = (await runWorkflow(fixture('custom-template.json'), options)).json(NODE)[0].html as string;
		expect(html).toContain('Hi there, new in: 3 picks');
		expect(html).toContain('background:#b58900');
		expect(html).toContain('<a href="https://example.com/product/premium-quality-19/">Premium Quality</a><br />$21.99');
		expect(html).toContain('alt="&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
	});

	it('a custom template that breaks the rules stops the node with the line to fix', async () => {
		const f = fixture('custom-template.json');
		const result = await runWorkflow(f, {
			...options,
			parameters: { [NODE]: { customTemplate: '<mjml>\n<mj-body>\n<mj-section padding="{{heading}}"></mj-section>\n</mj-body>\n</mjml>' } },
		});
		expect(result.error?.message).toBe('Custom Template, line 3: placeholders are not allowed in the "padding" attribute of <mj-section>, only in href, src, alt, title and lang [item 0]');
		expect(result.error?.context?.itemIndex).toBe(0);
	});

	it('with Continue On Fail, bad items carry their error and the others go on', async () => {
		const f = fixture('bad-input.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(result.output(NODE).map((i) => i.pairedItem)).toEqual([0, 1, 2, 3, 4, 5].map((item) => ({ item })));
	});

	it('without Continue On Fail, the first bad item stops the node with its index and what to fix', async () => {
		const f = fixture('bad-input.json');
		f.nodes.forEach((n) => delete (n as { onError?: string }).onError);
		const result = await runWorkflow(f, options);
		expect(result.error?.message).toBe('"not-an-email" in "Email" is not a valid email address [item 1]');
		expect(result.error?.description).toBe('Check the "Email" field of this item');
		expect(result.error?.context?.itemIndex).toBe(1);
	});

	describe('when no product is left', () => {
		it('skips the item by default and says why', async () => {
			const f = fixture('no-products.json');
			const result = await runWorkflow(f, options);
			expect(result.error).toBeUndefined();
			expectPinnedOutputs(f, result);
			expect(hints(result)).toEqual(['1 item was skipped: no products left to show ("When No Products" is Skip)', '1 contact was not found in the contact store']);
		});

		it('outputs the email without products when asked', async () => {
			const result = await runWorkflow(fixture('no-products.json'), {
				...options,
				parameters: { [NODE]: { options: { whenNoProducts: 'output', referenceTime: '2026-05-20T10:00:00Z' } } },
			});
			const [item] = result.output(NODE);
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.json).toMatchObject({ email: 'nobody@example.com', productCount: 0, products: [], subject: 'You left something in your cart' });
			expectSafeEmail(item.json.html as string);
		});

		it('stops with an error naming the item when asked', async () => {
			const result = await runWorkflow(fixture('no-products.json'), {
				...options,
				parameters: { [NODE]: { options: { whenNoProducts: 'error' } } },
			});
			expect(result.error?.message).toBe('No products to show: no contact with the email "nobody@example.com" in the store [item 0]');
			expect(result.error?.description).toBe('Check the source and the filters, or set "When No Products" to skip the item');
		});

		it('explains an open cart that is missing and products all filtered out', async () => {
			const f = fixture('cart.json');
			const emptyCatalog = await runWorkflow(f, {
				...options,
				parameters: { [NODE]: { options: { catalog: '[]', whenNoProducts: 'error' } } },
			});
			expect(emptyCatalog.error?.message).toBe('No products to show: all 2 products left out (1 no image, 1 listed twice) [item 0]');
			const otherCart = await runWorkflow(f, { ...options, parameters: { [NODE]: { options: { cartId: 'nope' } } } });
			expect(otherCart.output(NODE)).toHaveLength(0);
			expect(hints(otherCart)).toContain('1 contact: no cart "nope"');
		});
	});

	it('passes the input through and overrides only its own keys', async () => {
		const result = await runWorkflow(fixture('custom-template.json'), {
			...options,
			input: [{ products: [{ title: 'Mug', price: 5, imageUrl: 'https://cdn.example.com/mug.png' }], campaign: 'spring', html: 'old' } as IDataObject],
		});
		const [json] = result.json(NODE);
		expect(json.campaign).toBe('spring');
		expect(json.html).not.toBe('old');
		expect(json.products).toEqual([expect.objectContaining({ title: 'Mug', formattedPrice: '$5.00' })]);
	});
});
