/** The contact store's domain types. Times are epoch milliseconds inside, ISO strings in profiles. */
import type { SendDecision, SendPolicy } from '../domain/sendable';
import type {
	CartDue,
	CartSweep,
	DateEmailDue,
	DateEmailSweep,
	DripDue,
	DripEnrollRequest,
	DripEnrollResult,
	DripSweep,
	SweepResult,
	WinbackCheckRequest,
	WinbackCheckResult,
	WinbackSweep,
	WinbackSweepResult,
} from './dueStepTypes';

export * from './dueStepTypes';
import type { RfmBoundaries } from '../domain/rfm';
import type { EvalContext, RuleGroup } from '../domain/segmentRules';
import type { FindSegmentOptions, SegmentCheckRow } from './segmentQueries';
export type { FindSegmentOptions, SegmentCheckRow } from './segmentQueries';
import type * as TS from './tagScoreTypes';
export * from './tagScoreTypes';

export type SubscriptionStatus = 'subscribed' | 'unsubscribed' | 'not_subscribed' | 'pending';
export const SUBSCRIPTION_STATUSES: SubscriptionStatus[] = ['subscribed', 'unsubscribed', 'not_subscribed', 'pending'];

export type SuppressionReason = 'unsubscribed' | 'bounced' | 'complained' | 'manual' | 'lapsed' | 'invalid';
export const SUPPRESSION_REASONS: SuppressionReason[] = ['unsubscribed', 'bounced', 'complained', 'manual', 'lapsed', 'invalid'];

export interface LineItem {
	productId?: string;
	variantId?: string;
	sku?: string;
	title: string;
	variantTitle?: string;
	quantity: number;
	price: number;
	compareAtPrice?: number;
	productType?: string;
	vendor?: string;
	tags?: string[];
	imageUrl?: string;
	url?: string;
}

/** Profile fields an event or an upsert may set. Undefined means "leave as is". */
export interface ContactPatch {
	email: string;
	firstName?: string;
	lastName?: string;
	phone?: string;
	birthday?: string;
	country?: string;
	region?: string;
	city?: string;
	timeZone?: string;
	locale?: string;
	status?: SubscriptionStatus;
	/** Whether a new status may lift an existing suppression (explicit re-subscription only). */
	liftSuppression?: boolean;
	consentAt?: number;
	signedUpAt?: number;
	customerIds?: Record<string, string>;
	custom?: Record<string, unknown>;
}

export interface OrderEvent {
	source: string;
	orderId: string;
	orderNumber?: string;
	contact: ContactPatch;
	placedAt: number;
	total: number;
	currency: string;
	status?: string;
	financialStatus?: string;
	fulfillmentStatus?: string;
	checkoutToken?: string;
	cartToken?: string;
	lineItems: LineItem[];
	/**
	 * When the order last changed at the store (Shopify updated_at, WooCommerce date_modified).
	 * Webhooks arrive out of order: an event older than the one already recorded for the order
	 * changes nothing. Without it, events are applied as they come.
	 */
	updatedAt?: number;
}

export interface CartEvent {
	source: string;
	cartId: string;
	cartToken?: string;
	contact: ContactPatch;
	items: LineItem[];
	value: number;
	currency: string;
	recoveryUrl?: string;
	createdAt: number;
	updatedAt: number;
	completedAt?: number;
}

export interface ProductViewEvent {
	contact: ContactPatch;
	productId: string;
	title?: string;
	productType?: string;
	url?: string;
	imageUrl?: string;
	price?: number;
	viewedAt: number;
}

export interface PageVisitEvent {
	contact: ContactPatch;
	url: string;
	visitedAt: number;
}

export type EngagementType = 'delivered' | 'open' | 'click' | 'bounce' | 'soft_bounce' | 'complaint' | 'unsubscribe';
export const ENGAGEMENT_TYPES: EngagementType[] = ['delivered', 'open', 'click', 'bounce', 'soft_bounce', 'complaint', 'unsubscribe'];

export interface EngagementEvent {
	contact: ContactPatch;
	type: EngagementType;
	occurredAt: number;
	provider?: string;
	campaign?: string;
	url?: string;
	reason?: string;
	/** The provider's own event id, used as the idempotency key when present. */
	providerEventId?: string;
}

