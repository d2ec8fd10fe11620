/**
 * Varied contacts for the segment agreement tests: generated as facts in memory (the
 * oracle for the in-memory evaluator), then written as rows into a real store, so that
 * Find Contacts (SQL) can be compared with the in-memory result. Values are chosen to
 * sit on every edge: empty and NULL values, letter case, day boundaries to the
 * millisecond, expired tags, cancelled orders, SQL and LIKE metacharacters.
 */
import { migrate } from '../../lib/store/migrations';
import { PostgresDriver } from '../../lib/store/postgresDriver';
import type { SqlDriver } from '../../lib/store/sql';
import { SqlContactStore } from '../../lib/store/SqlContactStore';
import { SqliteDriver } from '../../lib/store/sqliteDriver';
import type { StoreConfig } from '../../lib/store';
import { DAY_MS, type ContactFacts, type RawCondition, type RawGroup } from '../../lib/domain/segmentRules';

export const NASTY = `x'); DROP TABLE contacts; --`;

/** A driver and a store on it, for tests that write rows directly. */
export async function openRaw(config: StoreConfig): Promise<{ driver: SqlDriver; store: SqlContactStore }> {
	let driver: SqlDriver;
	if (config.backend === 'sqlite') driver = new SqliteDriver(config.path);
	else {
		const pg = new PostgresDriver(config);
		await pg.ensureSchema();
		driver = pg;
	}
	await migrate(driver);
	return { driver, store: new SqlContactStore(driver) };
}

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export const POOLS = {
	country: ['US', 'us', 'Us', 'DE', 'GB', 'fr', 'ÜS', '', `O'Hare`, '%', '_'],
	region: ['CA', 'ca', 'Bavaria', 'NY', '100%', 'a_b', ''],
	city: ['San Francisco', 'SAN FRANCISCO', 'München', 'MÜNCHEN', 'berlin', 'St. Louis', 'x%y_z', 'New York', ''],
	status: ['subscribed', 'unsubscribed', 'not_subscribed', 'pending'],
	tag: ['vip', 'newsletter', 'wholesale', 'VIP', 'sale%', `o'brien`, 'ümlaut', NASTY],
	productId: ['P1', 'p1', 'P2', 'p3', '4%', NASTY],
	sku: ['SKU-1', 'sku-1', 'SKU-2', 'a_b'],
	productType: ['Shoes', 'shoes', 'Hats', 'Bags'],
	productTag: ['summer', 'Summer', 'sale', 'winter', '50%'],
	viewed: ['P9', 'p9', 'P3', 'P7'],
	tier: ['Gold', 'gold', 'Silver', 'Bronze'],
	customKey: ['shoeSize', 'vip', 'color', 'note', `it's`, 'a.b', 'missing'],
	color: ['Blue', 'BLUE', 'blue', 'red', '', '38'],
};

export interface StoredContact {
	facts: ContactFacts;
	/** Rows that must not count: expired tags, cancelled orders. */
	expiredTags: string[];
	cancelledProducts: string[];
}

