// The worst of the hostile input catalogue through shipped recipes in ONE real n8n (the package
// installed from its tarball, mail caught by the SMTP sink): recipe 11 (coupon after the first
// purchase: Shopify orders/paid → Record Order → Issue Coupon → Sendable → Product Block → Send
// Email) and recipe 23 (the unsubscribe link). Its Shopify Trigger is replaced by a webhook entry
// that takes the order payload (tests/support/recipes.ts); everything else runs as shipped.
// - An order whose product titles and customer name hold script and markup, and whose product
//   links and images are javascript: / data: URLs: the received HTML parses to nothing
//   executable and no such link, the text part neither, and the hostile text is shown as text.
// - Malformed orders (no email, a negative price, 10,000 line items, a date in the year 9999):
//   failed executions whose message names the item and what to fix; nothing stored for them.
// - A forged unsubscribe link changes nothing; the received one suppresses exactly its contact.
// Afterwards the store is consistent (tests/support/storeConsistency.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openUncachedStore, type StoreConfig } from '../../lib/store';
import { htmlAttributeValues, htmlProblems, htmlText, textProblems } from '../support/emailSafety';
import { startN8n, type N8nInstance } from '../support/n8nInstance';
import { prepareRecipe, readRecipe, type PreparedRecipe } from '../support/recipes';
import { storeProblems } from '../support/storeConsistency';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSmtpSink } = require('../../scripts/lib/smtpSink');

interface Mail {
	to: string[];
	subject: string;
	html: string;
	text: string;
}

const TITLE = `<script>alert('title')</script><img src=x onerror=alert(1)>`;
const NAME = `\u202E<svg onload=alert(1)>"Eve`;
const sample = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'payloads', 'shopify', 'orders-create.json'), 'utf8'));

let ids = 0;
/** A paid Shopify order placed now (the sample is a voided test order), with changes. */
function paidOrder(email: string, changes: Record<string, unknown> = {}) {
	const id = 7_700_000_000 + ++ids;
	const at = new Date().toISOString();
	return {
		...sample,
		id,
		name: `#${id}`,
		email,
		contact_email: email,
		financial_status: 'paid',
		cancelled_at: null,
		cancel_reason: null,
		buyer_accepts_marketing: true,
		created_at: at,
		processed_at: at,
		updated_at: at,
		customer: { ...sample.customer, id: id + 1, email },
		...changes,
	};
}

