// The lifecycle recipes (03 welcome series, 10 first purchase date, 11 coupon after the first
// purchase, 12 birthday and anniversary coupon, 13 seven-day drip, 15 subscription and welcome,
// 19 post-delivery follow-up, 23 unsubscribe) imported as shipped into ONE real n8n with the
// packed package and an SMTP sink, driven like production.
//
// Replaced triggers (tests/support/recipes.ts): the Shopify Triggers (03 customers/create,
// 10 and 11 orders/paid, 15 orders/create, 19 orders/fulfilled) and the Schedule Triggers of the
// sweeps (03, 12, 13, 19) become webhook entries that take the payload the trigger would emit (for
// a Schedule Trigger `{ timestamp }`, so the test chooses "now" of each sweep). The recipes' own
// Webhook triggers (03 signup form, 13 lead form, 15 confirmation page and click, 23 unsubscribe
// link) are called as shipped. Event-driven steps run at the real clock; sweeps at the chosen time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DateTime } from 'luxon';
import { openUncachedStore, type ContactProfile, type ContactStore } from '../../lib/store';
import { startN8n, type N8nInstance, type WebhookResult } from '../support/n8nInstance';
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
	welcome: '03-welcome-series.json',
	firstPurchaseDate: '10-first-purchase-date.json',
	firstPurchaseCoupon: '11-coupon-after-first-purchase.json',
	dates: '12-birthday-and-anniversary-coupon.json',
	drip: '13-seven-day-drip-series.json',
	subscription: '15-subscription-and-welcome.json',
	delivery: '19-post-delivery-follow-up.json',
	unsubscribe: '23-unsubscribe.json',
} as const;
type Recipe = keyof typeof FILES;

/** The workflow's time zone (n8n's GENERIC_TIMEZONE): the fallback for contacts without one. */
const STORE_ZONE = 'Europe/Berlin';
const DAY = 86_400_000;
const PAYLOADS = join(__dirname, '..', 'fixtures', 'payloads', 'shopify');
const shopifySample = (name: string) => JSON.parse(readFileSync(join(PAYLOADS, name), 'utf8'));

