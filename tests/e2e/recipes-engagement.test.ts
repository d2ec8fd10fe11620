// The engagement recipes (04, 05, 06, 07, 09, 14, 16, 22) as users import them, in one real n8n
// with the packed package and an SMTP sink. Replaced triggers (tests/support/recipes.ts): the
// Shopify Trigger "Order paid" of 09 (orders/paid) and the Schedule Triggers "Every day" (05, 06,
// 22) and "Every hour" (14) become webhook entries that emit the payload the trigger would; the
// Webhook triggers of 04, 07 and 16 are called as shipped, and so is the shipped Unsubscribe
// workflow (23) that the links in the emails lead to. Each recipe works on its own contacts and
// its own stretch of time, so the sweeps of one never reach the contacts of another.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openUncachedStore, type ContactProfile, type ContactStore, type OrderEvent } from '../../lib/store';
import { startN8n, type Execution, type N8nInstance } from '../support/n8nInstance';
import { prepareRecipe, readRecipe, type PreparedRecipe } from '../support/recipes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSmtpSink } = require('../../scripts/lib/smtpSink');

interface Mail {
	to: string[];
	subject: string;
	html: string;
	text: string;
}

const FILES = {
	'04': '04-engagement-tagging-part-1.json',
	'05': '05-engagement-tagging-part-2.json',
	'06': '06-re-engagement-after-inactivity.json',
	'07': '07-product-interest-tagging.json',
	'09': '09-tiered-loyalty-program.json',
	'14': '14-focused-sales-drip.json',
	'16': '16-site-visit-score.json',
	'22': '22-loyalty-points-reminder.json',
	// The shipped Unsubscribe workflow, where the links in the emails lead.
	'23': '23-unsubscribe.json',
} as const;
type Nn = keyof typeof FILES;

const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const utc = (y: number, m: number, d: number, h = 15) => Date.UTC(y, m - 1, d, h);
const fixture = (path: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'payloads', path), 'utf8'));

/** Shopify's orders/paid sample as a real sale: paid, not cancelled, for this email, at this time. */
function shopifyOrder(id: number, email: string, at: number, extra: Record<string, unknown> = {}) {
	const sample = fixture('shopify/orders-paid.json');
	return {
		...sample,
		id,
		admin_graphql_api_id: `gid://shopify/Order/${id}`,
		name: `#${id}`,
		order_number: id,
		email,
		contact_email: email,
		customer: { ...sample.customer, id: id * 10, email, admin_graphql_api_id: `gid://shopify/Customer/${id * 10}` },
		financial_status: 'paid',
		cancelled_at: null,
		cancel_reason: null,
		created_at: iso(at),
		processed_at: iso(at),
		updated_at: iso(at),
		buyer_accepts_marketing: true,
		...extra,
	};
}

/** An order recorded straight into the store (a shop whose orders come from elsewhere). */
function storeOrder(orderId: string, email: string, at: number, total = 50): OrderEvent {
	return {
		source: 'custom',
		orderId,
		contact: { email },
		placedAt: at,
		total,
		currency: 'USD',
		status: 'open',
		financialStatus: 'paid',
		lineItems: [{ title: 'Ceramic mug', price: total, quantity: 1 }],
	};
}

