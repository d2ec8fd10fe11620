// The package as users get it (npm pack → n8n's nodes/ folder) inside a real n8n: Shopify
// checkout and order webhooks recorded by the Marketing Contact node into the zero-setup
// SQLite store, and the profile read back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startN8n, PACKAGE_NAME, type N8nInstance } from '../support/n8nInstance';

const WORKFLOW_ID = 'e2eContactProfile1';
const payload = (name: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'payloads', 'shopify', name), 'utf8'));

describe('Marketing Contact in a real n8n', () => {
	let n8n: N8nInstance | undefined;

	beforeAll(async () => {
		n8n = await startN8n({ name: 'contact-profile', workflows: [join(__dirname, 'workflows', 'contact-profile.json')] });
		console.log(`n8n ${n8n.baseUrl} timings (s): ${JSON.stringify(n8n.timings)}`);
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	it('loads every node of the package from the packed tarball', async () => {
		const types = await n8n!.nodeTypes();
		const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
		const expected = (manifest.n8n.nodes as string[]).map((file) => file.replace(/^.*\/(\w+)\.node\.js$/, '$1'));
		for (const className of expected) {
			const name = className.charAt(0).toLowerCase() + className.slice(1);
			expect(types).toContain(`${PACKAGE_NAME}.${name}`);
		}
	});

	it('records a Shopify checkout, then the order that converts it, and returns the profile', async () => {
		const checkout = { ...payload('checkouts-create.json'), email: 'Jon@Example.com' };
		// Shopify's sample order is a voided test order (not counted); this is the same order, paid.
		const order = { ...payload('orders-create.json'), financial_status: 'paid', cancelled_at: null, checkout_token: checkout.token, cart_token: checkout.cart_token };

		const cartRes = await n8n!.webhook('e2e-shopify-checkout', checkout);
		expect(cartRes.status).toBe(200);
		expect(cartRes.body).toMatchObject({ contact: { email: 'jon@example.com', orderCount: 0 }, cart: { cartId: checkout.token, convertedAt: null } });

		const orderRes = await n8n!.webhook('e2e-shopify-order', order);
		expect(orderRes.status).toBe(200);
		const profile = orderRes.body;
		expect(profile.found).toBe(true);
		expect(profile.contact).toMatchObject({ email: 'jon@example.com', orderCount: 1, totalSpent: Number(order.total_price) });
		expect(profile.orders).toHaveLength(1);
		expect(profile.orders[0].lineItems.map((l: { title: string }) => l.title)).toEqual(order.line_items.map((l: { title: string }) => l.title));
		expect(profile.carts).toHaveLength(1);
		expect(profile.carts[0].convertedAt).not.toBeNull();

		// The same webhook delivered again (Shopify retries) changes nothing.
		const replay = await n8n!.webhook('e2e-shopify-order', order);
		expect(replay.body.contact).toMatchObject({ orderCount: 1, totalSpent: Number(order.total_price) });

		// The zero-setup store is a SQLite file in the n8n user folder.
		const db = new DatabaseSync(join(n8n!.userFolder, '.n8n', 'ecommerce-marketing', 'contacts.db'), { readOnly: true });
		try {
			expect(db.prepare('SELECT order_count, total_spent FROM contacts WHERE email = ?').get('jon@example.com')).toEqual({ order_count: 1, total_spent: Number(order.total_price) });
			expect(db.prepare('SELECT count(*) AS n FROM orders').get()).toEqual({ n: 1 });
		} finally {
			db.close();
		}
	});

	it('fails an execution with the item index and the field to fix on bad input', async () => {
		const since = new Date(Date.now() - 1000);
		const res = await n8n!.webhook('e2e-shopify-order', { id: 1, line_items: [] });
		expect(res.status).toBe(500);
		const execution = await n8n!.waitForExecution(WORKFLOW_ID, { since });
		expect(execution.status).toBe('error');
		expect(JSON.stringify(execution.data.resultData.error)).toMatch(/item 0/);
	});
});
