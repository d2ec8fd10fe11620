import { createHash } from 'node:crypto';
import { generateCouponCode } from '../domain/coupon';
import { newLinkSecret } from '../domain/unsubscribeLink';
import { toIso } from '../domain/values';
import { isCountableOrder, planPatch, suppress, type PatchPlan } from './profilePatch';
import {
	toCoupon,
	toLineItem,
	toProfile,
	toStoredCart,
	toStoredOrder,
	toStoredProductView,
	type CartRow,
	type ContactRow,
	type CouponRow,
	type OrderItemRow,
	type OrderRow,
	type ProductViewRow,
} from './rows';
import type { SqlDriver, SqlExecutor, SqlValue } from './sql';
import { profileScores } from './scoreQueries';
import * as TagScore from './tagScoreStore';
import type {
	DecaySettings,
	EngagementSettings,
	EngagementSweepOptions,
	InterestRequest,
	PageVisitRule,
	ScoreWriteOptions,
	TagWriteOptions,
	Tier,
} from './tagScoreTypes';
import { checkAndClaimSendBatch, releaseSend, SEND_BATCH_SIZE } from './sendsQueries';
import { checkWinback, enrollDrip, sweepCarts, sweepDateEmails, sweepDrips, sweepWinback } from './dueStepQueries';
import type * as Due from './dueStepTypes';
import type { RfmBoundaries } from '../domain/rfm';
import type { EvalContext, RuleGroup } from '../domain/segmentRules';
import { checkSegmentContacts, contactsByEmail, findSegmentContacts, orderDates, rfmBoundaries, segmentRead, type FindSegmentOptions, type SegmentCheckRow } from './segmentQueries';
import { productsBoughtTogether, purchasedProductIds } from './productQueries';
import type { BoughtTogetherProduct, BoughtTogetherRequest } from './types';
import type {
	CartEvent,
	ContactDetails,
	ContactPatch,
	ContactProfile,
	ContactStore,
	CouponRequest,
	DeleteResult,
	DetailKind,
	EngagementEvent,
	LineItem,
	OrderEvent,
	PageVisitEvent,
	ProductViewEvent,
	SendOutcome,
	SendRequest,
	StoredOrder,
	SuppressionReason,
	WriteOptions,
	WriteResult,
} from './types';

/** Whether an order event is older than the version of the order already recorded (same time: applied). */
function isStaleOrderEvent(order: OrderEvent, existing: OrderRow): boolean {
	const recorded = existing.source_updated_at;
	return order.updatedAt !== undefined && recorded !== null && recorded !== undefined && order.updatedAt < Number(recorded);
}

/** Tables that hold a contact's data, in deletion order (children first). */
const CONTACT_TABLES = [
	'order_items',
	'orders',
	'carts',
	'product_view_events',
	'product_views',
	'page_visits',
	'engagement_events',
	'contact_tags',
	'score_awards',
	'contact_scores',
	'score_thresholds',
	'score_rule_state',
	'sends',
	'coupons',
	'step_claims',
	'drip_enrollments',
] as const;

interface Locked {
	row: ContactRow;
	created: boolean;
}

/** Longest event key stored as given; PostgreSQL indexes refuse keys of a few kilobytes. */
const MAX_EVENT_KEY_LENGTH = 200;
const UNSTORABLE = /[\u0000-\u001F\u007F\uD800-\uDFFF]/;

/**
 * The key an event is claimed under: as given, or for a long key, or one holding control
 * characters or lone surrogates (which PostgreSQL rejects), its SHA-256. Deterministic, so a
 * replay of the same event still finds its key taken.
 */
