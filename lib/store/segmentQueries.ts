/**
 * The Segment node's queries: segment rules as one SQL query per batch (keyset
 * pagination on contacts.id for Find Contacts; one lookup per batch of emails for
 * Check), RFM cut values, and order dates for purchase cycles. Profiles come back with
 * their tags and scores from the same query.
 */
import { cutPositions, type RfmBoundaries } from '../domain/rfm';
import { compileConditionsSql, compileRulesSql, scorePointsSql, SqlParams, type EvalContext, type RuleGroup } from '../domain/segmentRules';
import { parseJson, toProfile, type ContactRow } from './rows';
import type { Dialect, SqlDriver, SqlExecutor } from './sql';
import type { ContactProfile } from './types';

/**
 * Runs the segment reads of one call. On PostgreSQL: in a read transaction with JIT off.
 * These queries are planned with a high total cost (a whole table behind a LIMIT), which
 * makes PostgreSQL JIT-compile them on every batch (~0.3 s each) while they run in a few
 * milliseconds. SQLite reads run as they are (a transaction there would take the write lock).
 */
export async function segmentRead<T>(db: SqlDriver, read: (tx: SqlExecutor) => Promise<T>): Promise<T> {
	if (db.dialect.name !== 'postgres') return await read(db);
	return await db.transaction(async (tx) => {
		await tx.run('SET LOCAL jit = off');
		return await read(tx);
	});
}

export interface FindSegmentOptions {
	/** Keyset cursor: only contacts with a larger id. */
	afterId: number;
	limit: number;
	context: EvalContext;
}

export interface SegmentCheckRow {
	/** The profile, unless the check was asked without profiles. */
	contact?: ContactProfile;
	/** Per rule set, each condition's result (in flattenConditions order). */
	results: boolean[][];
}

type ProfileRow = ContactRow & { tags_json: unknown; scores_json: unknown } & Record<string, unknown>;

/**
 * Tags in force at `now`, and scores (points at `now`, tier) as [name, points, tier]
 * triples, aggregated per contact as JSON: the profile in the same query, no N+1.
 */
function profileColumns(dialect: Dialect, params: SqlParams, now: number): string {
	const at = params.integer(now);
	const points = scorePointsSql(dialect.name, 's', at);
	if (dialect.name === 'sqlite') {
		return `(SELECT json_group_array(t.tag ORDER BY t.tag) FROM contact_tags t WHERE t.contact_id = c.id AND (t.expires_at IS NULL OR t.expires_at > ${at})) AS tags_json,
			(SELECT json_group_array(json_array(s.name, ${points}, s.tier) ORDER BY s.name) FROM contact_scores s WHERE s.contact_id = c.id) AS scores_json`;
	}
	return `(SELECT json_agg(t.tag ORDER BY t.tag) FROM contact_tags t WHERE t.contact_id = c.id AND (t.expires_at IS NULL OR t.expires_at > ${at})) AS tags_json,
		(SELECT json_agg(json_build_array(s.name, ${points}, s.tier) ORDER BY s.name) FROM contact_scores s WHERE s.contact_id = c.id) AS scores_json`;
}

function jsonValue<T>(value: unknown, fallback: T): T {
	if (value === null || value === undefined) return fallback;
	return typeof value === 'string' ? parseJson<T>(value, fallback) : (value as T);
}

function toSegmentProfile(row: ProfileRow): ContactProfile {
	const tags = jsonValue<string[]>(row.tags_json, []);
	const scores: Record<string, number> = {};
	const tiers: Record<string, string> = {};
	for (const [name, points, tier] of jsonValue<Array<[string, number, string | null]>>(row.scores_json, [])) {
		scores[name] = Number(points);
		if (tier !== null && tier !== undefined) tiers[name] = tier;
	}
	return toProfile(row, tags, scores, tiers);
}

/** The contacts matching `rules` after `afterId`, in id order: one query. */
export async function findSegmentContacts(db: SqlExecutor, dialect: Dialect, rules: RuleGroup, options: FindSegmentOptions): Promise<ContactProfile[]> {
	const params = new SqlParams(dialect.name);
	const columns = profileColumns(dialect, params, options.context.now);
	const where = compileRulesSql(rules, params, options.context);
	const after = params.integer(options.afterId);
	const limit = params.integer(options.limit);
	const rows = await db.all<ProfileRow>(
		`SELECT c.*, ${columns} FROM contacts c WHERE c.id > ${after} AND ${where} ORDER BY c.id LIMIT ${limit}`,
		params.values,
	);
	return rows.map(toSegmentProfile);
}