describe('lifecycle recipes in a real n8n', () => {
	let sink: { port: number; messages: Mail[]; waitFor(p: (m: Mail) => boolean, ms: number): Promise<Mail>; close(): Promise<void> };
	let n8n: N8nInstance;
	const recipes = {} as Record<Recipe, PreparedRecipe>;

	beforeAll(async () => {
		sink = await startSmtpSink({});
		for (const [key, file] of Object.entries(FILES)) recipes[key as Recipe] = prepareRecipe(readRecipe(file));
		n8n = await startN8n({
			name: 'recipes-lifecycle',
			workflowData: Object.values(recipes).map((r) => r.workflow),
			smtpPort: sink.port,
			env: { GENERIC_TIMEZONE: STORE_ZONE },
		});
		console.log(`n8n ${n8n.baseUrl} timings (s): ${JSON.stringify(n8n.timings)}`);
	});

	afterAll(async () => {
		await n8n?.stop();
		await sink?.close();
	});

	// ------------------------------------------------------------------ helpers

	/**
	 * Posts what a replaced trigger would emit. The entry answers when the execution has ended,
	 * with the first item of the last node; when that node output nothing (nothing due, a branch
	 * not taken) n8n answers 500 "No item to return was found" for a run that succeeded, so the
	 * execution's own status is what counts.
	 */
	async function trigger(recipe: Recipe, triggerName: string, body: unknown): Promise<WebhookResult> {
		const entry = recipes[recipe].entries[triggerName];
		if (!entry) throw new Error(`${FILES[recipe]} has no replaced trigger "${triggerName}"`);
		const since = new Date();
		const res = await n8n.webhook(entry.path, body);
		const answered = res.status === 200 || (res.status === 500 && /No item to return was found/.test(JSON.stringify(res.body)));
		expect({ recipe, triggerName, answered, body: answered ? undefined : res.body }).toEqual({ recipe, triggerName, answered: true, body: undefined });
		const execution = await n8n.waitForExecution(recipes[recipe].workflow.id, { since });
		expect({ recipe, triggerName, status: execution.status, error: execution.data?.resultData?.error?.message }).toEqual({ recipe, triggerName, status: 'success', error: undefined });
		return res;
	}

	const sweep = (recipe: Recipe, at: string | number) => trigger(recipe, 'Every hour', { timestamp: new Date(at).toISOString() });

	/** Calls one of a recipe's own (not replaced) webhooks that answer at once, and waits for its execution. */
	async function formPost(recipe: Recipe, path: string, body: unknown) {
		const since = new Date();
		const res = await n8n.webhook(path, body);
		expect(res.status).toBe(200);
		const execution = await n8n.waitForExecution(recipes[recipe].workflow.id, { since });
		expect({ recipe, path, status: execution.status, error: execution.data?.resultData?.error?.message }).toEqual({ recipe, path, status: 'success', error: undefined });
		return execution;
	}

	const mailsTo = (email: string): Mail[] => sink.messages.filter((m) => m.to.includes(email.toLowerCase()));

	async function withStore<T>(fn: (store: ContactStore) => Promise<T>): Promise<T> {
		const store = await openUncachedStore({ backend: 'sqlite', path: join(n8n.userFolder, '.n8n', 'ecommerce-marketing', 'contacts.db') });
		try {
			return await fn(store);
		} finally {
			await store.close();
		}
	}

	const contact = async (email: string): Promise<ContactProfile> => (await withStore((s) => s.getContact(email)))!;

	async function coupons(email: string) {
		return (await withStore((s) => s.getContactDetails(email, ['coupons'])))?.coupons ?? [];
	}

	/** When the contact was enrolled in a drip (epoch ms), read from the store file. */
	function enrolledAt(email: string, campaign: string): number {
		const db = new DatabaseSync(join(n8n.userFolder, '.n8n', 'ecommerce-marketing', 'contacts.db'), { readOnly: true });
		try {
			const row = db
				.prepare('SELECT e.enrolled_at AS at FROM drip_enrollments e JOIN contacts c ON c.id = e.contact_id WHERE c.email = ? AND e.campaign = ?')
				.get(email, campaign) as { at: number } | undefined;
			if (!row) throw new Error(`${email} is not enrolled in ${campaign}`);
			return Number(row.at);
		} finally {
			db.close();
		}
	}

	/** The first moment from `ms` on that is daytime (9:00 to 19:59) in `zone`: no quiet hours for the sweep. */
	function daytime(ms: number, zone: string): number {
		let t = DateTime.fromMillis(ms, { zone });
		while (t.hour < 9 || t.hour >= 20) t = t.plus({ minutes: 30 });
		return t.toMillis();
	}

	/** A step N days after an anchor: just after it falls due, in the daytime of `zone`. */
	const stepTime = (anchor: number, days: number, zone = STORE_ZONE) => daytime(anchor + days * DAY + 10 * 60_000, zone);

	/** The signed unsubscribe link of an email (from its text part), pointed at the test n8n. */
	function unsubscribeLink(mail: Mail): URL {
		const found = /Unsubscribe: (https?:\/\/\S+)/.exec(mail.text);
		if (!found) throw new Error(`no unsubscribe link in "${mail.subject}"`);
		return localUrl(found[1]);
	}

	/** A link n8n made from its own base URL (localhost), sent to the test instance's address. */
	function localUrl(link: string): URL {
		const url = new URL(link);
		const base = new URL(n8n.baseUrl);
		url.protocol = base.protocol;
		url.host = base.host;
		return url;
	}

	async function open(url: URL, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
		const res = await fetch(url, { method, signal: AbortSignal.timeout(30_000) });
		return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
	}

	let ids = 0;
	const nextId = () => 6_100_000_000 + ++ids;

	/** A paid Shopify order (the sample is a voided test order) for `email`, placed at `at`. */
	function paidOrder(email: string, options: { at?: number; acceptsMarketing?: boolean; firstName?: string; financialStatus?: string } = {}) {
		const sample = shopifySample('orders-create.json');
		const id = nextId();
		const at = new Date(options.at ?? Date.now()).toISOString();
		return {
			...sample,
			id,
			admin_graphql_api_id: `gid://shopify/Order/${id}`,
			name: `#${id}`,
			email,
			contact_email: email,
			financial_status: options.financialStatus ?? 'paid',
			cancelled_at: options.financialStatus === 'voided' ? at : null,
			cancel_reason: options.financialStatus === 'voided' ? 'customer' : null,
			buyer_accepts_marketing: options.acceptsMarketing ?? true,
			created_at: at,
			processed_at: at,
			updated_at: at,
			customer: { ...sample.customer, id: nextId(), email, first_name: options.firstName ?? 'Jon' },
		};
	}

	/** The same order, fulfilled (shipped) at `fulfilledAt`. */
	function fulfilledOrder(order: ReturnType<typeof paidOrder>, fulfilledAt: number) {
		const at = new Date(fulfilledAt).toISOString();
		return {
			...shopifySample('orders-fulfilled.json'),
			...order,
			fulfillment_status: 'fulfilled',
			updated_at: at,
			fulfillments: [{ id: nextId(), order_id: order.id, status: 'success', created_at: at, updated_at: at }],
		};
	}

	async function seedUnsubscribed(email: string) {
		await withStore(async (s) => {
			await s.upsertProfile({ email, status: 'subscribed', firstName: 'Una' });
			await s.unsubscribe(email, 'unsubscribed');
		});
	}

	function expectUnsubscribeLink(mail: Mail, email: string) {
		const link = unsubscribeLink(mail);
		expect(link.pathname).toBe('/webhook/ecommerce-unsubscribe');
		expect(link.searchParams.get('e')).toBe(email);
		expect(link.searchParams.get('t')).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(mail.html).toContain('/webhook/ecommerce-unsubscribe?e=');
	}

	// ------------------------------------------------------------------ 03

	describe('03 · Welcome series', () => {
		it('welcomes a Shopify customer who accepts email marketing at once, with a welcome code; not one who does not', async () => {
			const customer = {
				...shopifySample('customers-create.json'),
				id: nextId(),
				email: 'Bea.Welcome@Example.com',
				first_name: 'Bea',
				email_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: new Date().toISOString() },
			};
			await trigger('welcome', 'New Shopify customer', customer);
			const [mail] = mailsTo('bea.welcome@example.com');
			expect(mail.subject).toBe('Welcome to Your Store: here is 10% off');
			expect(mail.html).toContain('Welcome, Bea!');
			const [code] = await coupons('bea.welcome@example.com');
			expect(code).toMatchObject({ campaign: 'welcome', code: expect.stringMatching(/^WELCOME-[A-Z2-9]{8}$/), expired: false });
			expect(mail.text).toContain(`10% off your first order: ${code.code}`);
			expectUnsubscribeLink(mail, 'bea.welcome@example.com');

			// Shopify retries the webhook: nothing is sent twice.
			await trigger('welcome', 'New Shopify customer', customer);
			expect(mailsTo('bea.welcome@example.com')).toHaveLength(1);

			const noConsent = { ...shopifySample('customers-create.json'), id: nextId(), email: 'ned.noconsent@example.com', accepts_marketing: false };
			await trigger('welcome', 'New Shopify customer', noConsent);
			expect(await contact('ned.noconsent@example.com')).toMatchObject({ status: 'not_subscribed' });
			expect(mailsTo('ned.noconsent@example.com')).toEqual([]);
		});

		it('a form signup gets the welcome, then the day-2 and day-5 follow-ups with the same code, once each; a purchase stops the series', async () => {
			await formPost('welcome', 'ecommerce-newsletter-signup', { email: 'sam.signup@example.com', firstName: 'Sam', timeZone: STORE_ZONE });
			await formPost('welcome', 'ecommerce-newsletter-signup', { email: 'bill.buyer@example.com', firstName: 'Bill' });
			expect(await contact('sam.signup@example.com')).toMatchObject({ status: 'subscribed', firstName: 'Sam', timeZone: STORE_ZONE, signedUpAt: expect.any(String) });
			expect(mailsTo('sam.signup@example.com').map((m) => m.subject)).toEqual(['Welcome to Your Store: here is 10% off']);
			const [{ code }] = await coupons('sam.signup@example.com');

			// Bill buys before day 2 (recorded by recipe 10's order step): his series stops.
			await trigger('firstPurchaseDate', 'Order paid', paidOrder('bill.buyer@example.com', { firstName: 'Bill' }));

			const anchor = enrolledAt('sam.signup@example.com', 'welcome');
			await sweep('welcome', anchor + 1 * DAY + 3_600_000);
			expect(mailsTo('sam.signup@example.com')).toHaveLength(1);

			const day2 = stepTime(anchor, 2);
			await sweep('welcome', day2);
			await sweep('welcome', day2 + 3_600_000);
			const afterDay2 = mailsTo('sam.signup@example.com');
			expect(afterDay2.map((m) => m.subject)).toEqual(['Welcome to Your Store: here is 10% off', 'Why customers love Your Store']);
			expect(afterDay2[1].text).toContain(code);
			expectUnsubscribeLink(afterDay2[1], 'sam.signup@example.com');

			await sweep('welcome', stepTime(anchor, 5));
			await sweep('welcome', stepTime(anchor, 6));
			expect(mailsTo('sam.signup@example.com').map((m) => m.subject)).toEqual([
				'Welcome to Your Store: here is 10% off',
				'Why customers love Your Store',
				'Your 10% welcome code expires soon',
			]);
			expect(mailsTo('sam.signup@example.com')[2].text).toContain(code);
			// The Shopify subscriber of the first test is in the same series.
			expect(mailsTo('bea.welcome@example.com').map((m) => m.subject)).toEqual([
				'Welcome to Your Store: here is 10% off',
				'Why customers love Your Store',
				'Your 10% welcome code expires soon',
			]);
			expect(mailsTo('bill.buyer@example.com').map((m) => m.subject)).toEqual(['Welcome to Your Store: here is 10% off']);
		});

		it('sends nothing to an unsubscribed contact who fills in the form again', async () => {
			await seedUnsubscribed('una.welcome@example.com');
			await formPost('welcome', 'ecommerce-newsletter-signup', { email: 'una.welcome@example.com', firstName: 'Una' });
			expect(await contact('una.welcome@example.com')).toMatchObject({ suppressed: true, suppressionReason: 'unsubscribed' });
			await sweep('welcome', stepTime(Date.now(), 2));
			expect(mailsTo('una.welcome@example.com')).toEqual([]);
		});
	});

	// ------------------------------------------------------------------ 10

	describe('10 · First purchase date', () => {
		it('the first order sets first_purchase_date (store time zone) and the customer tag; later orders never overwrite it', async () => {
			await withStore((s) => s.addTags('mia.first@example.com', ['lead']));
			// 23:30 UTC on 31 March is already 1 April in Berlin.
			const first = paidOrder('mia.first@example.com', { at: Date.parse('2026-03-31T23:30:00Z') });
			await trigger('firstPurchaseDate', 'Order paid', first);
			const after = await contact('mia.first@example.com');
			expect(after).toMatchObject({ firstPurchaseAt: '2026-03-31T23:30:00.000Z', orderCount: 1, custom: { first_purchase_date: '2026-04-01' } });
			expect(after.tags).toContain('customer');
			expect(after.tags).not.toContain('lead');

			await trigger('firstPurchaseDate', 'Order paid', first);
			await trigger('firstPurchaseDate', 'Order paid', paidOrder('mia.first@example.com', { at: Date.parse('2026-09-02T10:00:00Z') }));
			expect(await contact('mia.first@example.com')).toMatchObject({
				firstPurchaseAt: '2026-03-31T23:30:00.000Z',
				lastPurchaseAt: '2026-09-02T10:00:00.000Z',
				orderCount: 2,
				custom: { first_purchase_date: '2026-04-01' },
			});
			expect(mailsTo('mia.first@example.com')).toEqual([]);
		});

		it('a voided order is not a purchase', async () => {
			await trigger('firstPurchaseDate', 'Order paid', paidOrder('vic.voided@example.com', { financialStatus: 'voided' }));
			const c = await contact('vic.voided@example.com');
			expect(c).toMatchObject({ firstPurchaseAt: null, orderCount: 0 });
			expect(c.custom.first_purchase_date).toBeUndefined();
			expect(c.tags).not.toContain('customer');
		});
	});

	// ------------------------------------------------------------------ 11

	describe('11 · Coupon after first purchase', () => {
		it('a first-time buyer gets one thank-you with the order and a next-order code', async () => {
			// A voided first attempt is no purchase: no email, and the paid order after it is the first.
			await trigger('firstPurchaseCoupon', 'Order paid', paidOrder('nina.new@example.com', { firstName: 'Nina', financialStatus: 'voided' }));
			expect(mailsTo('nina.new@example.com')).toEqual([]);

			const order = paidOrder('nina.new@example.com', { firstName: 'Nina' });
			await trigger('firstPurchaseCoupon', 'Order paid', order);
			const mails = mailsTo('nina.new@example.com');
			expect(mails).toHaveLength(1);
			const [mail] = mails;
			expect(mail.subject).toBe('Thank you for your first order: 15% off your next one');
			expect(mail.html).toContain('Thank you for your first order, Nina!');
			expect(mail.html).toContain('Aviator sunglasses');
			expect(mail.html).toContain('$89.99');
			const [code] = await coupons('nina.new@example.com');
			expect(code).toMatchObject({ campaign: 'first-purchase', code: expect.stringMatching(/^THANKS-/), expired: false });
			expect(Date.parse(code.expiresAt!) - Date.parse(code.createdAt)).toBe(30 * DAY);
			expect(mail.text).toContain(`15% off your next order: ${code.code}`);
			expectUnsubscribeLink(mail, 'nina.new@example.com');

			// Replayed webhook, then a second order: still one email.
			await trigger('firstPurchaseCoupon', 'Order paid', order);
			await trigger('firstPurchaseCoupon', 'Order paid', paidOrder('nina.new@example.com', { firstName: 'Nina' }));
			expect(mailsTo('nina.new@example.com')).toHaveLength(1);
			expect(await coupons('nina.new@example.com')).toHaveLength(1);
		});

		it('buyers who did not accept marketing, and unsubscribed contacts even when they tick the box, get nothing', async () => {
			await trigger('firstPurchaseCoupon', 'Order paid', paidOrder('otto.optout@example.com', { acceptsMarketing: false }));
			expect(await contact('otto.optout@example.com')).toMatchObject({ status: 'not_subscribed', orderCount: 1 });
			await seedUnsubscribed('una.buyer@example.com');
			await trigger('firstPurchaseCoupon', 'Order paid', paidOrder('una.buyer@example.com', { acceptsMarketing: true }));
			expect(await contact('una.buyer@example.com')).toMatchObject({ suppressed: true, orderCount: 1 });
			expect(mailsTo('otto.optout@example.com')).toEqual([]);
			expect(mailsTo('una.buyer@example.com')).toEqual([]);
		});
	});

	// ------------------------------------------------------------------ 12

	describe('12 · Birthday and anniversary coupon', () => {
		beforeAll(async () => {
			await withStore(async (s) => {
				await s.upsertProfile({ email: 'lena.la@example.com', firstName: 'Lena', status: 'subscribed', birthday: '1990-06-15', timeZone: 'America/Los_Angeles' });
				await s.upsertProfile({ email: 'ben.berlin@example.com', firstName: 'Ben', status: 'subscribed', birthday: '--06-15', timeZone: 'Europe/Berlin' });
				await s.upsertProfile({ email: 'una.birthday@example.com', status: 'subscribed', birthday: '1985-06-15', timeZone: 'Europe/Berlin' });
				await s.unsubscribe('una.birthday@example.com', 'unsubscribed');
				await s.upsertProfile({ email: 'kai.tokyo@example.com', firstName: 'Kai', status: 'subscribed', timeZone: 'Asia/Tokyo', signedUpAt: Date.parse('2024-03-10T03:00:00Z') });
			});
		});

		it('sends the birthday email from 9:00 on each contact\'s own calendar, once a year, with a coupon', async () => {
			await sweep('dates', '2026-06-15T06:30:00Z'); // 08:30 in Berlin, still 14 June in Los Angeles
			expect(mailsTo('ben.berlin@example.com')).toEqual([]);
			await sweep('dates', '2026-06-15T07:30:00Z'); // 09:30 in Berlin
			expect(mailsTo('ben.berlin@example.com').map((m) => m.subject)).toEqual(['Happy birthday! A gift inside']);
			expect(mailsTo('lena.la@example.com')).toEqual([]);
			await sweep('dates', '2026-06-15T16:30:00Z'); // 09:30 in Los Angeles
			await sweep('dates', '2026-06-15T20:00:00Z');
			const [mail] = mailsTo('lena.la@example.com');
			expect(mailsTo('lena.la@example.com')).toHaveLength(1);
			expect(mail.html).toContain('Happy birthday, Lena!');
			const [code] = await coupons('lena.la@example.com');
			expect(code).toMatchObject({ campaign: 'birthday@2026', code: expect.stringMatching(/^BDAY-/), createdAt: '2026-06-15T16:30:00.000Z', expiresAt: '2026-06-29T16:30:00.000Z' });
			expect(mail.text).toContain(`Your birthday gift: 15% off: ${code.code}`);
			expect(mail.text).toContain('June 29, 2026');
			expectUnsubscribeLink(mail, 'lena.la@example.com');
			expect(mailsTo('ben.berlin@example.com')).toHaveLength(1);
			expect(mailsTo('una.birthday@example.com')).toEqual([]);

			// Next year: again, with a new code.
			await sweep('dates', '2027-06-15T16:30:00Z');
			expect(mailsTo('lena.la@example.com')).toHaveLength(2);
			const codes = (await coupons('lena.la@example.com')).map((c) => c.campaign).sort();
			expect(codes).toEqual(['birthday@2026', 'birthday@2027']);
			expect(mailsTo('una.birthday@example.com')).toEqual([]);
		});

		it('sends the signup anniversary email on the anniversary in the contact\'s time zone', async () => {
			await sweep('dates', '2025-03-10T00:30:00Z'); // 09:30 in Tokyo on the first anniversary
			await sweep('dates', '2025-03-10T05:00:00Z');
			const mails = mailsTo('kai.tokyo@example.com');
			expect(mails.map((m) => m.subject)).toEqual(['Happy anniversary! A gift inside']);
			expect(mails[0].html).toContain('Happy anniversary, Kai!');
			const [code] = await coupons('kai.tokyo@example.com');
			expect(code).toMatchObject({ campaign: 'signup-anniversary@2025', code: expect.stringMatching(/^ANNIV-/) });
			expect(mails[0].text).toContain(code.code);
		});
	});

	// ------------------------------------------------------------------ 13

	describe('13 · Seven-day drip series', () => {
		const ZONE = 'America/New_York';
		const subjects = [
			'Welcome! Here is what to expect',
			'Why we started Your Store',
			'Our best sellers',
			'How customers use our products',
			'Shipping, returns and sizing, answered',
			'What customers say about us',
			'Ready when you are',
		];

		it('a new lead gets seven daily emails, once each; a lead who buys gets no more; customers and unsubscribed contacts are not enrolled', async () => {
			await withStore(async (s) => {
				await s.recordOrder(
					{ source: 'custom', orderId: 'old-1', contact: { email: 'carl.customer@example.com', status: 'subscribed' }, placedAt: Date.parse('2026-01-05T10:00:00Z'), total: 20, currency: 'USD', lineItems: [] },
					{},
				);
			});
			await seedUnsubscribed('una.lead@example.com');
			for (const [email, firstName] of [
				['ann.lead@example.com', 'Ann'],
				['eli.lead@example.com', 'Eli'],
				['carl.customer@example.com', 'Carl'],
				['una.lead@example.com', 'Una'],
			]) {
				await formPost('drip', 'ecommerce-lead-signup', { email, firstName, timeZone: ZONE });
			}
			expect((await contact('ann.lead@example.com')).tags).toContain('lead');
			expect((await contact('carl.customer@example.com')).tags).not.toContain('lead');
			const anchor = enrolledAt('ann.lead@example.com', 'seven-day-drip');

			for (let day = 0; day <= 6; day++) {
				const at = stepTime(anchor, day, ZONE);
				await sweep('drip', at);
				await sweep('drip', at + 1_800_000); // a second run in the same hour sends nothing twice
				if (day === 1) {
					// Eli buys (recipe 11 records the order): his drip stops.
					await trigger('firstPurchaseCoupon', 'Order paid', paidOrder('eli.lead@example.com', { firstName: 'Eli' }));
				}
			}
			await sweep('drip', stepTime(anchor, 7, ZONE));

			const ann = mailsTo('ann.lead@example.com');
			expect(ann.map((m) => m.subject)).toEqual(subjects);
			expect(ann[0].html).toContain('Hi Ann, Thanks for signing up.');
			for (const mail of ann) expectUnsubscribeLink(mail, 'ann.lead@example.com');
			expect(mailsTo('eli.lead@example.com').map((m) => m.subject)).toEqual([...subjects.slice(0, 2), 'Thank you for your first order: 15% off your next one']);
			expect(mailsTo('carl.customer@example.com')).toEqual([]);
			expect(mailsTo('una.lead@example.com')).toEqual([]);
		});
	});

	// ------------------------------------------------------------------ 15

	describe('15 · Subscription and welcome', () => {
		it('invites a buyer who is not subscribed once; the signed link confirms (GET shows a button, POST subscribes) and the welcome follows once', async () => {
			const order = paidOrder('ivy.invite@example.com', { firstName: 'Ivy', acceptsMarketing: false });
			await trigger('subscription', 'Order placed', order);
			await trigger('subscription', 'Order placed', order);
			await trigger('subscription', 'Order placed', paidOrder('ivy.invite@example.com', { firstName: 'Ivy', acceptsMarketing: false }));
			const invitations = mailsTo('ivy.invite@example.com');
			expect(invitations.map((m) => m.subject)).toEqual(['Get 10% off your next order']);
			expect(invitations[0].html).toContain('Thanks for your order, Ivy!');
			expectUnsubscribeLink(invitations[0], 'ivy.invite@example.com');
			const found = /Yes, subscribe me: (https?:\/\/\S+)/.exec(invitations[0].text);
			expect(found).not.toBeNull();
			const confirm = localUrl(found![1]);
			expect(confirm.pathname).toBe('/webhook/ecommerce-confirm-subscription');
			expect(confirm.searchParams.get('e')).toBe('ivy.invite@example.com');
			expect(confirm.searchParams.get('t')).not.toBe(unsubscribeLink(invitations[0]).searchParams.get('t'));

			// Opening the link (or a mail scanner fetching it) changes nothing: it shows the button.
			const page = await open(confirm);
			expect(page.status).toBe(200);
			expect(page.type).toContain('text/html');
			expect(page.body).toContain('Confirm your subscription');
			expect(page.body).toContain('<form method="post"');
			expect(page.body).toContain(`e=${encodeURIComponent('ivy.invite@example.com')}`);
			expect(await contact('ivy.invite@example.com')).toMatchObject({ status: 'not_subscribed' });

			// The button posts the same link back.
			const done = await open(confirm, 'POST');
			expect(done.status).toBe(200);
			expect(done.body).toContain('You are subscribed');
			expect(done.body).toContain('ivy.invite@example.com');
			const welcome = await sink.waitFor((m) => m.to.includes('ivy.invite@example.com') && m.subject === 'Welcome! Here is your 10% code', 15_000);
			expect(await contact('ivy.invite@example.com')).toMatchObject({ status: 'subscribed', suppressed: false, consentAt: expect.any(String) });
			const [code] = await coupons('ivy.invite@example.com');
			expect(code).toMatchObject({ campaign: 'subscriber-welcome', code: expect.stringMatching(/^JOIN-/) });
			expect(welcome.html).toContain('Welcome to the list, Ivy!');
			expect(welcome.text).toContain(`10% off your next order: ${code.code}`);
			expectUnsubscribeLink(welcome, 'ivy.invite@example.com');

			// A second click: still subscribed, no second welcome.
			const since = new Date();
			expect((await open(confirm, 'POST')).body).toContain('You are subscribed');
			await n8n.waitForExecution(recipes.subscription.workflow.id, { since });
			expect(mailsTo('ivy.invite@example.com').map((m) => m.subject)).toEqual(['Get 10% off your next order', 'Welcome! Here is your 10% code']);
		});

		it('a forged or altered confirm link subscribes no one', async () => {
			await trigger('subscription', 'Order placed', paidOrder('fay.forge@example.com', { acceptsMarketing: false }));
			await trigger('subscription', 'Order placed', paidOrder('vera.victim@example.com', { acceptsMarketing: false }));
			const link = localUrl(/Yes, subscribe me: (https?:\/\/\S+)/.exec(mailsTo('fay.forge@example.com')[0].text)![1]);
			const altered = new URL(link);
			altered.searchParams.set('e', 'vera.victim@example.com');
			const flipped = new URL(link);
			const t = flipped.searchParams.get('t')!;
			flipped.searchParams.set('t', (t[0] === 'A' ? 'B' : 'A') + t.slice(1));
			// An unsubscribe link is signed for another purpose: it confirms nothing either.
			const unsubscribe = new URL(unsubscribeLink(mailsTo('vera.victim@example.com')[0]));
			unsubscribe.pathname = '/webhook/ecommerce-confirm-subscription';
			for (const url of [altered, flipped, unsubscribe]) {
				const res = await open(url, 'POST');
				expect(res.status).toBe(400);
				expect(res.body).toContain('This link is not valid');
			}
			expect(await contact('vera.victim@example.com')).toMatchObject({ status: 'not_subscribed' });
			expect(await contact('fay.forge@example.com')).toMatchObject({ status: 'not_subscribed' });
			await new Promise((r) => setTimeout(r, 500));
			expect(mailsTo('vera.victim@example.com')).toHaveLength(1);
			expect(mailsTo('fay.forge@example.com')).toHaveLength(1);
		});

		it('welcomes a buyer who subscribes at checkout once, and leaves long-time subscribers and unsubscribed contacts alone', async () => {
			await trigger('subscription', 'Order placed', paidOrder('cora.checkout@example.com', { firstName: 'Cora', acceptsMarketing: true }));
			await trigger('subscription', 'Order placed', paidOrder('cora.checkout@example.com', { firstName: 'Cora', acceptsMarketing: true }));
			expect(mailsTo('cora.checkout@example.com').map((m) => m.subject)).toEqual(['Welcome! Here is your 10% code']);

			await withStore((s) => s.upsertProfile({ email: 'old.friend@example.com', status: 'subscribed' }, { now: Date.parse('2024-01-01T00:00:00Z') }));
			await trigger('subscription', 'Order placed', paidOrder('old.friend@example.com', { acceptsMarketing: true }));
			await seedUnsubscribed('una.sub@example.com');
			await trigger('subscription', 'Order placed', paidOrder('una.sub@example.com', { acceptsMarketing: false }));
			await trigger('subscription', 'Order placed', paidOrder('una.sub@example.com', { acceptsMarketing: true }));
			expect(mailsTo('old.friend@example.com')).toEqual([]);
			expect(mailsTo('una.sub@example.com')).toEqual([]);
		});
	});

	// ------------------------------------------------------------------ 19

	describe('19 · Post-delivery follow-up', () => {
		it('three days after fulfillment: feedback request with the order and a free-shipping code, once per fulfilled order', async () => {
			const fulfilledAt = Date.now() - 3_600_000;
			const first = paidOrder('pia.parcel@example.com', { firstName: 'Pia', at: fulfilledAt - 2 * DAY });
			await trigger('delivery', 'Order fulfilled', fulfilledOrder(first, fulfilledAt));
			await trigger('delivery', 'Order fulfilled', fulfilledOrder(first, fulfilledAt)); // Shopify retries
			expect(await contact('pia.parcel@example.com')).toMatchObject({ custom: { lastFulfilledOrderId: String(first.id) } });

			// Quinn orders again before the follow-up is due (recorded by recipe 10): no follow-up.
			const quinn = paidOrder('quinn.again@example.com', { at: fulfilledAt - 2 * DAY });
			await trigger('delivery', 'Order fulfilled', fulfilledOrder(quinn, fulfilledAt));
			await trigger('firstPurchaseDate', 'Order paid', paidOrder('quinn.again@example.com', { at: fulfilledAt + DAY }));
			await seedUnsubscribed('una.parcel@example.com');
			await trigger('delivery', 'Order fulfilled', fulfilledOrder(paidOrder('una.parcel@example.com', { at: fulfilledAt - 2 * DAY }), fulfilledAt));

			await sweep('delivery', stepTime(fulfilledAt, 2));
			expect(mailsTo('pia.parcel@example.com')).toEqual([]);
			const due = stepTime(fulfilledAt, 3);
			await sweep('delivery', due);
			await sweep('delivery', due + 3_600_000);
			const mails = mailsTo('pia.parcel@example.com');
			expect(mails.map((m) => m.subject)).toEqual(['How did your order arrive? Free shipping on your next one']);
			expect(mails[0].html).toContain('How did we do, Pia?');
			expect(mails[0].html).toContain('Aviator sunglasses');
			expect(mails[0].html).toContain('https://shop.example.com/pages/reviews');
			const [code] = await coupons('pia.parcel@example.com');
			expect(code).toMatchObject({ campaign: `post-delivery-${first.id}`, code: expect.stringMatching(/^SHIPFREE-/) });
			expect(mails[0].text).toContain(`Free shipping on your next order: ${code.code}`);
			expectUnsubscribeLink(mails[0], 'pia.parcel@example.com');
			expect(mailsTo('quinn.again@example.com')).toEqual([]);
			expect(mailsTo('una.parcel@example.com')).toEqual([]);

			// Her next order, fulfilled ten days later, gets its own follow-up and code.
			const secondAt = fulfilledAt + 10 * DAY;
			const second = paidOrder('pia.parcel@example.com', { firstName: 'Pia', at: secondAt - DAY });
			await trigger('delivery', 'Order fulfilled', fulfilledOrder(second, secondAt));
			await sweep('delivery', stepTime(secondAt, 3));
			expect(mailsTo('pia.parcel@example.com')).toHaveLength(2);
			expect((await coupons('pia.parcel@example.com')).map((c) => c.campaign).sort()).toEqual([`post-delivery-${first.id}`, `post-delivery-${second.id}`].sort());
		});
	});

	// ------------------------------------------------------------------ 23

	describe('23 · Unsubscribe', () => {
		const ZONE = 'America/New_York';

		it('the link in a real email suppresses its contact, who gets no more mail; forged and altered links suppress no one', async () => {
			await formPost('drip', 'ecommerce-lead-signup', { email: 'fred.leaves@example.com', firstName: 'Fred', timeZone: ZONE });
			await formPost('drip', 'ecommerce-lead-signup', { email: 'gina.stays@example.com', firstName: 'Gina', timeZone: ZONE });
			const anchor = enrolledAt('fred.leaves@example.com', 'seven-day-drip');
			await sweep('drip', stepTime(anchor, 0, ZONE));
			const [fredMail] = mailsTo('fred.leaves@example.com');
			expect(mailsTo('gina.stays@example.com')).toHaveLength(1);
			const link = unsubscribeLink(fredMail);
			expect(link.searchParams.get('c')).toMatch(/^seven-day-drip@/);

			// Forged and altered links first: nobody is suppressed.
			const otherEmail = new URL(link);
			otherEmail.searchParams.set('e', 'gina.stays@example.com');
			const flipped = new URL(link);
			const t = flipped.searchParams.get('t')!;
			flipped.searchParams.set('t', (t[0] === 'A' ? 'B' : 'A') + t.slice(1));
			const otherCampaign = new URL(link);
			otherCampaign.searchParams.set('c', 'welcome');
			const noToken = new URL(link);
			noToken.searchParams.delete('t');
			for (const url of [otherEmail, flipped, otherCampaign, noToken]) {
				const res = await open(url);
				expect(res.status).toBe(400);
				expect(res.type).toContain('text/html');
				expect(res.body).toContain('This link is not valid');
			}
			expect(await contact('gina.stays@example.com')).toMatchObject({ status: 'subscribed', suppressed: false });
			expect(await contact('fred.leaves@example.com')).toMatchObject({ status: 'subscribed', suppressed: false });

			const res = await open(link);
			expect(res.status).toBe(200);
			expect(res.type).toContain('text/html');
			expect(res.body).toContain('You are unsubscribed');
			expect(res.body).toContain('fred.leaves@example.com');
			expect(await contact('fred.leaves@example.com')).toMatchObject({ status: 'unsubscribed', suppressed: true, suppressionReason: 'unsubscribed' });
			// A second click is harmless.
			expect((await open(link)).body).toContain('You are unsubscribed');

			// No more mail: not the next drip email, not an offer after a purchase.
			await sweep('drip', stepTime(anchor, 1, ZONE));
			await trigger('firstPurchaseCoupon', 'Order paid', paidOrder('fred.leaves@example.com', { acceptsMarketing: true }));
			expect(mailsTo('fred.leaves@example.com')).toHaveLength(1);
			expect(mailsTo('gina.stays@example.com').map((m) => m.subject)).toEqual(['Welcome! Here is what to expect', 'Why we started Your Store']);
		});
	});
});