export function storedEventKey(key: string): string {
	if (key.length <= MAX_EVENT_KEY_LENGTH && !UNSTORABLE.test(key)) return key;
	return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/**
 * The contact store on any SQL backend. Every write is one transaction that
 * first claims its idempotency key (a replay finds the key taken and changes
 * nothing), then locks the contact row, so concurrent writes for one contact
 * apply one after the other and lose nothing.
 */
export class SqlContactStore implements ContactStore {
	constructor(private readonly db: SqlDriver) {}

	get backend() {
		return this.db.dialect.name;
	}

	private get forUpdate() {
		return this.db.dialect.name === 'postgres' ? ' FOR UPDATE' : '';
	}

	async ping(): Promise<void> {
		await this.db.get('SELECT count(*) AS n FROM schema_migrations');
	}

	async close(): Promise<void> {
		await this.db.close();
	}

	// ---------------------------------------------------------------- reads

	async getContact(email: string, now = Date.now()): Promise<ContactProfile | null> {
		const row = await this.db.get<ContactRow>('SELECT * FROM contacts WHERE email = $1', [email]);
		return row ? await this.profile(this.db, row, now) : null;
	}

	async getContactDetails(email: string, include: DetailKind[], now = Date.now()): Promise<ContactDetails | null> {
		const row = await this.db.get<ContactRow>('SELECT * FROM contacts WHERE email = $1', [email]);
		if (!row) return null;
		const details: ContactDetails = { contact: await this.profile(this.db, row, now) };
		const id = Number(row.id);
		if (include.includes('orders')) details.orders = await this.orders(this.db, id);
		if (include.includes('carts')) {
			const carts = await this.db.all<CartRow>('SELECT * FROM carts WHERE contact_id = $1 ORDER BY updated_at DESC', [id]);
			details.carts = carts.map(toStoredCart);
		}
		if (include.includes('productViews')) {
			const views = await this.db.all<ProductViewRow>(
				'SELECT * FROM product_views WHERE contact_id = $1 ORDER BY last_viewed_at DESC',
				[id],
			);
			details.productViews = views.map(toStoredProductView);
		}
		if (include.includes('coupons')) {
			const coupons = await this.db.all<CouponRow>('SELECT * FROM coupons WHERE contact_id = $1 ORDER BY created_at', [id]);
			details.coupons = coupons.map((c) => toCoupon(c, now));
		}
		return details;
	}

	private async profile(tx: SqlExecutor, row: ContactRow, now: number): Promise<ContactProfile> {
		const tags = await tx.all<{ tag: string }>(
			'SELECT tag FROM contact_tags WHERE contact_id = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY tag',
			[row.id, now],
		);
		// Scores right at `now` (expired awards left out) and stored tiers: lib/store/scoreQueries.ts.
		const { scores, tiers } = await profileScores(tx, Number(row.id), now);
		return toProfile(
			row,
			tags.map((t) => t.tag),
			scores,
			tiers,
		);
	}

	private async orders(tx: SqlExecutor, contactId: number): Promise<StoredOrder[]> {
		const orders = await tx.all<OrderRow>('SELECT * FROM orders WHERE contact_id = $1 ORDER BY placed_at', [contactId]);
		const items = await tx.all<OrderItemRow>('SELECT * FROM order_items WHERE contact_id = $1 ORDER BY order_pk, line', [
			contactId,
		]);
		return orders.map((o) =>
			toStoredOrder(
				o,
				items.filter((i) => Number(i.order_pk) === Number(o.id)).map(toLineItem),
			),
		);
	}

	// ---------------------------------------------------------------- write plumbing

	/**
	 * One write: claims the event key, locks (or creates) the contact, applies the
	 * profile patch, runs `apply`, and returns the fresh profile. A taken key means
	 * a replay: nothing is written and `duplicate` is true.
	 */
	private async write<T extends object>(
		patch: ContactPatch,
		options: WriteOptions | undefined,
		apply: (tx: SqlExecutor, locked: Locked, changes: string[], now: number) => Promise<T>,
		onDuplicate: (tx: SqlExecutor, row: ContactRow | undefined) => Promise<T>,
	): Promise<WriteResult & T> {
		const now = options?.now ?? Date.now();
		const eventKey = options?.eventKey ? storedEventKey(options.eventKey) : undefined;
		return await this.db.transaction(async (tx) => {
			if (eventKey) {
				const claimed = await tx.run(
					'INSERT INTO processed_events (event_key, processed_at) VALUES ($1, $2) ON CONFLICT (event_key) DO NOTHING',
					[eventKey, now],
				);
				if (claimed === 0) {
					const row = await tx.get<ContactRow>('SELECT * FROM contacts WHERE email = $1', [patch.email]);
					const extra = await onDuplicate(tx, row);
					return {
						contact: row ? await this.profile(tx, row, now) : (null as unknown as ContactProfile),
						changes: [],
						duplicate: true,
						...extra,
					};
				}
			}
			const locked = await this.lockContact(tx, patch.email, now);
			const changes: string[] = locked.created ? ['created'] : [];
			const plan = planPatch(locked.row, patch, now);
			await this.applyPlan(tx, locked.row, plan, now, changes);
			const extra = await apply(tx, locked, changes, now);
			if (eventKey) {
				await tx.run('UPDATE processed_events SET contact_id = $1 WHERE event_key = $2', [locked.row.id, eventKey]);
			}
			const row = (await tx.get<ContactRow>('SELECT * FROM contacts WHERE id = $1', [locked.row.id]))!;
			return { contact: await this.profile(tx, row, now), changes, duplicate: false, ...extra };
		});
	}

	private async lockContact(tx: SqlExecutor, email: string, now: number): Promise<Locked> {
		const inserted = await tx.get<ContactRow>(
			'INSERT INTO contacts (email, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (email) DO NOTHING RETURNING *',
			[email, now],
		);
		if (inserted) return { row: inserted, created: true };
		const row = await tx.get<ContactRow>(`SELECT * FROM contacts WHERE email = $1${this.forUpdate}`, [email]);
		return { row: row!, created: false };
	}

	private async applyPlan(tx: SqlExecutor, row: ContactRow, plan: PatchPlan, now: number, changes: string[]) {
		const columns = Object.keys(plan.sets);
		if (columns.length === 0) return;
		const values = columns.map((c) => plan.sets[c]);
		const assignments = columns.map((c, i) => `${c} = $${i + 1}`).join(', ');
		await tx.run(`UPDATE contacts SET ${assignments}, updated_at = $${columns.length + 1} WHERE id = $${columns.length + 2}`, [
			...values,
			now,
			row.id,
		]);
		for (const change of plan.changes) if (!changes.includes(change)) changes.push(change);
	}

	private async touch(tx: SqlExecutor, contactId: number, now: number) {
		await tx.run('UPDATE contacts SET updated_at = $1 WHERE id = $2', [now, contactId]);
	}

	// ---------------------------------------------------------------- profile

	async upsertProfile(patch: ContactPatch, options?: WriteOptions): Promise<WriteResult> {
		return await this.write(
			patch,
			options,
			async () => ({}),
			async () => ({}),
		);
	}

	async unsubscribe(email: string, reason: SuppressionReason, options?: WriteOptions): Promise<WriteResult> {
		return await this.write(
			{ email },
			options,
			async (tx, { row }, changes, now) => {
				const plan: PatchPlan = { sets: {}, changes: [] };
				const set = (column: string, value: string | number | null, field: string) => {
					plan.sets[column] = value;
					if (!plan.changes.includes(field)) plan.changes.push(field);
				};
				if ((reason === 'unsubscribed' || reason === 'complained') && row.status !== 'unsubscribed') {
					set('status', 'unsubscribed', 'status');
				}
				// A complaint is the strongest reason and replaces a weaker one.
				if (Number(row.suppressed) !== 1 || (reason === 'complained' && row.suppression_reason !== 'complained')) {
					suppress(reason, now, set);
				}
				await this.applyPlan(tx, row, plan, now, changes);
				return {};
			},
			async () => ({}),
		);
	}

	// ---------------------------------------------------------------- orders

	async recordOrder(order: OrderEvent, options?: WriteOptions) {
		return await this.write(
			order.contact,
			options,
			async (tx, { row }, changes, now) => {
				const contactId = Number(row.id);
				const countable = isCountableOrder(order.status, order.financialStatus);
				const existing = await tx.get<OrderRow>(
					`SELECT * FROM orders WHERE source = $1 AND order_id = $2${this.forUpdate}`,
					[order.source, order.orderId],
				);
				let newOrder = false;
				let recount = false;
				if (!existing) {
					const inserted = await tx.get<{ id: number }>(
						`INSERT INTO orders (contact_id, source, order_id, order_number, placed_at, total, currency, status,
							financial_status, fulfillment_status, checkout_token, cart_token, counted, updated_at, source_updated_at)
						VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
						[
							contactId,
							order.source,
							order.orderId,
							order.orderNumber ?? null,
							order.placedAt,
							order.total,
							order.currency,
							order.status ?? null,
							order.financialStatus ?? null,
							order.fulfillmentStatus ?? null,
							order.checkoutToken ?? null,
							order.cartToken ?? null,
							countable ? 1 : 0,
							now,
							order.updatedAt ?? null,
						],
					);
					await this.insertItems(tx, Number(inserted!.id), contactId, order.lineItems);
					newOrder = true;
					recount = countable;
					changes.push('orderRecorded');
				} else if (isStaleOrderEvent(order, existing)) {
					// Older than what is recorded (webhooks arrive out of order): changes nothing.
				} else {
					const updates: Array<[string, SqlValue]> = [];
					if (order.updatedAt !== undefined && order.updatedAt !== Number(existing.source_updated_at ?? Number.NaN)) {
						// Not a change of its own (changes stays as it is), but later events are compared with it.
						await tx.run('UPDATE orders SET source_updated_at = $1 WHERE id = $2', [order.updatedAt, existing.id]);
					}
					if ((order.status ?? null) !== existing.status && order.status !== undefined) updates.push(['status', order.status]);
					if (order.financialStatus !== undefined && order.financialStatus !== existing.financial_status) {
						updates.push(['financial_status', order.financialStatus]);
					}
					if (order.fulfillmentStatus !== undefined && order.fulfillmentStatus !== existing.fulfillment_status) {
						updates.push(['fulfillment_status', order.fulfillmentStatus]);
					}
					if ((Number(existing.counted) === 1) !== countable) {
						updates.push(['counted', countable ? 1 : 0]);
						recount = true;
					}
					if (updates.length > 0) {
						const assignments = updates.map(([c], i) => `${c} = $${i + 1}`).join(', ');
						await tx.run(`UPDATE orders SET ${assignments}, updated_at = $${updates.length + 1} WHERE id = $${updates.length + 2}`, [
							...updates.map(([, v]) => v),
							now,
							existing.id,
						]);
						changes.push('orderUpdated');
					}
				}
				if (recount) await this.recountOrders(tx, row, now, changes);
				await this.convertCarts(tx, contactId, order, changes);
				const stored = await tx.get<OrderRow>('SELECT * FROM orders WHERE source = $1 AND order_id = $2', [
					order.source,
					order.orderId,
				]);
				const items = await tx.all<OrderItemRow>('SELECT * FROM order_items WHERE order_pk = $1 ORDER BY line', [stored!.id]);
				return { order: toStoredOrder(stored!, items.map(toLineItem)), newOrder };
			},
			async (tx) => {
				const stored = await tx.get<OrderRow>('SELECT * FROM orders WHERE source = $1 AND order_id = $2', [
					order.source,
					order.orderId,
				]);
				const items = stored
					? await tx.all<OrderItemRow>('SELECT * FROM order_items WHERE order_pk = $1 ORDER BY line', [stored.id])
					: [];
				return {
					order: stored ? toStoredOrder(stored, items.map(toLineItem)) : (null as unknown as StoredOrder),
					newOrder: false,
				};
			},
		);
	}

	private async insertItems(tx: SqlExecutor, orderPk: number, contactId: number, items: LineItem[]) {
		let line = 0;
		for (const item of items) {
			await tx.run(
				`INSERT INTO order_items (order_pk, contact_id, line, product_id, variant_id, sku, title, variant_title, quantity,
					price, product_type, vendor, tags, image_url, url)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
				[
					orderPk,
					contactId,
					line++,
					item.productId ?? null,
					item.variantId ?? null,
					item.sku ?? null,
					item.title,
					item.variantTitle ?? null,
					item.quantity,
					item.price,
					item.productType ?? null,
					item.vendor ?? null,
					item.tags && item.tags.length > 0 ? JSON.stringify(item.tags) : null,
					item.imageUrl ?? null,
					item.url ?? null,
				],
			);
		}
	}

	/** Purchase figures are always derived from the counted orders, so they cannot drift. */
	private async recountOrders(tx: SqlExecutor, row: ContactRow, now: number, changes: string[]) {
		const agg = (await tx.get<{ n: number; spent: number | null; first: number | null; last: number | null }>(
			'SELECT count(*) AS n, sum(total) AS spent, min(placed_at) AS first, max(placed_at) AS last FROM orders WHERE contact_id = $1 AND counted = 1',
			[row.id],
		))!;
		const latest = await tx.get<{ total: number; currency: string }>(
			'SELECT total, currency FROM orders WHERE contact_id = $1 AND counted = 1 ORDER BY placed_at DESC, id DESC LIMIT 1',
			[row.id],
		);
		const next = {
			order_count: Number(agg.n),
			total_spent: Math.round(Number(agg.spent ?? 0) * 100) / 100,
			first_purchase_at: agg.first === null ? null : Number(agg.first),
			last_purchase_at: agg.last === null ? null : Number(agg.last),
			last_order_value: latest ? Number(latest.total) : null,
			currency: latest ? latest.currency : row.currency,
		};
		const fieldNames: Record<string, string> = {
			order_count: 'orderCount',
			total_spent: 'totalSpent',
			first_purchase_at: 'firstPurchaseAt',
			last_purchase_at: 'lastPurchaseAt',
			last_order_value: 'lastOrderValue',
			currency: 'currency',
		};
		const plan: PatchPlan = { sets: {}, changes: [] };
		for (const [column, value] of Object.entries(next)) {
			const current = row[column as keyof ContactRow];
			const same = current === null || value === null ? current === value : String(Number(current)) === String(Number(value)) || current === value;
			if (!same) {
				plan.sets[column] = value;
				plan.changes.push(fieldNames[column]);
			}
		}
		await this.applyPlan(tx, row, plan, now, changes);
	}

	private async convertCarts(tx: SqlExecutor, contactId: number, order: OrderEvent, changes: string[]) {
		const tokens = [order.checkoutToken, order.cartToken].filter((t): t is string => !!t);
		if (tokens.length === 0) return;
		const converted = await tx.run(
			`UPDATE carts SET converted_at = $1, order_id = $2
			WHERE converted_at IS NULL AND (cart_id IN ($3, $4) OR cart_token IN ($3, $4))`,
			[order.placedAt, order.orderId, tokens[0], tokens[1] ?? tokens[0]],
		);
		if (converted > 0) {
			changes.push('cartConverted');
			await this.touch(tx, contactId, order.placedAt);
		}
	}

	// ---------------------------------------------------------------- carts

	async recordCart(cart: CartEvent, options?: WriteOptions) {
		const select = 'SELECT * FROM carts WHERE source = $1 AND cart_id = $2';
		return await this.write(
			cart.contact,
			options,
			async (tx, { row }, changes) => {
				const contactId = Number(row.id);
				const existing = await tx.get<CartRow & { id: number }>(`${select}${this.forUpdate}`, [cart.source, cart.cartId]);
				// An order that already arrived for this cart (webhooks come out of order) converts it.
				const order = await tx.get<{ order_id: string; placed_at: number }>(
					'SELECT order_id, placed_at FROM orders WHERE checkout_token = $1 OR cart_token = $2 OR cart_token = $1 ORDER BY placed_at LIMIT 1',
					[cart.cartId, cart.cartToken ?? cart.cartId],
				);
				const convertedAt = cart.completedAt ?? (order ? Number(order.placed_at) : null);
				const items = JSON.stringify(cart.items);
				if (!existing) {
					await tx.run(
						`INSERT INTO carts (contact_id, source, cart_id, cart_token, value, currency, recovery_url, items, created_at,
							updated_at, converted_at, order_id)
						VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
						[
							contactId,
							cart.source,
							cart.cartId,
							cart.cartToken ?? null,
							cart.value,
							cart.currency,
							cart.recoveryUrl ?? null,
							items,
							cart.createdAt,
							cart.updatedAt,
							convertedAt,
							order?.order_id ?? null,
						],
					);
					changes.push(convertedAt === null ? 'cartStarted' : 'cartConverted');
				} else if (cart.updatedAt >= Number(existing.updated_at)) {
					const nextConverted = existing.converted_at ?? convertedAt;
					const changed =
						existing.items !== items ||
						Number(existing.value) !== cart.value ||
						existing.recovery_url !== (cart.recoveryUrl ?? existing.recovery_url) ||
						existing.converted_at !== nextConverted ||
						Number(existing.updated_at) !== cart.updatedAt;
					if (changed) {
						await tx.run(
							`UPDATE carts SET value = $1, currency = $2, recovery_url = $3, items = $4, updated_at = $5,
								converted_at = $6, order_id = $7, contact_id = $8, cart_token = $9 WHERE id = $10`,
							[
								cart.value,
								cart.currency,
								cart.recoveryUrl ?? existing.recovery_url,
								items,
								cart.updatedAt,
								nextConverted,
								existing.order_id ?? order?.order_id ?? null,
								contactId,
								cart.cartToken ?? null,
								existing.id,
							],
						);
						changes.push(existing.converted_at === null && nextConverted !== null ? 'cartConverted' : 'cartUpdated');
					}
				}
				const stored = await tx.get<CartRow>(select, [cart.source, cart.cartId]);
				return { cart: toStoredCart(stored!) };
			},
			async (tx) => {
				const stored = await tx.get<CartRow>(select, [cart.source, cart.cartId]);
				return { cart: stored ? toStoredCart(stored) : (null as never) };
			},
		);
	}

	// ---------------------------------------------------------------- behaviour

	async recordProductView(view: ProductViewEvent, options?: WriteOptions) {
		const select = 'SELECT * FROM product_views WHERE contact_id = $1 AND product_id = $2';
		return await this.write(
			view.contact,
			options,
			async (tx, { row }, changes, now) => {
				const contactId = Number(row.id);
				await tx.run(
					`INSERT INTO product_views (contact_id, product_id, title, product_type, url, image_url, price, view_count,
						first_viewed_at, last_viewed_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)
					ON CONFLICT (contact_id, product_id) DO UPDATE SET
						view_count = product_views.view_count + 1,
						title = coalesce(excluded.title, product_views.title),
						product_type = coalesce(excluded.product_type, product_views.product_type),
						url = coalesce(excluded.url, product_views.url),
						image_url = coalesce(excluded.image_url, product_views.image_url),
						price = coalesce(excluded.price, product_views.price),
						first_viewed_at = ${this.db.dialect.least('product_views.first_viewed_at', 'excluded.first_viewed_at')},
						last_viewed_at = ${this.db.dialect.greatest('product_views.last_viewed_at', 'excluded.last_viewed_at')}`,
					[
						contactId,
						view.productId,
						view.title ?? null,
						view.productType ?? null,
						view.url ?? null,
						view.imageUrl ?? null,
						view.price ?? null,
						view.viewedAt,
					],
				);
				await tx.run('INSERT INTO product_view_events (contact_id, product_id, viewed_at) VALUES ($1, $2, $3)', [
					contactId,
					view.productId,
					view.viewedAt,
				]);
				await this.touch(tx, contactId, now);
				changes.push('productViewed');
				const stored = await tx.get<ProductViewRow>(select, [contactId, view.productId]);
				return { productView: toStoredProductView(stored!) };
			},
			async (tx, row) => {
				const stored = row ? await tx.get<ProductViewRow>(select, [row.id, view.productId]) : undefined;
				return { productView: stored ? toStoredProductView(stored) : (null as never) };
			},
		);
	}

	async recordPageVisit(visit: PageVisitEvent, options?: WriteOptions): Promise<WriteResult> {
		return await this.write(
			visit.contact,
			options,
			async (tx, { row }, changes, now) => {
				await tx.run('INSERT INTO page_visits (contact_id, url, visited_at) VALUES ($1, $2, $3)', [
					row.id,
					visit.url,
					visit.visitedAt,
				]);
				await tx.run(
					`UPDATE contacts SET site_visits = site_visits + 1,
						last_visit_at = ${this.db.dialect.greatest('last_visit_at', '$1')}, updated_at = $2 WHERE id = $3`,
					[visit.visitedAt, now, row.id],
				);
				changes.push('siteVisits');
				if (row.last_visit_at === null || visit.visitedAt > Number(row.last_visit_at)) changes.push('lastVisitAt');
				return {};
			},
			async () => ({}),
		);
	}

	async recordEngagement(event: EngagementEvent, options?: WriteOptions): Promise<WriteResult> {
		return await this.write(
			event.contact,
			options,
			async (tx, { row }, changes, now) => {
				await tx.run(
					'INSERT INTO engagement_events (contact_id, type, occurred_at, provider, campaign, url, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)',
					[row.id, event.type, event.occurredAt, event.provider ?? null, event.campaign ?? null, event.url ?? null, event.reason ?? null],
				);
				changes.push(`engagement:${event.type}`);
				const plan: PatchPlan = { sets: {}, changes: [] };
				const set = (column: string, value: string | number | null, field: string) => {
					plan.sets[column] = value;
					if (!plan.changes.includes(field)) plan.changes.push(field);
				};
				const suppressed = Number(row.suppressed) === 1;
				switch (event.type) {
					case 'open':
					case 'click':
						if (row.last_engagement_at === null || event.occurredAt > Number(row.last_engagement_at)) {
							set('last_engagement_at', event.occurredAt, 'lastEngagementAt');
						}
						break;
					case 'bounce':
						if (!suppressed) suppress('bounced', now, set);
						break;
					case 'complaint':
						if (row.status !== 'unsubscribed') set('status', 'unsubscribed', 'status');
						if (row.suppression_reason !== 'complained') suppress('complained', now, set);
						break;
					case 'unsubscribe':
						if (row.status !== 'unsubscribed') set('status', 'unsubscribed', 'status');
						if (!suppressed) suppress('unsubscribed', now, set);
						break;
					default:
						break;
				}
				if (Object.keys(plan.sets).length === 0) await this.touch(tx, Number(row.id), now);
				await this.applyPlan(tx, row, plan, now, changes);
				return {};
			},
			async () => ({}),
		);
	}

	// ---------------------------------------------------------------- coupons

	async issueCoupon(request: CouponRequest) {
		const now = request.now ?? Date.now();
		return await this.db.transaction(async (tx) => {
			const { row } = await this.lockContact(tx, request.email, now);
			const select = 'SELECT * FROM coupons WHERE contact_id = $1 AND campaign = $2';
			const existing = await tx.get<CouponRow>(select, [row.id, request.campaign]);
			if (existing) {
				return { contact: await this.profile(tx, row, now), coupon: toCoupon(existing, now), created: false };
			}
			for (let attempt = 0; attempt < 8; attempt++) {
				const code = generateCouponCode(request.prefix, request.codeLength);
				// No conflict target: a taken code and a concurrent issue for this campaign both land here.
				const inserted = await tx.run(
					'INSERT INTO coupons (contact_id, campaign, code, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
					[row.id, request.campaign, code, now, request.expiresAt ?? null],
				);
				const stored = await tx.get<CouponRow>(select, [row.id, request.campaign]);
				if (stored) {
					if (inserted > 0) await this.touch(tx, Number(row.id), now);
					const fresh = (await tx.get<ContactRow>('SELECT * FROM contacts WHERE id = $1', [row.id]))!;
					return { contact: await this.profile(tx, fresh, now), coupon: toCoupon(stored, now), created: inserted > 0 };
				}
			}
			throw new Error('Could not find a free coupon code after 8 tries: use a longer code length');
		});
	}

	// ---------------------------------------------------------------- sends (lib/store/sendsQueries.ts)

	async checkAndClaimSends(requests: SendRequest[]): Promise<SendOutcome[]> {
		const outcomes: SendOutcome[] = [];
		for (let start = 0; start < requests.length; start += SEND_BATCH_SIZE) {
			const batch = requests.slice(start, start + SEND_BATCH_SIZE);
			outcomes.push(...(await this.db.transaction((tx) => checkAndClaimSendBatch(tx, this.db.dialect, batch))));
		}
		return outcomes;
	}

	async releaseSend(email: string, campaign: string, step: string): Promise<boolean> {
		return await this.db.transaction((tx) => releaseSend(tx, email, campaign, step));
	}

	// ---------------------------------------------------------------- due steps (lib/store/dueStepQueries.ts)

	async sweepWinback(request: Due.WinbackSweep): Promise<Due.WinbackSweepResult> {
		return await sweepWinback(this.db, request);
	}

	async checkWinback(request: Due.WinbackCheckRequest): Promise<Due.WinbackCheckResult> {
		return await checkWinback(this.db, request);
	}

	async sweepCartReminders(request: Due.CartSweep): Promise<Due.SweepResult<Due.CartDue>> {
		return await sweepCarts(this.db, request);
	}

	async enrollDrip(request: Due.DripEnrollRequest): Promise<Due.DripEnrollResult> {
		return await enrollDrip(this.db, request);
	}

	async sweepDrips(request: Due.DripSweep): Promise<Due.SweepResult<Due.DripDue>> {
		return await sweepDrips(this.db, request);
	}

	async sweepDateEmails(request: Due.DateEmailSweep): Promise<Due.SweepResult<Due.DateEmailDue>> {
		return await sweepDateEmails(this.db, request);
	}

	// ---------------------------------------------------------------- tags and scores (lib/store/tagScoreStore.ts)

	private get tagScore(): TagScore.StoreContext {
		return {
			db: this.db,
			write: (patch, options, apply, onDuplicate) => this.write(patch, options, apply, onDuplicate),
			profile: (tx, row, now) => this.profile(tx, row, now),
		};
	}

	getTags(email: string, now?: number) {
		return TagScore.getTags(this.tagScore, email, now);
	}
	addTags(email: string, tags: string[], options?: TagWriteOptions) {
		return TagScore.addContactTags(this.tagScore, email, tags, options);
	}
	removeTags(email: string, tags: string[], options?: TagWriteOptions) {
		return TagScore.removeContactTags(this.tagScore, email, tags, options);
	}
	replaceTagGroup(email: string, group: string, tag: string, options?: TagWriteOptions) {
		return TagScore.replaceContactTagGroup(this.tagScore, email, group, tag, options);
	}
	applyEngagementTags(email: string, settings: EngagementSettings, now?: number) {
		return TagScore.applyEngagementTags(this.tagScore, email, settings, now);
	}
	sweepEngagementTags(settings: EngagementSettings, options: EngagementSweepOptions) {
		return TagScore.sweepEngagementTags(this.tagScore, settings, options);
	}
	applyInterestTags(email: string, request: InterestRequest) {
		return TagScore.applyInterestTags(this.tagScore, email, request);
	}
	adjustScore(email: string, name: string, points: number, options?: ScoreWriteOptions) {
		return TagScore.adjustScore(this.tagScore, email, name, points, options);
	}
	setScore(email: string, name: string, points: number, options?: ScoreWriteOptions) {
		return TagScore.setContactScore(this.tagScore, email, name, points, options);
	}
	getScore(email: string, name: string, options?: { now?: number; includeAwards?: boolean }) {
		return TagScore.getScore(this.tagScore, email, name, options);
	}
	updateScoreTier(email: string, name: string, tiers: Tier[], now?: number) {
		return TagScore.updateScoreTier(this.tagScore, email, name, tiers, now);
	}
	checkScoreThreshold(email: string, name: string, threshold: number, triggerKey: string, now?: number) {
		return TagScore.checkScoreThreshold(this.tagScore, email, name, threshold, triggerKey, now);
	}
	awardPageVisits(email: string, name: string, rule: PageVisitRule, options?: ScoreWriteOptions) {
		return TagScore.awardContactPageVisits(this.tagScore, email, name, rule, options);
	}
	decayScore(email: string, name: string, settings: DecaySettings, now?: number) {
		return TagScore.decayContactScore(this.tagScore, email, name, settings, now);
	}
	sweepScoreDecay(name: string, settings: DecaySettings, options: { now: number; maxContacts: number; batchSize?: number }) {
		return TagScore.sweepScoreDecay(this.tagScore, name, settings, options);
	}
	refreshExpiredScores(options: { now: number; maxContacts: number; batchSize?: number }) {
		return TagScore.refreshExpiredScores(this.tagScore, options);
	}

	// ---------------------------------------------------------------- segments (lib/store/segmentQueries.ts)

	async findSegmentContacts(rules: RuleGroup, options: FindSegmentOptions): Promise<ContactProfile[]> {
		return await segmentRead(this.db, (tx) => findSegmentContacts(tx, this.db.dialect, rules, options));
	}

	async checkSegmentContacts(emails: string[], ruleSets: RuleGroup[], context: EvalContext, withProfiles = true): Promise<Map<string, SegmentCheckRow>> {
		return await segmentRead(this.db, (tx) => checkSegmentContacts(tx, this.db.dialect, emails, ruleSets, context, withProfiles));
	}

	async getContactsByEmail(emails: string[], now = Date.now()): Promise<Map<string, ContactProfile>> {
		return await segmentRead(this.db, (tx) => contactsByEmail(tx, this.db.dialect, emails, now));
	}

	async getRfmBoundaries(): Promise<RfmBoundaries> {
		return await segmentRead(this.db, (tx) => rfmBoundaries(tx, this.db.dialect));
	}

	async getOrderDates(contactIds: number[]): Promise<Map<number, number[]>> {
		return await segmentRead(this.db, (tx) => orderDates(tx, this.db.dialect, contactIds));
	}

	// ---------------------------------------------------------------- product block (lib/store/productQueries.ts)

	async purchasedProductIds(email: string, limit?: number): Promise<string[]> {
		return await purchasedProductIds(this.db, email, limit);
	}

	async productsBoughtTogether(request: BoughtTogetherRequest): Promise<BoughtTogetherProduct[]> {
		return await productsBoughtTogether(this.db, this.db.dialect, request);
	}

	// ---------------------------------------------------------------- settings

	async getLinkSecret(): Promise<string> {
		const read = async () => (await this.db.get<{ value: string }>("SELECT value FROM store_settings WHERE key = 'link_secret'"))?.value;
		const existing = await read();
		if (existing) return existing;
		// Two processes may race here: the first insert wins and both read the same value.
		await this.db.run('INSERT INTO store_settings (key, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING', [
			'link_secret',
			newLinkSecret(),
			Date.now(),
		]);
		return (await read())!;
	}

	// ---------------------------------------------------------------- erasure

	async deleteContact(email: string): Promise<DeleteResult> {
		return await this.db.transaction(async (tx) => {
			const row = await tx.get<{ id: number }>(`SELECT id FROM contacts WHERE email = $1${this.forUpdate}`, [email]);
			if (!row) return { email, deleted: false, removed: {} };
			const removed: Record<string, number> = {};
			for (const table of CONTACT_TABLES) {
				const n = await tx.run(`DELETE FROM ${table} WHERE contact_id = $1`, [row.id]);
				if (n > 0) removed[table] = n;
			}
			// Keep the keys (so a replayed webhook cannot bring the person back) but not the link to them.
			await tx.run('UPDATE processed_events SET contact_id = NULL WHERE contact_id = $1', [row.id]);
			await tx.run('DELETE FROM contacts WHERE id = $1', [row.id]);
			return { email, deleted: true, removed };
		});
	}
}

export { toIso };
