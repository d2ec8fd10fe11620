/**
 * A contact's facts from an input item, for rules evaluated in memory: the profile the
 * Marketing Contact node outputs (`$json.contact`), or the item itself when it is a
 * profile, plus the history a Marketing Contact "Get" adds beside it (orders with line
 * items, carts, product views). A few common spellings of store exports are accepted
 * (orders_count, total_spent, comma-separated tags).
 */
import { InputError } from './errors';
import type { ContactFacts, FactNeed, ProfileFact, Purchase } from './segmentRules';
import { birthdayParts, tryParseTimestamp } from './values';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The profile inside an item: `contact` when it is an object, else the item itself. */
export function profileOf(json: Json): Json {
	return isObject(json.contact) ? json.contact : json;
}

function pick(profile: Json, keys: string[]): unknown {
	for (const key of keys) {
		if (Object.prototype.hasOwnProperty.call(profile, key) && profile[key] !== undefined) return profile[key];
	}
	return undefined;
}

function num(profile: Json, keys: string[], nullable: boolean): number | null {
	const value = pick(profile, keys);
	if (value === undefined || value === null || value === '') return nullable ? null : 0;
	const n = typeof value === 'string' ? Number(value.trim()) : value;
	if (typeof n !== 'number' || !Number.isFinite(n)) {
		throw new InputError(`"${keys[0]}" of the contact is not a number: ${JSON.stringify(value)?.slice(0, 60)}`, 'contactSource');
	}
	return n;
}

/** Full ISO 8601 date-times with a zone (what profiles hold), e.g. 2026-03-01T10:00:00.000Z. */
const ISO_WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A point in time. ISO strings with a zone take a fast path (Date.parse, after checking
 * the calendar date exists and the year is 1900–2199, as tryParseTimestamp would);
 * every other form goes through tryParseTimestamp.
 */
export function parseTime(value: unknown): number | undefined {
	if (typeof value === 'string') {
		const m = ISO_WITH_ZONE.exec(value);
		if (m) {
			const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
			const valid = year >= 1900 && year < 2200 && month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
			return valid ? Date.parse(value) : undefined;
		}
	}
	return tryParseTimestamp(value);
}

function time(profile: Json, keys: string[]): number | null {
	const value = pick(profile, keys);
	if (value === undefined || value === null || value === '') return null;
	const ms = parseTime(value);
	if (ms === undefined) throw new InputError(`"${keys[0]}" of the contact is not a date: ${JSON.stringify(value)?.slice(0, 60)}`, 'contactSource');
	return ms;
}

function str(profile: Json, keys: string[]): string | null {
	const value = pick(profile, keys);
	if (value === undefined || value === null) return null;
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	throw new InputError(`"${keys[0]}" of the contact is not text`, 'contactSource');
}

function stringList(value: unknown, what: string): string[] {
	if (value === undefined || value === null || value === '') return [];
	if (typeof value === 'string') return value.split(',').map((t) => t.trim()).filter(Boolean);
	if (Array.isArray(value)) return value.filter((t) => t !== null && t !== undefined && t !== '').map(String);
	throw new InputError(`"${what}" of the contact must be a list`, 'contactSource');
}

function requiredTime(value: unknown, what: string): number {
	const ms = parseTime(value);
	if (ms === undefined) throw new InputError(`${what} is not a date: ${JSON.stringify(value)?.slice(0, 60)}`, 'contactSource');
	return ms;
}

/** Score points and tiers: `{ loyalty: 120 }`, `{ loyalty: { points: 120, tier: 'Gold' } }`, plus `tiers`/`scoreTiers`. */
function scoresAndTiers(profile: Json): { scores: Record<string, number>; tiers?: Record<string, string | null> } {
	const scores: Record<string, number> = {};
	let tiers: Record<string, string | null> | undefined;
	const raw = pick(profile, ['scores']);
	if (isObject(raw)) {
		for (const [name, value] of Object.entries(raw)) {
			if (typeof value === 'number') scores[name] = value;
			else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) scores[name] = Number(value);
			else if (isObject(value)) {
				if (typeof value.points === 'number') scores[name] = value.points;
				if ('tier' in value) {
					tiers ??= {};
					tiers[name] = typeof value.tier === 'string' ? value.tier : null;
				}
			}
		}
	}
	const tierMap = pick(profile, ['tiers', 'scoreTiers']);
	if (isObject(tierMap)) {
		tiers ??= {};
		for (const [name, tier] of Object.entries(tierMap)) tiers[name] = typeof tier === 'string' ? tier : null;
	}
	return tiers ? { scores, tiers } : { scores };
}