export interface ContactProfile {
	id: number;
	email: string;
	firstName: string | null;
	lastName: string | null;
	phone: string | null;
	birthday: string | null;
	country: string | null;
	region: string | null;
	city: string | null;
	timeZone: string | null;
	locale: string | null;
	status: SubscriptionStatus;
	suppressed: boolean;
	suppressionReason: SuppressionReason | null;
	consentAt: string | null;
	signedUpAt: string | null;
	firstPurchaseAt: string | null;
	lastPurchaseAt: string | null;
	orderCount: number;
	totalSpent: number;
	averageOrderValue: number;
	lastOrderValue: number | null;
	currency: string | null;
	lastEngagementAt: string | null;
	lastVisitAt: string | null;
	siteVisits: number;
	customerIds: Record<string, string>;
	custom: Record<string, unknown>;
	tags: string[];
	scores: Record<string, number>;
	/** The stored tier per score name (Score node, Tiers), e.g. { loyalty: 'Gold' }. */
	tiers: Record<string, string>;
	createdAt: string;
	updatedAt: string;
}

export interface StoredOrder {
	source: string;
	orderId: string;
	orderNumber: string | null;
	placedAt: string;
	total: number;
	currency: string;
	status: string | null;
	financialStatus: string | null;
	fulfillmentStatus: string | null;
	counted: boolean;
	lineItems: LineItem[];
}

export interface StoredCart {
	source: string;
	cartId: string;
	value: number;
	currency: string;
	recoveryUrl: string | null;
	items: LineItem[];
	createdAt: string;
	updatedAt: string;
	convertedAt: string | null;
	orderId: string | null;
}

export interface StoredProductView {
	productId: string;
	title: string | null;
	productType: string | null;
	url: string | null;
	imageUrl: string | null;
	viewCount: number;
	firstViewedAt: string;
	lastViewedAt: string;
}

export interface Coupon {
	campaign: string;
	code: string;
	createdAt: string;
	expiresAt: string | null;
	expired: boolean;
}

/** What a write did. A replayed event comes back with `duplicate: true` and no changes. */
export interface WriteResult {
	contact: ContactProfile;
	changes: string[];
	duplicate: boolean;
}

export interface WriteOptions {
	/** Idempotency key: a second write with the same key changes nothing. */
	eventKey?: string;
	/** "Now" for this write (defaults to the clock). */
	now?: number;
}

export interface ContactDetails {
	contact: ContactProfile;
	orders?: StoredOrder[];
	carts?: StoredCart[];
	productViews?: StoredProductView[];
	coupons?: Coupon[];
}

export type DetailKind = 'orders' | 'carts' | 'productViews' | 'coupons';

export interface DeleteResult {
	email: string;
	deleted: boolean;
	removed: Record<string, number>;
}

export interface CouponRequest {
	email: string;
	campaign: string;
	prefix: string;
	codeLength: number;
	expiresAt?: number;
	now?: number;
}

/** The one storage interface every node talks to. Implemented on SQLite and PostgreSQL. */
export interface ContactStore {
	readonly backend: 'sqlite' | 'postgres';
	/** Checks the connection and that the schema is current. */
	ping(): Promise<void>;
	getContact(email: string, now?: number): Promise<ContactProfile | null>;
	getContactDetails(email: string, include: DetailKind[], now?: number): Promise<ContactDetails | null>;
	upsertProfile(patch: ContactPatch, options?: WriteOptions): Promise<WriteResult>;
	recordOrder(order: OrderEvent, options?: WriteOptions): Promise<WriteResult & { order: StoredOrder; newOrder: boolean }>;
	recordCart(cart: CartEvent, options?: WriteOptions): Promise<WriteResult & { cart: StoredCart }>;
	recordProductView(view: ProductViewEvent, options?: WriteOptions): Promise<WriteResult & { productView: StoredProductView }>;
	recordPageVisit(visit: PageVisitEvent, options?: WriteOptions): Promise<WriteResult>;
	recordEngagement(event: EngagementEvent, options?: WriteOptions): Promise<WriteResult>;
	unsubscribe(email: string, reason: SuppressionReason, options?: WriteOptions & { note?: string }): Promise<WriteResult>;
	deleteContact(email: string): Promise<DeleteResult>;
	issueCoupon(request: CouponRequest): Promise<{ contact: ContactProfile; coupon: Coupon; created: boolean }>;