describe('hostile input through shipped recipes in a real n8n', () => {
	let sink: { port: number; messages: Mail[]; close(): Promise<void> };
	let n8n: N8nInstance;
	let recipe: PreparedRecipe;
	let store: StoreConfig;

	beforeAll(async () => {
		sink = await startSmtpSink({});
		recipe = prepareRecipe(readRecipe('11-coupon-after-first-purchase.json'));
		n8n = await startN8n({ name: 'hostile-input', workflowData: [recipe.workflow, prepareRecipe(readRecipe('23-unsubscribe.json')).workflow], smtpPort: sink.port });
		store = { backend: 'sqlite', path: join(n8n.userFolder, '.n8n', 'ecommerce-marketing', 'contacts.db') };
		console.log(`n8n ${n8n.baseUrl} timings (s): ${JSON.stringify(n8n.timings)}`);
	});

	afterAll(async () => {
		await n8n?.stop();
		await sink?.close();
	});

	/** Posts an order to the recipe's entry and returns its finished execution. */
	async function orderPaid(order: unknown) {
		const since = new Date();
		await n8n.webhook(recipe.entries['Order paid'].path, order);
		return await n8n.waitForExecution(recipe.workflow.id, { since });
	}

	async function contact(email: string) {
		const s = await openUncachedStore(store);
		try {
			return await s.getContactDetails(email, ['orders']);
		} finally {
			await s.close();
		}
	}

	const mailsTo = (email: string) => sink.messages.filter((m) => m.to.includes(email));

	it('an order with script in its titles and customer name and javascript: links gives a safe email', async () => {
		const lines = (sample.line_items as Array<Record<string, unknown>>).map((line, i) => ({
			...line,
			title: `${TITLE} #${i}`,
			name: `${TITLE} #${i}`,
			image_url: ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:image/svg+xml,<svg onload=alert(1)>', 'java\tscript:alert(1)', '&#106;avascript:alert(1)'][i % 5],
			url: 'vbscript:msgbox(1)',
		}));
		const order = paidOrder('eve.hostile@example.com', {
			line_items: lines,
			customer: { ...sample.customer, id: 1, email: 'eve.hostile@example.com', first_name: NAME, last_name: TITLE },
		});
		const execution = await orderPaid(order);
		expect({ status: execution.status, error: execution.data?.resultData?.error?.message }).toEqual({ status: 'success', error: undefined });
		const [mail] = mailsTo('eve.hostile@example.com');
		expect(mail).toBeDefined();
		expect(htmlProblems(mail.html)).toEqual([]);
		expect(textProblems(mail.text)).toEqual([]);
		const shown = htmlText(mail.html);
		expect(shown).toContain(`${TITLE} #0`);
		expect(shown).toContain(`Thank you for your first order, ${NAME.replace('\u202E', '')}!`);
		expect(mail.text).toContain(`* ${TITLE} #0`);
		expect(mail.html).not.toMatch(/[\u202A-\u202E]/);
		const links = htmlAttributeValues(mail.html, ['href', 'src']).map((v) => v.replace(/[\u0000-\u0020]+/g, '').toLowerCase());
		expect(links.filter((v) => !/^https?:\/\//.test(v) && v !== '')).toEqual([]);
		expect(mail.subject).not.toMatch(/[\r\n\u202E]/);
	});

	it.each([
		['no email', () => paidOrder('', { email: null, contact_email: null, customer: null }), 'No email address found in "email" [item 0]'],
		['a negative price', () => paidOrder('neg.price@example.com', { line_items: [{ ...sample.line_items[0], price: '-5.00' }] }), '"line_items[0].price" must not be negative (got -5) [item 0]'],
		[
			'10,000 line items',
			() => paidOrder('huge.cart@example.com', { line_items: Array.from({ length: 10000 }, (_, i) => ({ title: `Item ${i}`, price: '1.00', quantity: 1 })) }),
			'"line_items" has 10000 line items; at most 500 are accepted [item 0]',
		],
		['a date in the year 9999', () => paidOrder('far.future@example.com', { processed_at: '9999-12-31T23:59:59Z' }), 'is in the year 9999; dates from 1900 to 2200 are accepted [item 0]'],
	])('an order with %s fails its execution with a message that says what to fix, and stores nothing', async (_what, build, message) => {
		const order = build();
		const execution = await orderPaid(order);
		expect(execution.status).toBe('error');
		expect(execution.data.resultData.error.message).toContain(message);
		expect(execution.data.resultData.lastNodeExecuted).toBe('Record order');
		if (order.email) expect(await contact(String(order.email))).toBeNull();
		expect(mailsTo(String(order.email))).toEqual([]);
	});

	it('a forged unsubscribe link changes nothing; the received one suppresses exactly its contact', async () => {
		const [mail] = mailsTo('eve.hostile@example.com');
		const found = /Unsubscribe: (https?:\/\/\S+)/.exec(mail.text);
		expect(found).not.toBeNull();
		const link = new URL(found![1]);
		const local = (url: URL) => `${n8n.baseUrl}${url.pathname}${url.search}`;
		const forged = new URL(link);
		forged.searchParams.set('e', 'someone.else@example.com');
		const truncated = new URL(link);
		truncated.searchParams.set('t', String(link.searchParams.get('t')).slice(0, 20));
		for (const url of [forged, truncated]) {
			const res = await fetch(local(url), { signal: AbortSignal.timeout(30_000) });
			expect(res.status).toBe(400);
			expect(await res.text()).toContain('This link is not valid');
		}
		expect((await contact('eve.hostile@example.com'))?.contact).toMatchObject({ suppressed: false });
		expect(await contact('someone.else@example.com')).toBeNull();

		const res = await fetch(local(link), { signal: AbortSignal.timeout(30_000) });
		expect(res.status).toBe(200);
		expect(await res.text()).toContain('eve.hostile@example.com will get no more marketing email');
		const s = await openUncachedStore(store);
		try {
			const all = await s.findSegmentContacts({ combinator: 'and', conditions: [] }, { afterId: 0, limit: 100, context: { now: Date.now(), abandonedAfterMs: 3_600_000 } });
			expect(all.filter((c) => c.suppressed).map((c) => c.email)).toEqual(['eve.hostile@example.com']);
			expect(all.map((c) => c.email)).toEqual(['eve.hostile@example.com']);
		} finally {
			await s.close();
		}
		expect(await storeProblems(store)).toEqual([]);
	});
});