const EXTRACTORS: Record<ProfileFact, (profile: Json) => unknown> = {
	email: (p) => str(p, ['email']),
	country: (p) => str(p, ['country', 'countryCode', 'country_code']),
	region: (p) => str(p, ['region', 'province', 'state']),
	city: (p) => str(p, ['city']),
	status: (p) => str(p, ['status']),
	suppressed: (p) => {
		const suppressed = pick(p, ['suppressed']);
		return suppressed === true || suppressed === 1 || suppressed === 'true';
	},
	orderCount: (p) => num(p, ['orderCount', 'orders_count', 'ordersCount'], false),
	totalSpent: (p) => num(p, ['totalSpent', 'total_spent'], false),
	lastOrderValue: (p) => num(p, ['lastOrderValue'], true),
	firstPurchaseAt: (p) => time(p, ['firstPurchaseAt']),
	lastPurchaseAt: (p) => time(p, ['lastPurchaseAt', 'lastOrderAt']),
	lastEngagementAt: (p) => time(p, ['lastEngagementAt']),
	lastVisitAt: (p) => time(p, ['lastVisitAt']),
	signedUpAt: (p) => time(p, ['signedUpAt', 'created_at']),
	siteVisits: (p) => num(p, ['siteVisits'], false),
	birthMonth: (p) => {
		const month = num(p, ['birthMonth'], true);
		if (month !== null) return month;
		const birthday = str(p, ['birthday']);
		return birthday ? (birthdayParts(birthday)?.month ?? null) : null;
	},
	custom: (p) => {
		const custom = pick(p, ['custom', 'customFields']);
		return isObject(custom) ? custom : {};
	},
	tags: (p) => stringList(pick(p, ['tags']), 'tags'),
	scores: (p) => scoresAndTiers(p).scores,
	// Undefined (not set) when the item says nothing about tiers.
	tiers: (p) => scoresAndTiers(p).tiers,
};

const ALL_FACTS = Object.keys(EXTRACTORS) as ProfileFact[];

/**
 * A reader of the facts of the contact in an item, compiled once: only the profile facts
 * in `fields` (all by default) and the history in `needs` are read. History the item does
 * not have stays undefined (a rule that needs it then says so).
 */
export function factsReader(needs: Set<FactNeed>, fields: Iterable<ProfileFact> = ALL_FACTS): (json: Json) => ContactFacts {
	const extractors = [...new Set(fields)].map((field) => [field, EXTRACTORS[field]] as const);
	return (json) => {
		const profile = profileOf(json);
		const facts = {} as Record<string, unknown>;
		for (const [field, extract] of extractors) {
			const value = extract(profile);
			if (value !== undefined) facts[field] = value;
		}
		return addHistory(facts as unknown as ContactFacts, json, profile, needs);
	};
}

/** The facts of the contact in an item (every profile fact, and the history in `needs`). */
export function factsFromItem(json: Json, needs: Set<FactNeed>): ContactFacts {
	return factsReader(needs)(json);
}

function addHistory(facts: ContactFacts, json: Json, profile: Json, needs: Set<FactNeed>): ContactFacts {
	if (needs.has('purchases')) {
		const orders = json.orders ?? profile.orders;
		if (Array.isArray(orders)) facts.purchases = purchasesFrom(orders);
	}
	if (needs.has('carts')) {
		const carts = json.carts ?? profile.carts;
		if (Array.isArray(carts)) {
			facts.carts = carts.filter(isObject).map((cart, i) => ({
				updatedAt: requiredTime(cart.updatedAt ?? cart.createdAt, `carts[${i}].updatedAt`),
				convertedAt: cart.convertedAt === null || cart.convertedAt === undefined ? null : requiredTime(cart.convertedAt, `carts[${i}].convertedAt`),
			}));
		}
	}
	if (needs.has('views')) {
		const events = json.productViewEvents ?? profile.productViewEvents;
		const totals = json.productViews ?? profile.productViews;
		if (Array.isArray(events)) {
			facts.productViews = events.filter(isObject).map((e, i) => ({
				productId: String(e.productId ?? ''),
				viewedAt: requiredTime(e.viewedAt, `productViewEvents[${i}].viewedAt`),
			}));
		} else if (Array.isArray(totals)) {
			facts.productViewTotals = totals.filter(isObject).map((v, i) => ({
				productId: String(v.productId ?? ''),
				viewCount: Number(v.viewCount ?? 0),
				firstViewedAt: requiredTime(v.firstViewedAt ?? v.lastViewedAt, `productViews[${i}].firstViewedAt`),
				lastViewedAt: requiredTime(v.lastViewedAt, `productViews[${i}].lastViewedAt`),
			}));
		}
	}
	return facts;
}

function purchasesFrom(orders: unknown[]): Purchase[] {
	const out: Purchase[] = [];
	orders.forEach((order, i) => {
		if (!isObject(order)) return;
		// Cancelled or refunded orders are stored with counted: false and do not count as purchases.
		if (order.counted === false) return;
		const placedAt = requiredTime(order.placedAt ?? order.created_at, `orders[${i}].placedAt`);
		const items = order.lineItems ?? order.line_items;
		if (!Array.isArray(items)) return;
		for (const item of items) {
			if (!isObject(item)) continue;
			const id = item.productId ?? item.product_id;
			out.push({
				placedAt,
				productId: id === undefined || id === null ? null : String(id),
				sku: item.sku === undefined || item.sku === null ? null : String(item.sku),
				productType: typeof item.productType === 'string' ? item.productType : null,
				tags: stringList(item.tags, `orders[${i}].lineItems.tags`),
			});
		}
	});
	return out;
}