	// ---- Sends (Segment → Sendable): the guard before every email sender
	/**
	 * Decides for each request, in order, whether that email may go to that contact
	 * now (lib/domain/sendable.ts), and records a claim on (contact, campaign, step)
	 * for those that pass and ask for it. Each batch is one transaction with its
	 * contacts locked, so a step is claimed at most once and concurrent runs cannot
	 * pass the frequency cap together. Pass a few hundred requests at a time.
	 */
	checkAndClaimSends(requests: SendRequest[]): Promise<SendOutcome[]>;
	/** Forgets a claim (e.g. the email could not be sent) so the step can go again. */
	releaseSend(email: string, campaign: string, step: string): Promise<boolean>;

	// ---- Due steps (Win-back Window, Campaign Schedule): lib/store/dueStepQueries.ts
	/**
	 * Each sweep selects what is due at `now` (set-based, keyset batches), claims each
	 * step once per anchor in step_claims (INSERT … ON CONFLICT DO NOTHING) and returns
	 * only what this call claimed: overlapping runs never return the same contact and step.
	 */
	sweepWinback(request: WinbackSweep): Promise<WinbackSweepResult>;
	/** Where one contact stands in a win-back window; claims the due step only if asked. */
	checkWinback(request: WinbackCheckRequest): Promise<WinbackCheckResult>;
	sweepCartReminders(request: CartSweep): Promise<SweepResult<CartDue>>;
	/** Enrolls a contact (created if new) in a drip; idempotent per contact and campaign. */
	enrollDrip(request: DripEnrollRequest): Promise<DripEnrollResult>;
	sweepDrips(request: DripSweep): Promise<SweepResult<DripDue>>;
	sweepDateEmails(request: DateEmailSweep): Promise<SweepResult<DateEmailDue>>;

	// ---- Tags and scores (Tag and Score nodes): lib/store/tagScoreStore.ts, tagQueries.ts, scoreQueries.ts
	/** The tags that count at `now` (expired ones do not). */
	getTags(email: string, now?: number): Promise<TS.TagCheck>;
	/** Gives the contact (created if new) each tag, with the expiry given (none by default). */
	addTags(email: string, tags: string[], options?: TS.TagWriteOptions): Promise<TS.TagWriteResult>;
	/** null when there is no such contact. */
	removeTags(email: string, tags: string[], options?: TS.TagWriteOptions): Promise<TS.TagWriteResult | null>;
	/** Atomically leaves `tag` as the only tag starting with `group` (e.g. "engagement:"). */
	replaceTagGroup(email: string, group: string, tag: string, options?: TS.TagWriteOptions): Promise<TS.TagWriteResult>;
	/** Sets the one engagement tag of one contact; null when there is no such contact. */
	applyEngagementTags(email: string, settings: TS.EngagementSettings, now?: number): Promise<TS.EngagementChange | null>;
	/** Sets the engagement tag of every contact whose state changed; returns only those. */
	sweepEngagementTags(settings: TS.EngagementSettings, options: TS.EngagementSweepOptions): Promise<TS.SweepOutcome<TS.EngagementChange>>;
	/** Tags interest in products and categories viewed often enough; null when there is no such contact. */
	applyInterestTags(email: string, request: TS.InterestRequest): Promise<TS.InterestResult | null>;
	/** Adds (or takes) points; with an event key a replay changes nothing. Concurrent adjustments all count. */
	adjustScore(email: string, name: string, points: number, options?: TS.ScoreWriteOptions): Promise<TS.ScoreWriteResult>;
	setScore(email: string, name: string, points: number, options?: TS.ScoreWriteOptions): Promise<TS.ScoreWriteResult>;
	getScore(email: string, name: string, options?: { now?: number; includeAwards?: boolean }): Promise<TS.ScoreRead>;
	/** Stores the tier of the score at `now` in contact_scores.tier. */
	updateScoreTier(email: string, name: string, tiers: TS.Tier[], now?: number): Promise<TS.TierResult>;
	/** crossed is true once per crossing of the threshold (armed again when the score is seen below it). */
	checkScoreThreshold(email: string, name: string, threshold: number, triggerKey: string, now?: number): Promise<TS.ThresholdResult>;
	awardPageVisits(email: string, name: string, rule: TS.PageVisitRule, options?: TS.ScoreWriteOptions): Promise<TS.PageVisitAwardResult>;
	decayScore(email: string, name: string, settings: TS.DecaySettings, now?: number): Promise<TS.DecayChange | null>;
	sweepScoreDecay(name: string, settings: TS.DecaySettings, options: { now: number; maxContacts: number; batchSize?: number }): Promise<TS.SweepOutcome<TS.DecayChange>>;
	/** Brings stored scores (contact_scores.points) up to date with awards expired by `now`. */
	refreshExpiredScores(options: { now: number; maxContacts: number; batchSize?: number }): Promise<TS.SweepOutcome<TS.ScoreRefresh>>;

