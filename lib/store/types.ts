/** The contact store's domain types. Times are epoch milliseconds inside, ISO strings in profiles. */

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
	close(): Promise<void>;
}