/** Contacts with varied facts, relative to `now`. */
export function generateContacts(n: number, now: number, random: () => number): StoredContact[] {
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
	const chance = (p: number) => random() < p;
	const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
	/** A time around day boundaries, or anywhere in the last 400 days, sometimes in the future. */
	const time = (): number => {
		const days = pick([0, 1, 7, 30, 31, 90, 180, 365, int(0, 400)]);
		const offset = pick([0, -1, 1, int(-DAY_MS, DAY_MS)]);
		return chance(0.05) ? now + int(1, 5 * DAY_MS) : now - days * DAY_MS + offset;
	};
	const maybe = <T>(value: () => T, p = 0.8): T | null => (chance(p) ? value() : null);
	const out: StoredContact[] = [];
	for (let i = 0; i < n; i++) {
		const orderCount = pick([0, 0, 1, 1, 2, 3, 5]);
		const custom: Record<string, unknown> = {};
		if (chance(0.6)) custom.shoeSize = pick([36, 38, 38.5, 42, '38', 0]);
		if (chance(0.5)) custom.vip = pick([true, false, 'true', 1]);
		if (chance(0.6)) custom.color = pick(POOLS.color);
		if (chance(0.3)) custom.note = pick([null, '', 'hello', 5]);
		if (chance(0.3)) custom[`it's`] = pick(['yes', 3, true]);
		if (chance(0.2)) custom['a.b'] = pick(['dot', 1]);
		const tags = [...new Set(Array.from({ length: int(0, 3) }, () => pick(POOLS.tag)))];
		const expiredTags = [...new Set(Array.from({ length: int(0, 1) }, () => pick(POOLS.tag)))].filter((t) => !tags.includes(t));
		const scores: Record<string, number> = {};
		const tiers: Record<string, string | null> = {};
		if (chance(0.6)) {
			scores.loyalty = Math.round(random() * 50000) / 100;
			const tier = maybe(() => pick(POOLS.tier), 0.7);
			if (tier !== null) tiers.loyalty = tier;
		}
		if (chance(0.3)) scores.lead = int(0, 100);
		const purchases: NonNullable<ContactFacts['purchases']> = [];
		for (let o = 0, orders = int(0, 3); o < orders; o++) {
			const placedAt = time();
			for (let k = 0, lines = int(1, 3); k < lines; k++) {
				purchases.push({
					placedAt,
					productId: maybe(() => pick(POOLS.productId)),
					sku: maybe(() => pick(POOLS.sku), 0.6),
					productType: maybe(() => pick(POOLS.productType), 0.6),
					tags: [...new Set(Array.from({ length: int(0, 2) }, () => pick(POOLS.productTag)))],
				});
			}
		}
		const carts = Array.from({ length: pick([0, 0, 1, 2, 3]) }, () => {
			const updatedAt = now - int(0, 15 * DAY_MS);
			return { updatedAt, convertedAt: chance(0.4) ? updatedAt + int(0, DAY_MS) : null };
		});
		const productViews = Array.from({ length: pick([0, 0, 1, 3, 5, 8]) }, () => ({
			productId: pick(POOLS.viewed),
			viewedAt: now - pick([0, 1, 3, 7, 30, int(0, 40)]) * DAY_MS + pick([0, -1, 1]),
		}));
		const totalSpent = orderCount === 0 ? 0 : Math.round(random() * 60000) / 100;
		out.push({
			facts: {
				email: `c${i}@example.com`,
				country: maybe(() => pick(POOLS.country)),
				region: maybe(() => pick(POOLS.region), 0.6),
				city: maybe(() => pick(POOLS.city)),
				status: pick(POOLS.status),
				suppressed: chance(0.15),
				orderCount,
				totalSpent,
				lastOrderValue: orderCount === 0 ? null : Math.round(random() * 30000) / 100,
				firstPurchaseAt: orderCount === 0 ? null : time(),
				lastPurchaseAt: orderCount === 0 ? null : time(),
				lastEngagementAt: maybe(time, 0.7),
				lastVisitAt: maybe(time, 0.6),
				signedUpAt: maybe(time, 0.8),
				siteVisits: pick([0, 1, 2, 5, 12, 40]),
				birthMonth: maybe(() => int(1, 12), 0.7),
				custom,
				tags,
				scores,
				tiers: tiers as Record<string, string | null>,
				purchases,
				carts,
				productViews,
			},
			expiredTags,
			cancelledProducts: chance(0.3) ? [pick(POOLS.productId)] : [],
		});
	}
	return out;
}