describe('engagement recipes in a real n8n', () => {
	let sink: { port: number; messages: Mail[]; close(): Promise<void> };
	let n8n: N8nInstance | undefined;
	const recipes = {} as Record<Nn, PreparedRecipe>;

	beforeAll(async () => {
		sink = await startSmtpSink({});
		for (const [nn, file] of Object.entries(FILES) as Array<[Nn, string]>) recipes[nn] = prepareRecipe(readRecipe(file));
		n8n = await startN8n({
			name: 'recipes-engagement',
			workflowData: Object.values(recipes).map((r) => r.workflow),
			smtpPort: sink.port,
			// Contacts without a time zone of their own are checked for quiet hours in this one.
			env: { GENERIC_TIMEZONE: 'America/New_York' },
		});
		console.log(`n8n ${n8n.baseUrl} timings (s): ${JSON.stringify(n8n.timings)}`);
	});

	afterAll(async () => {
		await n8n?.stop();
		await sink?.close();
	});

	// ---------------------------------------------------------------- helpers

	async function withStore<T>(fn: (store: ContactStore) => Promise<T>): Promise<T> {
		const store = await openUncachedStore({ backend: 'sqlite', path: join(n8n!.userFolder, '.n8n', 'ecommerce-marketing', 'contacts.db') });
		try {
			return await fn(store);
		} finally {
			await store.close();
		}
	}
	const contact = (email: string): Promise<ContactProfile | null> => withStore((s) => s.getContact(email));
	const tagsOf = async (email: string, group: string) => ((await contact(email))?.tags ?? []).filter((t) => t.startsWith(group)).sort();
	const mailsTo = (email: string): Mail[] => sink.messages.filter((m) => m.to.includes(email));
	const subjectsTo = (email: string) => mailsTo(email).map((m) => m.subject);

	/** Output items of a node in an execution (every run, first output). */
	function itemsOf(execution: Execution, node: string): Array<Record<string, any>> {
		const runs = execution.data?.resultData?.runData?.[node] ?? [];
		return runs.flatMap((run: any) => (run.data?.main?.[0] ?? []).map((item: { json: Record<string, any> }) => item.json));
	}

	async function finished(nn: Nn, since: Date): Promise<Execution> {
		const execution = await n8n!.waitForExecution(recipes[nn].workflow.id, { since });
		expect({ recipe: nn, status: execution.status, error: execution.data?.resultData?.error?.message }).toEqual({ recipe: nn, status: 'success', error: undefined });
		return execution;
	}

	/** Calls a shipped Webhook trigger (answered on receipt) and waits for its execution. */
	async function hook(nn: Nn, path: string, body: unknown): Promise<Execution> {
		const since = new Date();
		const res = await n8n!.webhook(path, body);
		expect(res.status).toBe(200);
		return await finished(nn, since);
	}

	/**
	 * Calls the entry that replaced a Shopify or Schedule trigger. It answers when the execution
	 * ends, with the first item of the last node; when that node output nothing (nothing due, a
	 * filter let nothing through) n8n answers 500 "No item to return was found" for a run that
	 * succeeded, so the execution's own status is what counts.
	 */
	async function entry(nn: Nn, trigger: string, body: unknown): Promise<Execution> {
		const since = new Date();
		const res = await n8n!.webhook(recipes[nn].entries[trigger].path, body);
		const answered = res.status === 200 || (res.status === 500 && /No item to return was found/.test(JSON.stringify(res.body)));
		expect({ recipe: nn, answered, status: res.status, body: answered ? undefined : res.body }).toEqual({ recipe: nn, answered: true, status: res.status, body: undefined });
		return await finished(nn, since);
	}
	const sweep = (nn: Nn, at: number, trigger = 'Every day') => entry(nn, trigger, { timestamp: iso(at) });

	// ---------------------------------------------------------------- 04

	describe('04 · engagement tagging, part 1', () => {
		const HANK = 'hank-engaged@example.com';
		const IVY = 'ivy-engaged@example.com';
		const KIM = 'kim-engaged@example.com';
		const EMAIL_HOOK = 'ecommerce-engagement-email-events';
		const VISIT_HOOK = 'ecommerce-engagement-site-visits';

		it('tags a contact engaged on a Mailgun open and a Postmark click, once per event', async () => {
			const open = fixture('email/mailgun-opened.json');
			Object.assign(open['event-data'], { id: 'e2e-open-hank', recipient: HANK, timestamp: (Date.now() - 2 * HOUR) / 1000 });
			const first = await hook('04', EMAIL_HOOK, open);
			expect(itemsOf(first, 'Update engagement tag')).toEqual([expect.objectContaining({ email: HANK, state: 'engaged', tag: 'engagement:engaged', changed: true })]);
			expect(await tagsOf(HANK, 'engagement:')).toEqual(['engagement:engaged']);
			const engagedAt = (await contact(HANK))!.lastEngagementAt;
			expect(Date.parse(engagedAt!)).toBe(Math.round(open['event-data'].timestamp * 1000));

			// The provider retries the same event: a replay, nothing changes.
			const replay = await hook('04', EMAIL_HOOK, open);
			expect(itemsOf(replay, 'Record email event')[0]).toMatchObject({ duplicate: true });
			expect(itemsOf(replay, 'Update engagement tag')).toEqual([expect.objectContaining({ state: 'engaged', changed: false })]);

			const click = { ...fixture('email/postmark-click.json'), Recipient: HANK, ReceivedAt: iso(Date.now() - HOUR) };
			await hook('04', EMAIL_HOOK, click);
			const after = (await contact(HANK))!;
			expect(after.tags.filter((t) => t.startsWith('engagement:'))).toEqual(['engagement:engaged']);
			expect(Date.parse(after.lastEngagementAt!)).toBe(Date.parse(click.ReceivedAt));
		});

		it('records a SendGrid batch, skipping events that are not engagement', async () => {
			const at = Math.floor((Date.now() - HOUR) / 1000);
			const events = fixture('email/sendgrid-events.json')
				.filter((e: { event: string }) => ['processed', 'delivered', 'open', 'click'].includes(e.event))
				.map((e: Record<string, unknown>, i: number) => ({ ...e, email: IVY, timestamp: at, sg_event_id: `e2e-ivy-${i}` }));
			const execution = await hook('04', EMAIL_HOOK, events);
			const recorded = itemsOf(execution, 'Record email event');
			expect(recorded.filter((j) => j.skipped)).not.toHaveLength(0);
			expect(recorded.filter((j) => j.contact).map((j) => j.event.type)).toEqual(expect.arrayContaining(['open', 'click']));
			expect(await tagsOf(IVY, 'engagement:')).toEqual(['engagement:engaged']);
		});

		it('keeps exactly one engagement tag as site visits come in, and ignores anonymous visitors', async () => {
			// An old visit (40 days ago, e.g. replayed from a queue): the contact is inactive.
			await hook('04', VISIT_HOOK, { email: KIM, url: 'https://shop.example.com/', visitedAt: iso(Date.now() - 40 * DAY) });
			expect(await tagsOf(KIM, 'engagement:')).toEqual(['engagement:inactive']);
			// 10 days ago (between 7 and 21 days): recent activity…
			await hook('04', VISIT_HOOK, { email: KIM, url: 'https://shop.example.com/collections/all', visitedAt: iso(Date.now() - 10 * DAY) });
			expect(await tagsOf(KIM, 'engagement:')).toEqual(['engagement:recent-activity']);
			// …and today: engaged, still one tag.
			const visit = { email: KIM, url: 'https://shop.example.com/products/aviator', visitedAt: iso(Date.now() - 5 * 60_000) };
			await hook('04', VISIT_HOOK, visit);
			expect(await tagsOf(KIM, 'engagement:')).toEqual(['engagement:engaged']);
			const visits = (await contact(KIM))!.siteVisits;
			expect(visits).toBe(3);
			// The same visit posted again is recorded once.
			await hook('04', VISIT_HOOK, visit);
			expect((await contact(KIM))!.siteVisits).toBe(3);

			// No email (an anonymous visitor): filtered out, nothing recorded, no failed execution.
			const anonymous = await hook('04', VISIT_HOOK, { url: 'https://shop.example.com/' });
			expect(itemsOf(anonymous, 'Known visitors only')).toEqual([]);
			expect(mailsTo(KIM)).toEqual([]);
		});
	});

	// ---------------------------------------------------------------- 05

	describe('05 · engagement tagging, part 2', () => {
		const NED = 'ned-sweep@example.com';

		it('moves a contact from engaged to recent activity, disengaged and inactive as days pass, once each', async () => {
			const visitedAt = Date.now() - HOUR;
			await hook('04', 'ecommerce-engagement-site-visits', { email: NED, url: 'https://shop.example.com/', visitedAt: iso(visitedAt) });
			expect(await tagsOf(NED, 'engagement:')).toEqual(['engagement:engaged']);

			const stateAfter = async (days: number) => {
				const execution = await sweep('05', visitedAt + days * DAY);
				return itemsOf(execution, 'Sweep engagement tags').filter((j) => j.email === NED);
			};
			expect(await stateAfter(3)).toEqual([]);
			expect(await tagsOf(NED, 'engagement:')).toEqual(['engagement:engaged']);
			expect(await stateAfter(8)).toEqual([expect.objectContaining({ previousState: 'engaged', state: 'recent-activity', tag: 'engagement:recent-activity', changed: true })]);
			expect(await tagsOf(NED, 'engagement:')).toEqual(['engagement:recent-activity']);
			// The same day again: nothing to change.
			expect(await stateAfter(8)).toEqual([]);
			expect(await stateAfter(22)).toEqual([expect.objectContaining({ previousState: 'recent-activity', state: 'disengaged' })]);
			expect(await tagsOf(NED, 'engagement:')).toEqual(['engagement:disengaged']);
			expect(await stateAfter(31)).toEqual([expect.objectContaining({ previousState: 'disengaged', state: 'inactive', daysSinceEngagement: 31 })]);
			expect(await tagsOf(NED, 'engagement:')).toEqual(['engagement:inactive']);
			expect(await stateAfter(32)).toEqual([]);
		});
	});

	// ---------------------------------------------------------------- 06

	describe('06 · re-engagement after inactivity', () => {
		const ALICE = 'alice-winback@example.com';
		const BOB = 'bob-winback@example.com';
		const CAROL = 'carol-winback@example.com';
		const DANA = 'dana-winback@example.com';
		const LAST_ORDER = utc(2023, 1, 10);
		const day = (n: number, from = LAST_ORDER) => from + n * DAY;

		beforeAll(async () => {
			await withStore(async (store) => {
				for (const [email, firstName] of [
					[ALICE, 'Alice'],
					[BOB, 'Bob'],
					[CAROL, 'Carol'],
					[DANA, 'Dana'],
				]) {
					await store.upsertProfile({ email, firstName, status: 'subscribed' });
					await store.recordOrder(storeOrder(`wb-${firstName}`, email, LAST_ORDER));
				}
				await store.unsubscribe(BOB, 'unsubscribed');
			});
		});

		it('sends first, follow-ups and final at 3, 5, 7 and 9 months, each once, then suppresses the contact', async () => {
			await sweep('06', day(89));
			expect(mailsTo(ALICE)).toEqual([]);

			await sweep('06', day(90));
			expect(subjectsTo(ALICE)).toEqual(['We miss you at Your Store']);
			expect(subjectsTo(CAROL)).toEqual(['We miss you at Your Store']);
			expect(subjectsTo(DANA)).toEqual(['We miss you at Your Store']);
			const first = mailsTo(ALICE)[0];
			expect(first.html).toContain("It's been a while, Alice!");
			expect(first.html).toContain('https://shop.example.com/collections/new');
			expect(first.html).toMatch(/href="http:\/\/[^"]+\/webhook\/[^"]*unsubscribe[^"]*[?&]e=alice-winback%40example\.com/);
			expect(first.text).toContain('Unsubscribe: http');

			// The same morning again (a retry): nothing goes twice.
			await sweep('06', day(90));
			expect(mailsTo(ALICE)).toHaveLength(1);

			// Dana clicks the unsubscribe link of her email (the shipped Unsubscribe workflow).
			const link = new URL(/href="([^"]+)"[^>]*>Unsubscribe</.exec(mailsTo(DANA)[0].html)![1].replace(/&amp;/g, '&'));
			const clicked = await n8n!.webhook(`${link.pathname.replace(/^\/webhook\//, '')}${link.search}`, undefined, { method: 'GET' });
			expect(clicked.status).toBe(200);
			expect(String(clicked.body)).toContain('You are unsubscribed');
			expect(await contact(DANA)).toMatchObject({ status: 'unsubscribed', suppressed: true });

			// Carol buys again: she leaves the window, Alice goes on.
			await withStore((s) => s.recordOrder(storeOrder('wb-Carol-2', CAROL, utc(2023, 5, 1))));
			await sweep('06', day(150));
			expect(subjectsTo(ALICE)).toEqual(['We miss you at Your Store', "Still there? Here's what you've missed"]);
			expect(mailsTo(CAROL)).toHaveLength(1);

			// Day 210 for Alice (second follow-up); day 99 after Carol's new order: her new series starts.
			await sweep('06', day(210));
			expect(subjectsTo(ALICE)).toEqual(['We miss you at Your Store', "Still there? Here's what you've missed", "Still there? Here's what you've missed"]);
			expect(subjectsTo(CAROL)).toEqual(['We miss you at Your Store', 'We miss you at Your Store']);

			await sweep('06', day(270));
			const final = mailsTo(ALICE)[3];
			expect(final.subject).toBe('Before we say goodbye: 15% off to come back');
			const code = /COMEBACK-[A-Z0-9]{8}/.exec(final.html)?.[0];
			expect(code).toBeDefined();
			expect(final.text).toContain(code);
			expect(final.html).toContain('This is our last email, Alice');
			expect(final.html).toContain(`Valid until ${new Date(day(300)).toLocaleDateString('en-US', { month: 'long', day: 'numeric', year: 'numeric', timeZone: 'UTC' })}`);
			expect(final.html).toMatch(/href="http:\/\/[^"]+unsubscribe[^"]*e=alice-winback%40example\.com/);
			const details = await withStore((s) => s.getContactDetails(ALICE, ['coupons']));
			expect(JSON.stringify(details)).toContain(code!);

			// 30 days after the final email the window ends: suppressed as lapsed, no email.
			await sweep('06', day(300));
			expect(mailsTo(ALICE)).toHaveLength(4);
			expect(await contact(ALICE)).toMatchObject({ suppressed: true, suppressionReason: 'lapsed' });
			await sweep('06', day(330));
			expect(mailsTo(ALICE)).toHaveLength(4);

			// Bob unsubscribed before, Dana after her first email: nothing (more) for them.
			expect(mailsTo(BOB)).toEqual([]);
			expect(mailsTo(DANA)).toHaveLength(1);
		});
	});

	// ---------------------------------------------------------------- 07

	describe('07 · product interest tagging', () => {
		const FRANK = 'frank-views@example.com';
		const HOOK = 'ecommerce-product-interest-views';
		const view = (productId: string, title: string, type: string, daysAgo: number) => ({
			email: FRANK,
			product_id: productId,
			title,
			product_type: type,
			url: `https://shop.example.com/products/${productId}`,
			image_url: `https://cdn.example.com/${productId}.jpg`,
			price: 89.99,
			viewed_at: iso(Date.now() - daysAgo * DAY),
		});

		it('tags the interest on the third view of a product within 30 days, counting replays once', async () => {
			const aviator = [3, 2, 1].map((d) => view('1001', 'Aviator sunglasses', 'Sunglasses', d));
			const lounger = [5, 4].map((d) => view('2002', 'Mid-century lounger', 'Furniture', d));
			// An old view (45 days ago) does not count.
			await hook('07', HOOK, view('2002', 'Mid-century lounger', 'Furniture', 45));
			for (const v of [aviator[0], aviator[1], ...lounger]) await hook('07', HOOK, v);
			// The second view posted again: a replay.
			const replay = await hook('07', HOOK, aviator[1]);
			expect(itemsOf(replay, 'Record product view')[0]).toMatchObject({ duplicate: true });
			expect(await tagsOf(FRANK, 'interest:')).toEqual([]);

			const third = await hook('07', HOOK, aviator[2]);
			expect(itemsOf(third, 'Tag product interest')[0]).toMatchObject({ found: true, added: ['interest:aviator-sunglasses', 'interest:sunglasses'] });
			expect(await tagsOf(FRANK, 'interest:')).toEqual(['interest:aviator-sunglasses', 'interest:sunglasses']);
			// Lounger: 2 recent views and one too old, no interest yet.
			expect(await tagsOf(FRANK, 'interest:lounger')).toEqual([]);
			expect(mailsTo(FRANK)).toEqual([]);
		});
	});

	// ---------------------------------------------------------------- 09

	describe('09 · tiered loyalty program', () => {
		const DAVE = 'dave-loyalty@example.com';
		const ERIN = 'erin-loyalty@example.com';

		it('adds a point per dollar once per order and sends each tier reward once, with a coupon', async () => {
			const order1 = shopifyOrder(9001, DAVE, utc(2025, 6, 2));
			await entry('09', 'Order paid', order1);
			expect(await contact(DAVE)).toMatchObject({ scores: { loyalty: 404 }, tiers: { loyalty: 'Bronze' }, orderCount: 1 });
			// Shopify delivers the webhook again: no points twice.
			await entry('09', 'Order paid', order1);
			// A voided order earns nothing.
			await entry('09', 'Order paid', shopifyOrder(9002, DAVE, utc(2025, 6, 5), { financial_status: 'voided', cancelled_at: iso(utc(2025, 6, 5)) }));
			expect(await contact(DAVE)).toMatchObject({ scores: { loyalty: 404 }, tiers: { loyalty: 'Bronze' } });
			expect(mailsTo(DAVE)).toEqual([]);

			const order3 = shopifyOrder(9003, DAVE, utc(2025, 6, 10));
			await entry('09', 'Order paid', order3);
			expect(await contact(DAVE)).toMatchObject({ scores: { loyalty: 808 }, tiers: { loyalty: 'Silver' } });
			expect(subjectsTo(DAVE)).toEqual(["You're Silver now: 10% off your next order"]);
			const silver = mailsTo(DAVE)[0];
			const silverCode = /SILVER-[A-Z0-9]{8}/.exec(silver.html)?.[0];
			expect(silverCode).toBeDefined();
			expect(silver.html).toContain('808 loyalty points');
			expect(silver.html).toContain('Welcome to Silver, John!');
			expect(silver.html).toContain('Valid until July 10, 2025');
			expect(silver.text).toContain(silverCode);
			expect(silver.html).toMatch(/href="http:\/\/[^"]+unsubscribe[^"]*e=dave-loyalty%40example\.com/);

			// The same order again, then an order that stays in Silver: no second reward.
			await entry('09', 'Order paid', order3);
			await entry('09', 'Order paid', shopifyOrder(9004, DAVE, utc(2025, 6, 12), { total_price: '50.00' }));
			expect(mailsTo(DAVE)).toHaveLength(1);

			await entry('09', 'Order paid', shopifyOrder(9005, DAVE, utc(2025, 6, 20)));
			expect(await contact(DAVE)).toMatchObject({ scores: { loyalty: 1262 }, tiers: { loyalty: 'Gold' } });
			expect(subjectsTo(DAVE)).toEqual(["You're Silver now: 10% off your next order", 'Welcome to Gold: 15% off + free shipping']);
			const gold = mailsTo(DAVE)[1];
			expect(gold.html).toMatch(/GOLD-[A-Z0-9]{8}/);
			expect(gold.html).toContain('15% off and free shipping');
			expect(gold.html).toContain('1262 loyalty points');
		});

		it('sends nothing to a customer who unsubscribed (at the email provider), though points and tier still count', async () => {
			const unsubscribed = fixture('email/mailgun-unsubscribed.json');
			Object.assign(unsubscribed['event-data'], { id: 'e2e-unsub-erin', recipient: ERIN, timestamp: utc(2025, 5, 1) / 1000 });
			await hook('04', 'ecommerce-engagement-email-events', unsubscribed);
			expect(await contact(ERIN)).toMatchObject({ status: 'unsubscribed', suppressed: true });

			await entry('09', 'Order paid', shopifyOrder(9101, ERIN, utc(2025, 6, 2)));
			const execution = await entry('09', 'Order paid', shopifyOrder(9102, ERIN, utc(2025, 6, 3)));
			expect(await contact(ERIN)).toMatchObject({ scores: { loyalty: 808 }, tiers: { loyalty: 'Silver' }, status: 'unsubscribed' });
			expect(itemsOf(execution, 'Moved up to a reward tier?')).toEqual([expect.objectContaining({ tier: 'Silver', direction: 'up' })]);
			expect(itemsOf(execution, 'Tier reward coupon')).toEqual([]);
			expect(mailsTo(ERIN)).toEqual([]);
		});
	});

	// ---------------------------------------------------------------- 16

	describe('16 · lead score for site visits', () => {
		const GRACE = 'grace-visits@example.com';
		const HOOK = 'ecommerce-site-visit-score';

		it('adds 10 points per product-page visit of the last 30 days, each visit once', async () => {
			const visit = (path: string, daysAgo: number) => ({ email: GRACE, url: `https://shop.example.com${path}`, visitedAt: iso(Date.now() - daysAgo * DAY) });
			const visits = [visit('/products/aviator', 3), visit('/products/lounger', 2), visit('/pages/about', 2), visit('/products/old', 40), visit('/products/coffee-table', 1)];
			for (const v of visits) await hook('16', HOOK, v);
			expect((await contact(GRACE))!.scores.lead).toBe(30);
			// A visit posted twice is recorded and awarded once.
			const replay = await hook('16', HOOK, visits[0]);
			expect(itemsOf(replay, 'Lead points for product pages')[0]).toMatchObject({ awarded: 0, points: 30 });
			expect(await contact(GRACE)).toMatchObject({ siteVisits: 5, scores: { lead: 30 } });
		});
	});

	// ---------------------------------------------------------------- 14

	describe('14 · focused sales drip', () => {
		const LENA = 'lena-lead@example.com';
		const MIKE = 'mike-lead@example.com';
		const NORA = 'nora-lead@example.com';
		const OWEN = 'owen-lead@example.com';
		// Tomorrow 15:00 UTC: daytime in New York, after the visits below.
		const T0 = utc(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, new Date().getUTCDate() + 1);

		beforeAll(async () => {
			await withStore(async (store) => {
				await store.upsertProfile({ email: LENA, firstName: 'Lena', status: 'subscribed' });
				await store.upsertProfile({ email: MIKE, firstName: 'Mike', status: 'subscribed' });
				await store.upsertProfile({ email: NORA, firstName: 'Nora', status: 'subscribed' });
				await store.upsertProfile({ email: OWEN, firstName: 'Owen', status: 'subscribed' });
				await store.adjustScore(OWEN, 'lead', 55);
				await store.adjustScore(MIKE, 'lead', 20);
				await store.adjustScore(NORA, 'lead', 60);
				await store.unsubscribe(NORA, 'unsubscribed');
			});
			// Lena earns her lead score through recipe 16: five product pages.
			for (let i = 1; i <= 5; i++) {
				await hook('16', 'ecommerce-site-visit-score', { email: LENA, url: `https://shop.example.com/products/p${i}`, visitedAt: iso(Date.now() - i * HOUR) });
			}
		});

		it('enrolls a lead once when the score first reaches 50 and sends the three drip emails on days 0, 2 and 5, until a purchase', async () => {
			expect((await contact(LENA))!.scores.lead).toBe(50);

			const start = await sweep('14', T0, 'Every hour');
			expect(itemsOf(start, 'Reached 50 points?').map((j) => j.scoreThreshold.email).sort()).toEqual([LENA, NORA, OWEN]);
			expect(itemsOf(start, 'Enroll in sales drip').map((j) => j.email).sort()).toEqual([LENA, NORA, OWEN]);
			expect(subjectsTo(LENA)).toEqual(["Picked for you: our customers' favourites"]);
			expect(subjectsTo(OWEN)).toEqual(["Picked for you: our customers' favourites"]);
			expect(mailsTo(LENA)[0].html).toContain('Still deciding, Lena?');
			// Owen buys the next day: his drip stops.
			await withStore((s) => s.recordOrder(storeOrder('drip-owen', OWEN, T0 + DAY)));

			// An hour later and a retry of the same hour: the threshold does not fire again, nothing goes twice.
			await sweep('14', T0, 'Every hour');
			const later = await sweep('14', T0 + HOUR, 'Every hour');
			expect(itemsOf(later, 'Reached 50 points?')).toEqual([]);
			expect(mailsTo(LENA)).toHaveLength(1);

			await sweep('14', T0 + 2 * DAY, 'Every hour');
			expect(subjectsTo(LENA)).toEqual(["Picked for you: our customers' favourites", 'Why our customers keep coming back']);

			await sweep('14', T0 + 5 * DAY, 'Every hour');
			const last = mailsTo(LENA)[2];
			expect(last.subject).toBe('10% off, just for you: 3 days only');
			expect(last.html).toMatch(/TRY10-[A-Z0-9]{8}/);
			expect(last.html).toContain('A little nudge, Lena: 10% off');
			expect(last.html).toContain(`Valid until ${new Date(T0 + 8 * DAY).toLocaleDateString('en-US', { month: 'long', day: 'numeric', year: 'numeric', timeZone: 'America/New_York' })}`);
			expect(last.html).toMatch(/href="http:\/\/[^"]+unsubscribe[^"]*e=lena-lead%40example\.com/);

			await sweep('14', T0 + 6 * DAY, 'Every hour');
			expect(mailsTo(LENA)).toHaveLength(3);
			// Below the threshold: never enrolled. Unsubscribed: enrolled, but never emailed.
			expect(mailsTo(MIKE)).toEqual([]);
			expect(mailsTo(NORA)).toEqual([]);
			expect(mailsTo(OWEN)).toHaveLength(1);
		});
	});

	// ---------------------------------------------------------------- 22

	describe('22 · loyalty points reminder', () => {
		const OLGA = 'olga-points@example.com';
		const PAUL = 'paul-points@example.com';
		const QUINN = 'quinn-points@example.com';
		const RITA = 'rita-points@example.com';
		const ORDERED = utc(2024, 5, 1);
		const RITA_ORDERED = utc(2024, 5, 10);
		// Rita lives where it is early afternoon right now (a fixed-offset zone), so a reminder held
		// back by her night can be sent as soon as the workflow's Wait lets it through.
		const offset = (((13 - new Date().getUTCHours()) % 24) + 24) % 24;
		const ritaOffset = offset > 14 ? offset - 24 : offset;
		const RITA_ZONE = ritaOffset === 0 ? 'Etc/GMT' : ritaOffset > 0 ? `Etc/GMT-${ritaOffset}` : `Etc/GMT+${-ritaOffset}`;

		beforeAll(async () => {
			// Olga, Paul and Rita collect points through recipe 09 (Bronze: no reward email).
			await entry('09', 'Order paid', shopifyOrder(2201, OLGA, ORDERED));
			await entry('09', 'Order paid', shopifyOrder(2202, PAUL, ORDERED));
			await entry('09', 'Order paid', shopifyOrder(2204, RITA, RITA_ORDERED));
			await withStore(async (store) => {
				await store.unsubscribe(PAUL, 'unsubscribed');
				await store.upsertProfile({ email: QUINN, status: 'subscribed' });
				await store.recordOrder(storeOrder('pts-quinn', QUINN, ORDERED));
				await store.upsertProfile({ email: RITA, timeZone: RITA_ZONE });
			});
		});

		it('reminds a customer with unused points after 60 days without an order, once', async () => {
			expect(await contact(OLGA)).toMatchObject({ scores: { loyalty: 404 }, tiers: { loyalty: 'Bronze' } });
			await sweep('22', ORDERED + 59 * DAY);
			expect(mailsTo(OLGA)).toEqual([]);

			await sweep('22', ORDERED + 61 * DAY);
			expect(subjectsTo(OLGA)).toEqual(['You have 404 loyalty points waiting']);
			const mail = mailsTo(OLGA)[0];
			expect(mail.html).toContain('<strong>404 loyalty points</strong> in your account as a Bronze member');
			expect(mail.html).toContain('Your points are waiting, John');
			expect(mail.html).toMatch(/href="http:\/\/[^"]+unsubscribe[^"]*e=olga-points%40example\.com/);

			await sweep('22', ORDERED + 61 * DAY);
			await sweep('22', ORDERED + 62 * DAY);
			expect(mailsTo(OLGA)).toHaveLength(1);
			// Unsubscribed: nothing. No points: not in the segment.
			expect(mailsTo(PAUL)).toEqual([]);
			expect(mailsTo(QUINN)).toEqual([]);
		});

		it('holds a reminder back during the contact\'s night and sends it when the wait is over', async () => {
			// 23:00 in Rita's zone, 62 days after her order.
			const night = Date.UTC(2024, 6, 11, 23 - ritaOffset);
			expect(Math.floor((night - RITA_ORDERED) / DAY)).toBe(62);
			const execution = await sweep('22', night);
			const held = itemsOf(execution, 'Held back for later?');
			expect(held).toEqual([expect.objectContaining({ reason: 'quiet_hours', sendAfter: expect.any(String), send: expect.objectContaining({ email: RITA }) })]);
			expect(subjectsTo(RITA)).toEqual(['You have 404 loyalty points waiting']);
			await sweep('22', night + DAY);
			expect(mailsTo(RITA)).toHaveLength(1);
		});
	});
});
