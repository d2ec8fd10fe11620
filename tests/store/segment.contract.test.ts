/**
 * The Segment queries on both backends, and the promise the Segment node rests on:
 * for any rule set, Find Contacts (one SQL query per batch) returns exactly the
 * contacts the in-memory evaluator matches, and Check's per-condition SQL results are
 * the in-memory ones.
 */
import { cutsFromSorted } from '../../lib/domain/rfm';
import {
	compileMatcher,
	DAY_MS,
	evaluateConditions,
	FIELDS,
	OPERATORS,
	parseRules,
	type EvalContext,
	type RawCondition,
	type RawGroup,
	type RuleGroup,
} from '../../lib/domain/segmentRules';
import type { SqlDriver } from '../../lib/store/sql';
import type { SqlContactStore } from '../../lib/store/SqlContactStore';
import { generateContacts, insertContacts, NASTY, openRaw, randomRules, rng, type StoredContact } from '../support/segmentFacts';
import { BACKENDS, freshConfig, type Backend } from '../support/stores';

const NOW = Date.parse('2026-03-15T12:00:00Z');

async function findAll(store: SqlContactStore, rules: RuleGroup, context: EvalContext, batch: number): Promise<number[]> {
	const ids: number[] = [];
	let afterId = 0;
	for (;;) {
		const page = await store.findSegmentContacts(rules, { afterId, limit: batch, context });
		ids.push(...page.map((c) => c.id));
		if (page.length < batch) return ids;
		afterId = page[page.length - 1].id;
	}
}

/** One condition of every field with every operator that applies, with values that occur in the data. */
function everyFieldAndOperator(): RawCondition[] {
	const out: RawCondition[] = [];
	const values: Record<string, unknown> = {
		country: 'us',
		region: 'ca',
		city: 'san',
		scoreTier: 'gold',
		subscriptionStatus: ['subscribed', 'pending'],
		buyerType: ['firstTime'],
		birthMonth: ['current'],
		tag: 'VIP',
		purchasedProduct: 'P1',
		purchasedSku: 'SKU-1',
		purchasedProductType: 'shoes',
		purchasedProductTag: 'summer',
		viewedProduct: 'P9',
	};
	for (const [field, spec] of Object.entries(FIELDS)) {
		const kinds = spec.kind === 'custom' ? (['text', 'number', 'boolean'] as const) : [spec.kind];
		for (const kind of kinds) {
			for (const operator of OPERATORS[kind]) {
				const c: RawCondition = { field, operator };
				if (spec.kind === 'custom') Object.assign(c, { valueType: kind, name: kind === 'text' ? 'color' : kind === 'number' ? 'shoeSize' : 'vip' });
				if ('named' in spec && spec.named === 'score') c.name = 'loyalty';
				if (kind === 'number') Object.assign(c, { value: field === 'orderCount' || field === 'abandonedCartCount' ? 1 : 38, value2: 250.5 });
				else if (kind === 'days') Object.assign(c, { value: 30, value2: 90 });
				else if (kind === 'text') c.value = operator === 'isOneOf' || operator === 'isNotOneOf' ? ['blue', 'us', 'gold', 'ca'] : (values[field] ?? 'blue');
				else if (kind !== 'boolean') c.value = values[field];
				if (kind === 'views') c.times = 2;
				if ('window' in spec && spec.window) c.withinDays = 7;
				out.push(c);
			}
		}
	}
	return out;
}