function emailsIn(dialect: Dialect, params: SqlParams, emails: string[]): string {
	const list = params.text(JSON.stringify(emails));
	return dialect.name === 'sqlite'
		? `c.email IN (SELECT value FROM json_each(${list}))`
		: `c.email IN (SELECT jsonb_array_elements_text(${list}::jsonb))`;
}

/**
 * The contacts with these (normalized) emails and each condition's result for each
 * rule set, in one query; with their profiles unless `withProfiles` is false (a lighter
 * query). Emails not in the store are absent from the map.
 */
export async function checkSegmentContacts(
	db: SqlExecutor,
	dialect: Dialect,
	emails: string[],
	ruleSets: RuleGroup[],
	context: EvalContext,
	withProfiles = true,
): Promise<Map<string, SegmentCheckRow>> {
	const out = new Map<string, SegmentCheckRow>();
	if (emails.length === 0) return out;
	const params = new SqlParams(dialect.name);
	const columns = withProfiles ? `c.*, ${profileColumns(dialect, params, context.now)}` : 'c.email';
	const shape: number[] = [];
	const tests: string[] = [];
	for (const rules of ruleSets) {
		const conditions = compileConditionsSql(rules, params, context);
		shape.push(conditions.length);
		for (const sql of conditions) tests.push(`CASE WHEN ${sql} THEN 1 ELSE 0 END AS k${tests.length}`);
	}
	const where = emailsIn(dialect, params, emails);
	const rows = await db.all<ProfileRow>(
		`SELECT ${columns}${tests.length ? `, ${tests.join(', ')}` : ''} FROM contacts c WHERE ${where}`,
		params.values,
	);
	for (const row of rows) {
		let k = 0;
		const results = shape.map((n) => Array.from({ length: n }, () => Number(row[`k${k++}`]) === 1));
		out.set(row.email, withProfiles ? { contact: toSegmentProfile(row), results } : { results });
	}
	return out;
}

/** Profiles for these (normalized) emails, in one query. */
export async function contactsByEmail(db: SqlExecutor, dialect: Dialect, emails: string[], now: number): Promise<Map<string, ContactProfile>> {
	const found = await checkSegmentContacts(db, dialect, emails, [], { now, abandonedAfterMs: 0 });
	return new Map([...found].map(([email, row]) => [email, row.contact!]));
}

/** The four RFM cut values per dimension over every customer (contacts with orders). */
export async function rfmBoundaries(db: SqlExecutor, dialect: Dialect): Promise<RfmBoundaries> {
	const count = await db.get<{ n: number }>('SELECT count(*) AS n FROM contacts WHERE order_count > 0');
	const customers = Number(count?.n ?? 0);
	const positions = cutPositions(customers);
	if (positions.length === 0) return { customers, recency: [], frequency: [], monetary: [] };
	// Row numbers start at 1; positions are 0-based. Each dimension is one ordered scan of an index.
	const ranks = positions.map((p) => p + 1);
	const params = new SqlParams(dialect.name);
	const placeholders = ranks.map((r) => params.integer(r)).join(', ');
	const cuts = async (column: string) => {
		const rows = await db.all<{ v: number; rn: number }>(
			`SELECT v, rn FROM (SELECT ${column} AS v, row_number() OVER (ORDER BY ${column}) AS rn FROM contacts WHERE order_count > 0) ranked WHERE rn IN (${placeholders})`,
			params.values,
		);
		const byRank = new Map(rows.map((r) => [Number(r.rn), Number(r.v)]));
		return ranks.map((r) => byRank.get(r)!);
	};
	return {
		customers,
		recency: await cuts('last_purchase_at'),
		frequency: await cuts('order_count'),
		monetary: await cuts('total_spent'),
	};
}

/** Placed-at times of each contact's counted orders, oldest first. */
export async function orderDates(db: SqlExecutor, dialect: Dialect, contactIds: number[]): Promise<Map<number, number[]>> {
	const out = new Map<number, number[]>();
	if (contactIds.length === 0) return out;
	for (const id of contactIds) out.set(id, []);
	const params = new SqlParams(dialect.name);
	const list = params.text(JSON.stringify(contactIds));
	const ids = dialect.name === 'sqlite' ? `(SELECT value FROM json_each(${list}))` : `(SELECT jsonb_array_elements_text(${list}::jsonb)::int8)`;
	const rows = await db.all<{ contact_id: number; placed_at: number }>(
		`SELECT contact_id, placed_at FROM orders WHERE contact_id IN ${ids} AND counted = 1 ORDER BY contact_id, placed_at`,
		params.values,
	);
	for (const row of rows) out.get(Number(row.contact_id))?.push(Number(row.placed_at));
	return out;
}