/** Writes the contacts as rows; returns each contact's id (in the same order). */
export async function insertContacts(driver: SqlDriver, contacts: StoredContact[], now: number): Promise<number[]> {
	return await driver.transaction(async (tx) => {
		const ids: number[] = [];
		for (const { facts: f, expiredTags, cancelledProducts } of contacts) {
			const row = await tx.get<{ id: number }>(
				`INSERT INTO contacts (email, country, region, city, status, suppressed, order_count, total_spent, last_order_value,
					first_purchase_at, last_purchase_at, last_engagement_at, last_visit_at, signed_up_at, site_visits, birth_month,
					custom, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING id`,
				[
					f.email!,
					f.country,
					f.region,
					f.city,
					f.status,
					f.suppressed ? 1 : 0,
					f.orderCount,
					f.totalSpent,
					f.lastOrderValue,
					f.firstPurchaseAt,
					f.lastPurchaseAt,
					f.lastEngagementAt,
					f.lastVisitAt,
					f.signedUpAt,
					f.siteVisits,
					f.birthMonth,
					JSON.stringify(f.custom),
					now - 500 * DAY_MS,
				],
			);
			const id = Number(row!.id);
			ids.push(id);
			for (const tag of f.tags) {
				const expiresAt = tag.length % 2 === 0 ? null : now + DAY_MS;
				await tx.run('INSERT INTO contact_tags (contact_id, tag, added_at, expires_at) VALUES ($1, $2, $3, $4)', [id, tag, now - DAY_MS, expiresAt]);
			}
			for (const tag of expiredTags) {
				await tx.run('INSERT INTO contact_tags (contact_id, tag, added_at, expires_at) VALUES ($1, $2, $3, $4)', [id, tag, now - 9 * DAY_MS, now]);
			}
			for (const [name, points] of Object.entries(f.scores)) {
				await tx.run('INSERT INTO contact_scores (contact_id, name, points, tier, updated_at) VALUES ($1, $2, $3, $4, $5)', [
					id,
					name,
					points,
					(f.tiers?.[name] as string | undefined) ?? null,
					now - DAY_MS,
				]);
			}
			const orders = new Map<number, NonNullable<ContactFacts['purchases']>>();
			for (const p of f.purchases ?? []) orders.set(p.placedAt, [...(orders.get(p.placedAt) ?? []), p]);
			let n = 0;
			const addOrder = async (placedAt: number, counted: boolean, items: NonNullable<ContactFacts['purchases']>) => {
				const order = await tx.get<{ id: number }>(
					`INSERT INTO orders (contact_id, source, order_id, placed_at, total, currency, counted, updated_at)
					VALUES ($1, 'test', $2, $3, 10, 'EUR', $4, $3) RETURNING id`,
					[id, `${id}-${n++}`, placedAt, counted ? 1 : 0],
				);
				let line = 0;
				for (const item of items) {
					await tx.run(
						`INSERT INTO order_items (order_pk, contact_id, line, product_id, sku, title, quantity, price, product_type, tags)
						VALUES ($1, $2, $3, $4, $5, 'Item', 1, 10, $6, $7)`,
						[order!.id, id, line++, item.productId, item.sku, item.productType, item.tags.length ? JSON.stringify(item.tags) : null],
					);
				}
			};
			for (const [placedAt, items] of orders) await addOrder(placedAt, true, items);
			for (const productId of cancelledProducts) {
				await addOrder(now - 3 * DAY_MS, false, [{ placedAt: now - 3 * DAY_MS, productId, sku: 'SKU-1', productType: 'Shoes', tags: ['summer'] }]);
			}
			let cart = 0;
			for (const c of f.carts ?? []) {
				await tx.run(
					`INSERT INTO carts (contact_id, source, cart_id, value, currency, items, created_at, updated_at, converted_at)
					VALUES ($1, 'test', $2, 10, 'EUR', '[]', $3, $3, $4)`,
					[id, `${id}-${cart++}`, c.updatedAt, c.convertedAt],
				);
			}
			for (const v of f.productViews ?? []) {
				await tx.run('INSERT INTO product_view_events (contact_id, product_id, viewed_at) VALUES ($1, $2, $3)', [id, v.productId, v.viewedAt]);
			}
		}
		return ids;
	});
}

/** A random rule set drawn from values that occur in the generated data. */
export function randomRules(random: () => number, depth = 0): RawGroup {
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
	const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
	const conditions: Array<RawCondition | RawGroup> = [];
	for (let i = 0, n = int(1, 4); i < n; i++) {
		if (depth < 2 && random() < 0.15) conditions.push(randomRules(random, depth + 1));
		else conditions.push(randomCondition(random, pick, int));
	}
	return { combinator: pick(['and', 'or']), conditions };
}