describe.each(BACKENDS)('segment queries on %s', (backend: Backend) => {
	let driver: SqlDriver;
	let store: SqlContactStore;
	beforeEach(async () => {
		({ driver, store } = await openRaw(freshConfig(backend)));
	});
	afterEach(async () => {
		await store.close();
	});

	describe('in-memory and SQL agree', () => {
		let contacts: StoredContact[];
		let ids: number[];
		beforeEach(async () => {
			contacts = generateContacts(260, NOW, rng(20260315));
			ids = await insertContacts(driver, contacts, NOW);
		});

		const check = async (raw: RawGroup, context: EvalContext) => {
			const rules = parseRules(raw);
			const matcher = compileMatcher(rules, context);
			const expected = contacts.flatMap((c, i) => (matcher(c.facts) ? [ids[i]] : []));
			const found = await findAll(store, rules, context, 37);
			expect({ rules: raw, found }).toEqual({ rules: raw, found: expected });
			return { rules, expected };
		};

		it('for one condition of every field and operator', async () => {
			const context = { now: NOW, abandonedAfterMs: 3_600_000 };
			let matchedSome = 0;
			for (const condition of everyFieldAndOperator()) {
				const { expected } = await check({ conditions: [condition] }, context);
				if (expected.length > 0 && expected.length < contacts.length) matchedSome++;
			}
			// The data must make most conditions discriminate, or the comparison says little.
			expect(matchedSome).toBeGreaterThan(everyFieldAndOperator().length * 0.8);
		});

		it('for 150 random rule sets with AND/OR groups', async () => {
			const random = rng(7);
			let nonTrivial = 0;
			for (let k = 0; k < 150; k++) {
				const context = { now: NOW, abandonedAfterMs: [0, 3_600_000, DAY_MS][k % 3] };
				const { expected } = await check(randomRules(random), context);
				if (expected.length > 0 && expected.length < contacts.length) nonTrivial++;
			}
			expect(nonTrivial).toBeGreaterThan(100);
		});

		it('condition by condition, as Check reads them from the store', async () => {
			const random = rng(11);
			const ruleSets = Array.from({ length: 12 }, () => parseRules(randomRules(random)));
			const context = { now: NOW, abandonedAfterMs: 3_600_000 };
			const emails = contacts.map((c) => c.facts.email!);
			const found = await store.checkSegmentContacts([...emails, 'unknown@example.com'], ruleSets, context);
			expect(found.size).toBe(contacts.length);
			for (const { facts } of contacts) {
				const row = found.get(facts.email!)!;
				expect({ email: facts.email, results: row.results }).toEqual({ email: facts.email, results: ruleSets.map((r) => evaluateConditions(r, facts, context)) });
				expect(row.contact?.email).toBe(facts.email);
			}
			const light = await store.checkSegmentContacts(emails, ruleSets, context, false);
			expect([...light.keys()].sort()).toEqual([...found.keys()].sort());
			for (const [email, row] of light) expect(row).toEqual({ results: found.get(email)!.results });
		});
	});

	it('treats SQL and LIKE metacharacters in tags, field names and values as plain text', async () => {
		const contacts = generateContacts(3, NOW, rng(1));
		contacts[0].facts = { ...contacts[0].facts, tags: [NASTY], city: '100%_sure', custom: { [`it's "x"`]: NASTY } };
		contacts[1].facts = { ...contacts[1].facts, tags: ['plain'], city: '100 sure', custom: { [`it's "x"`]: 'other' } };
		contacts[2].facts = { ...contacts[2].facts, tags: [], city: 'x', custom: {} };
		const ids = await insertContacts(driver, contacts, NOW);
		const context = { now: NOW, abandonedAfterMs: 0 };
		const find = (conditions: RawCondition[]) => findAll(store, parseRules({ conditions }), context, 10);
		expect(await find([{ field: 'tag', operator: 'includes', value: NASTY }])).toEqual([ids[0]]);
		expect(await find([{ field: 'city', operator: 'contains', value: '%_' }])).toEqual([ids[0]]);
		expect(await find([{ field: 'city', operator: 'startsWith', value: '100%' }])).toEqual([ids[0]]);
		expect(await find([{ field: 'customField', name: `it's "x"`, valueType: 'text', operator: 'equals', value: NASTY }])).toEqual([ids[0]]);
		expect(await find([{ field: 'customField', name: `it's "x"`, valueType: 'text', operator: 'isNotEmpty' }])).toEqual([ids[0], ids[1]]);
		expect(await driver.get<{ n: number }>('SELECT count(*) AS n FROM contacts')).toEqual({ n: 3 });
	});

	it('pages with a keyset cursor and returns full profiles (tags in force, scores, tiers)', async () => {
		const contacts: StoredContact[] = generateContacts(5, NOW, rng(3)).map((c, i) => {
			const scores: Record<string, number> = i === 0 ? { loyalty: 120.5 } : {};
			const tiers: Record<string, string | null> = i === 0 ? { loyalty: 'Gold' } : {};
			return { ...c, facts: { ...c.facts, tags: i === 0 ? ['vip', 'newsletter'] : [], scores, tiers }, expiredTags: i === 0 ? ['old'] : [] };
		});
		const ids = await insertContacts(driver, contacts, NOW);
		const everyone = parseRules({ conditions: [] });
		const context = { now: NOW, abandonedAfterMs: 0 };
		const first = await store.findSegmentContacts(everyone, { afterId: 0, limit: 2, context });
		expect(first.map((c) => c.id)).toEqual(ids.slice(0, 2));
		expect(first[0]).toMatchObject({ email: 'c0@example.com', tags: ['newsletter', 'vip'], scores: { loyalty: 120.5 }, tiers: { loyalty: 'Gold' } });
		const rest = await store.findSegmentContacts(everyone, { afterId: first[1].id, limit: 10, context });
		expect(rest.map((c) => c.id)).toEqual(ids.slice(2));
		const byEmail = await store.getContactsByEmail(['c0@example.com', 'nobody@example.com'], NOW);
		expect([...byEmail.keys()]).toEqual(['c0@example.com']);
		expect(byEmail.get('c0@example.com')).toEqual(first[0]);
	});

	it('computes RFM cut values over every customer, as the in-memory definition does', async () => {
		const contacts = generateContacts(123, NOW, rng(5));
		await insertContacts(driver, contacts, NOW);
		const customers = contacts.map((c) => c.facts).filter((f) => f.orderCount > 0);
		const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
		expect(await store.getRfmBoundaries()).toEqual({
			customers: customers.length,
			recency: cutsFromSorted(sorted(customers.map((f) => f.lastPurchaseAt!))),
			frequency: cutsFromSorted(sorted(customers.map((f) => f.orderCount))),
			monetary: cutsFromSorted(sorted(customers.map((f) => f.totalSpent))),
		});
	});

	it('has no RFM cut values without customers', async () => {
		expect(await store.getRfmBoundaries()).toEqual({ customers: 0, recency: [], frequency: [], monetary: [] });
	});

	it('gives the counted order dates of each contact, oldest first', async () => {
		const contacts = generateContacts(20, NOW, rng(9));
		const ids = await insertContacts(driver, contacts, NOW);
		const dates = await store.getOrderDates([...ids, 999_999]);
		contacts.forEach((c, i) => {
			const expected = [...new Set((c.facts.purchases ?? []).map((p) => p.placedAt))].sort((a, b) => a - b);
			expect(dates.get(ids[i])).toEqual(expected);
		});
		expect(dates.get(999_999)).toEqual([]);
	});
});