	// ---- Segment (Check, Find Contacts, RFM, Predict Next Order): lib/store/segmentQueries.ts
	/** One batch of the contacts matching `rules` with an id above `afterId`, in id order (one query). */
	findSegmentContacts(rules: RuleGroup, options: FindSegmentOptions): Promise<ContactProfile[]>;
	/**
	 * The contacts with these normalized emails (a batch of a few hundred), with each
	 * condition's result for each rule set and (unless withProfiles is false) their
	 * profiles, in one query. Unknown emails are absent.
	 */
	checkSegmentContacts(emails: string[], ruleSets: RuleGroup[], context: EvalContext, withProfiles?: boolean): Promise<Map<string, SegmentCheckRow>>;
	/** Profiles for a batch of normalized emails, in one query. Unknown emails are absent. */
	getContactsByEmail(emails: string[], now?: number): Promise<Map<string, ContactProfile>>;
	/** RFM cut values over every customer (contacts with at least one counted order). */
	getRfmBoundaries(): Promise<RfmBoundaries>;
	/** Placed-at times of the counted orders of each contact, oldest first. */
	getOrderDates(contactIds: number[]): Promise<Map<number, number[]>>;

	// ---- Product Block (recommendations from the order history): lib/store/productQueries.ts
	/** Product ids the contact has ordered, most recently ordered first (empty for an unknown contact). */
	purchasedProductIds(email: string, limit?: number): Promise<string[]>;
	/**
	 * The products most often bought in the same order (counted orders of every
	 * contact) as the basis products, best first: the given product ids, or else the
	 * contact's own recent purchases. The contact's purchases are left out unless
	 * `includePurchased`. Reads a bounded slice of the history (indexed).
	 */
	productsBoughtTogether(request: BoughtTogetherRequest): Promise<BoughtTogetherProduct[]>;

	// ---- store settings
	/**
	 * The secret that signs this store's unsubscribe links: created at random on first use and
	 * kept in the store, so every n8n process sharing the store signs and verifies alike.
	 */
	getLinkSecret(): Promise<string>;

	close(): Promise<void>;
}

export interface SendRequest {
	/** Normalized (lower-case) email. */
	email: string;
	campaign: string;
	step: string;
	/** "Now" for the checks and the claim. */
	now: number;
	policy: SendPolicy;
	/** Record the send when every check passes ("Mark as Sent"). */
	claim: boolean;
}

/** The decision, plus what the store did: `claimed` is true only when this request recorded the send. */
export type SendOutcome = SendDecision & { contactId: number | null; claimed: boolean; claimedAt: number | null };

export interface BoughtTogetherRequest {
	/** Normalized email of the contact the recommendations are for. */
	email?: string;
	/** What the recommendations go with; empty means the contact's recent purchases. */
	productIds?: string[];
	/** At most this many products (1–100). */
	limit: number;
	/** Keep products the contact has already ordered. */
	includePurchased?: boolean;
}

export interface BoughtTogetherProduct {
	productId: string;
	title: string;
	/** The latest price paid, in `currency`. */
	price: number;
	currency: string;
	sku?: string;
	imageUrl?: string;
	url?: string;
	productType?: string;
	vendor?: string;
	tags?: string[];
	/** Orders in which it was bought together with a basis product. */
	orders: number;
}