const NUMBER_OPS = ['equals', 'notEquals', 'gt', 'gte', 'lt', 'lte', 'between', 'isEmpty', 'isNotEmpty'];
const TEXT_OPS = ['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'endsWith', 'isOneOf', 'isNotOneOf', 'isEmpty', 'isNotEmpty'];

function randomCondition(random: () => number, pick: <T>(list: readonly T[]) => T, int: (a: number, b: number) => number): RawCondition {
	const numbers = [0, 1, 2, 3, 5, 12, 38, 38.5, 50, 100, 250.5, 300];
	const days = [0, 1, 7, 30, 31, 90, 180, 365];
	const numberCondition = (field: string, values = numbers, extra: Partial<RawCondition> = {}): RawCondition => {
		const operator = pick(NUMBER_OPS);
		const a = pick(values);
		return { field, operator, value: a, value2: a + pick(values), ...extra };
	};
	const textValue = (pool: readonly string[]) => {
		const v = pick(pool.filter(Boolean));
		// Sometimes a fragment, to exercise contains / starts with / ends with.
		return random() < 0.3 && v.length > 2 ? v.slice(int(0, 1), v.length - int(0, 1)) : v;
	};
	const textCondition = (field: string, pool: readonly string[], extra: Partial<RawCondition> = {}): RawCondition => {
		const operator = pick(TEXT_OPS);
		const value = operator === 'isOneOf' || operator === 'isNotOneOf' ? [textValue(pool), textValue(pool)] : textValue(pool);
		return { field, operator, value, ...extra };
	};
	const list = (field: string, pool: readonly string[], window = true): RawCondition => ({
		field,
		operator: pick(['includes', 'notIncludes']),
		value: pick(pool),
		...(window ? { withinDays: pick([0, 0, 1, 7, 30, 90]) } : {}),
	});
	switch (pick(['number', 'days', 'text', 'choice', 'boolean', 'list', 'views', 'custom', 'score'])) {
		case 'number':
			return pick([
				() => numberCondition(pick(['totalSpent', 'orderCount', 'lastOrderValue', 'averageOrderValue', 'siteVisits'])),
				() => numberCondition('abandonedCartCount', [0, 1, 2], { withinDays: pick([0, 1, 7]) }),
			])();
		case 'days':
			return numberCondition(pick(['daysSinceLastOrder', 'daysSinceFirstOrder', 'daysSinceLastEngagement', 'daysSinceLastVisit', 'daysSinceSignup']), days);
		case 'text':
			return pick([
				() => textCondition('country', POOLS.country),
				() => textCondition('region', POOLS.region),
				() => textCondition('city', POOLS.city),
				() => textCondition('scoreTier', POOLS.tier, { name: pick(['loyalty', 'lead']) }),
			])();
		case 'choice':
			return pick([
				() => ({ field: 'subscriptionStatus', operator: pick(['isOneOf', 'isNotOneOf']), value: [pick(POOLS.status), pick(POOLS.status)] }),
				() => ({ field: 'buyerType', operator: pick(['isOneOf', 'isNotOneOf']), value: [pick(['none', 'firstTime', 'repeat'])] }),
				() => ({ field: 'birthMonth', operator: pick(['isOneOf', 'isNotOneOf']), value: [pick(['current', 'next', '1', '7', '12'])] }),
			])();
		case 'boolean':
			return pick([
				() => ({ field: 'suppressed', operator: pick(['isTrue', 'isFalse']) }),
				() => ({ field: 'hasAbandonedCart', operator: pick(['isTrue', 'isFalse']), withinDays: pick([0, 1, 7]) }),
			])();
		case 'list':
			return pick([
				() => list('tag', POOLS.tag, false),
				() => list('purchasedProduct', POOLS.productId),
				() => list('purchasedSku', POOLS.sku),
				() => list('purchasedProductType', POOLS.productType),
				() => list('purchasedProductTag', POOLS.productTag),
			])();
		case 'views':
			return { field: 'viewedProduct', operator: pick(['includes', 'notIncludes']), value: random() < 0.3 ? '' : pick(POOLS.viewed), times: int(1, 4), withinDays: pick([0, 1, 3, 7, 30]) };
		case 'score':
			return numberCondition('score', [0, 1, 50, 100, 250.5], { name: pick(['loyalty', 'lead', 'other']) });
		default: {
			const name = pick(POOLS.customKey);
			const valueType = pick(['text', 'number', 'boolean']);
			if (valueType === 'number') return numberCondition('customField', numbers, { name, valueType });
			if (valueType === 'boolean') return { field: 'customField', name, valueType, operator: pick(['isTrue', 'isFalse']) };
			return textCondition('customField', [...POOLS.color, 'hello', 'yes', 'dot'], { name, valueType });
		}
	}
}
