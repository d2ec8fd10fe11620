/**
 * Tag SQL for both backends: add/remove/replace with expiry, engagement states
 * for one contact or as a sweep, and product-interest tags. Every function runs
 * inside the caller's transaction (`tx`) unless it takes the driver.
 */
import {
	engagementCutoffs,
	engagementState,
	engagementTag,
	ENGAGEMENT_STATES,
	interestsFromViews,
	isActiveTag,
	isInGroup,
	lastEngagement,
	stateOfTag,
	type EngagementSignal,
	type EngagementState,
	type ViewCount,
} from '../domain/tags';
import type { Dialect, SqlDriver, SqlExecutor, SqlValue } from './sql';
import type {
	EngagementChange,
	EngagementSettings,
	EngagementSweepOptions,
	InterestRequest,
	SweepOutcome,
} from './tagScoreTypes';

// ---------------------------------------------------------------- shared helpers

/**
 * Placeholders for an IN list starting at $start. The list is padded (repeating its
 * last value) to a power of two, so a batch loop prepares a handful of statements
 * rather than one per list length.
 */
export function inList(values: SqlValue[], start: number): { sql: string; params: SqlValue[] } {
	if (values.length === 0) throw new Error('inList needs at least one value');
	let size = 1;
	while (size < values.length) size *= 2;
	const params = [...values];
	while (params.length < size) params.push(values[values.length - 1]);
	return { sql: params.map((_, i) => `$${start + i}`).join(', '), params };
}

export function forUpdate(d: Dialect): string {
	return d.name === 'postgres' ? ' FOR UPDATE' : '';
}

export interface ContactRef {
	id: number;
	email: string;
}

/**
 * A read for a sweep. On PostgreSQL it runs with JIT compilation off: the planner's
 * cost estimates for these correlated set queries cross jit_above_cost, and
 * compiling takes far longer (about a second) than the index scans themselves.
 */
export async function sweepRead<T>(db: SqlDriver, sql: string, params: SqlValue[]): Promise<T[]> {
	if (db.dialect.name !== 'postgres') return await db.all<T>(sql, params);
	return await db.transaction(async (tx) => {
		await tx.run('SET LOCAL jit = off');
		return await tx.all<T>(sql, params);
	});
}

/** Locks an existing contact (PostgreSQL row lock; SQLite transactions are already exclusive). */
export async function lockExistingContact(tx: SqlExecutor, d: Dialect, email: string): Promise<ContactRef | undefined> {
	const row = await tx.get<{ id: number; email: string }>(`SELECT id, email FROM contacts WHERE email = $1${forUpdate(d)}`, [email]);
	return row ? { id: Number(row.id), email: row.email } : undefined;
}

/** Locks a set of contacts in id order (no deadlock between batches). */
export async function lockContactIds(tx: SqlExecutor, d: Dialect, ids: number[]): Promise<void> {
	if (d.name !== 'postgres' || ids.length === 0) return;
	const list = inList(ids, 1);
	await tx.all(`SELECT id FROM contacts WHERE id IN (${list.sql}) ORDER BY id FOR UPDATE`, list.params);
}

export async function touchContacts(tx: SqlExecutor, ids: number[], now: number): Promise<void> {
	if (ids.length === 0) return;
	const list = inList(ids, 2);
	await tx.run(`UPDATE contacts SET updated_at = $1 WHERE id IN (${list.sql})`, [now, ...list.params]);
}

const SIGNAL_COLUMNS: Record<EngagementSignal, string> = {
	email: 'last_engagement_at',
	siteVisit: 'last_visit_at',
	purchase: 'last_purchase_at',
};

export function signalColumn(signal: EngagementSignal): string {
	return SIGNAL_COLUMNS[signal];
}

/**
 * SQL for a contact's last engagement (lib/domain/tags.ts lastEngagement): the latest
 * of the chosen signals and the signup, else when the contact was first recorded.
 */
export function lastEngagementSql(d: Dialect, signals: EngagementSignal[], alias = 'c'): string {
	const cols = [...signals.map((s) => `${alias}.${SIGNAL_COLUMNS[s]}`), `${alias}.signed_up_at`];
	const latest = cols.reduce((acc, col) => (acc ? d.greatest(acc, col) : col), '');
	return `coalesce(${latest}, ${alias}.created_at)`;
}

interface TagRow {
	tag: string;
	added_at: number;
	expires_at: number | null;
}

// ---------------------------------------------------------------- add / remove / replace

/** The contact's tags that count at `now`, sorted. */
export async function activeTags(tx: SqlExecutor, contactId: number, now: number): Promise<string[]> {
	const rows = await tx.all<{ tag: string }>(
		'SELECT tag FROM contact_tags WHERE contact_id = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY tag',
		[contactId, now],
	);
	return rows.map((r) => r.tag);
}

/**
 * Gives the contact each tag with this expiry. A tag that was missing or expired is
 * added (added_at = now); one present with another expiry has its expiry replaced.
 */
export async function addTags(
	tx: SqlExecutor,
	contactId: number,
	tags: string[],
	expiresAt: number | null,
	now: number,
): Promise<{ added: string[]; refreshed: string[] }> {
	const added: string[] = [];
	const refreshed: string[] = [];
	for (const tag of tags) {
		const existing = await tx.get<TagRow>('SELECT tag, added_at, expires_at FROM contact_tags WHERE contact_id = $1 AND tag = $2', [contactId, tag]);
		if (!existing) {
			await tx.run('INSERT INTO contact_tags (contact_id, tag, added_at, expires_at) VALUES ($1, $2, $3, $4)', [contactId, tag, now, expiresAt]);
			added.push(tag);
		} else if (!isActiveTag(existing.expires_at, now)) {
			await tx.run('UPDATE contact_tags SET added_at = $1, expires_at = $2 WHERE contact_id = $3 AND tag = $4', [now, expiresAt, contactId, tag]);
			added.push(tag);
		} else if ((existing.expires_at === null ? null : Number(existing.expires_at)) !== expiresAt) {
			await tx.run('UPDATE contact_tags SET expires_at = $1 WHERE contact_id = $2 AND tag = $3', [expiresAt, contactId, tag]);
			refreshed.push(tag);
		}
	}
	return { added, refreshed };
}

/** Removes the tags; returns those that counted (expired ones are removed silently). */
export async function removeTags(tx: SqlExecutor, contactId: number, tags: string[], now: number): Promise<string[]> {
	const removed: string[] = [];
	for (const tag of tags) {
		const existing = await tx.get<TagRow>('SELECT tag, added_at, expires_at FROM contact_tags WHERE contact_id = $1 AND tag = $2', [contactId, tag]);
		if (!existing) continue;
		await tx.run('DELETE FROM contact_tags WHERE contact_id = $1 AND tag = $2', [contactId, tag]);
		if (isActiveTag(existing.expires_at, now)) removed.push(tag);
	}
	return removed;
}

/** Keeps exactly `tag` in its group: every other tag starting with `group` goes. */
export async function replaceGroup(
	tx: SqlExecutor,
	contactId: number,
	group: string,
	tag: string,
	expiresAt: number | null,
	now: number,
): Promise<{ added: string[]; refreshed: string[]; removed: string[] }> {
	const rows = await tx.all<TagRow>(
		'SELECT tag, added_at, expires_at FROM contact_tags WHERE contact_id = $1 AND substr(tag, 1, $2) = $3',
		// SQL counts characters (code points), JavaScript's length UTF-16 units: an emoji is one, not two.
		[contactId, [...group].length, group],
	);
	const others = rows.filter((r) => r.tag !== tag && isInGroup(r.tag, group));
	const removed = await removeTags(
		tx,
		contactId,
		others.map((r) => r.tag),
		now,
	);
	const { added, refreshed } = await addTags(tx, contactId, [tag], expiresAt, now);
	return { added, refreshed, removed };
}

// ---------------------------------------------------------------- engagement

/**
 * Evaluates (and, where they differ, applies) the engagement state of these
 * contacts at `now`: the one tag of the group for their state stays, the other
 * engagement tags of the group go. Locks the contacts first. Returns every
 * contact evaluated, changed or not.
 */
export async function applyEngagement(
	tx: SqlExecutor,
	d: Dialect,
	ids: number[],
	settings: EngagementSettings,
	now: number,
): Promise<EngagementChange[]> {
	if (ids.length === 0) return [];
	await lockContactIds(tx, d, ids);
	const list = inList(ids, 1);
	const contacts = await tx.all<{ id: number; email: string; last_engagement_at: number | null; last_visit_at: number | null; last_purchase_at: number | null; signed_up_at: number | null; created_at: number }>(
		`SELECT id, email, last_engagement_at, last_visit_at, last_purchase_at, signed_up_at, created_at FROM contacts WHERE id IN (${list.sql}) ORDER BY id`,
		list.params,
	);
	const stateTags = ENGAGEMENT_STATES.map((s) => engagementTag(settings.group, s));
	const tagList = inList(stateTags, 1 + list.params.length);
	const tagRows = await tx.all<{ contact_id: number; tag: string; expires_at: number | null }>(
		`SELECT contact_id, tag, expires_at FROM contact_tags WHERE contact_id IN (${list.sql}) AND tag IN (${tagList.sql})`,
		[...list.params, ...tagList.params],
	);
	const current = new Map<number, string[]>();
	for (const r of tagRows) {
		if (!isActiveTag(r.expires_at, now)) continue;
		const id = Number(r.contact_id);
		current.set(id, [...(current.get(id) ?? []), r.tag]);
	}
	const results: EngagementChange[] = [];
	const byState = new Map<EngagementState, number[]>();
	for (const c of contacts) {
		const id = Number(c.id);
		const num = (v: number | null) => (v === null ? null : Number(v));
		const engagedAt = lastEngagement(
			{ email: num(c.last_engagement_at), siteVisit: num(c.last_visit_at), purchase: num(c.last_purchase_at) },
			settings.signals,
			num(c.signed_up_at),
			Number(c.created_at),
		);
		const state = engagementState(engagedAt, now, settings.thresholds);
		const tag = engagementTag(settings.group, state);
		const previousTags = (current.get(id) ?? []).sort(
			(a, b) => ENGAGEMENT_STATES.indexOf(stateOfTag(settings.group, a)!) - ENGAGEMENT_STATES.indexOf(stateOfTag(settings.group, b)!),
		);
		const changed = !(previousTags.length === 1 && previousTags[0] === tag);
		const previousState = previousTags.includes(tag) ? state : previousTags.length > 0 ? stateOfTag(settings.group, previousTags[0]) : null;
		results.push({ email: c.email, previousState, state, tag, previousTags, engagedAt, changed });
		if (changed) byState.set(state, [...(byState.get(state) ?? []), id]);
	}
	const changedIds: number[] = [];
	for (const [state, stateIds] of byState) {
		const tag = engagementTag(settings.group, state);
		const others = stateTags.filter((t) => t !== tag);
		const idl = inList(stateIds, 1);
		const otherList = inList(others, 1 + idl.params.length);
		await tx.run(`DELETE FROM contact_tags WHERE contact_id IN (${idl.sql}) AND tag IN (${otherList.sql})`, [...idl.params, ...otherList.params]);
		const base = idl.params.length;
		// An expired copy of the wanted tag is replaced by a fresh one; a current one is kept and made permanent.
		await tx.run(
			`DELETE FROM contact_tags WHERE contact_id IN (${idl.sql}) AND tag = $${base + 1} AND expires_at IS NOT NULL AND expires_at <= $${base + 2}`,
			[...idl.params, tag, now],
		);
		await tx.run(
			`INSERT INTO contact_tags (contact_id, tag, added_at, expires_at)
			SELECT id, $${base + 1}, $${base + 2}, NULL FROM contacts WHERE id IN (${idl.sql})
			ON CONFLICT (contact_id, tag) DO UPDATE SET expires_at = NULL`,
			[...idl.params, tag, now],
		);
		changedIds.push(...stateIds);
	}
	await touchContacts(tx, changedIds, now);
	return results;
}

/** Engagement state of one contact (applied); null for an unknown email. */
export async function engagementForContact(db: SqlDriver, email: string, settings: EngagementSettings, now: number): Promise<EngagementChange | null> {
	return await db.transaction(async (tx) => {
		const contact = await lockExistingContact(tx, db.dialect, email);
		if (!contact) return null;
		const [result] = await applyEngagement(tx, db.dialect, [contact.id], settings, now);
		return result;
	});
}

/** Sweep progress is kept per group and signal set: the contacts checked at least once. */
function sweepKey(settings: EngagementSettings): string {
	return `engagement|${settings.group}|${[...settings.signals].sort().join(',')}`;
}

/** Contacts with ids up to this many below the mark are checked again (PostgreSQL ids can commit out of order). */
const ID_SLACK = 1000;

/**
 * Applies the engagement state to every contact whose state changed, and returns
 * only those (old and new state), at most `maxContacts` per run.
 *
 * Fast at a million contacts because it never scans them all after the first run:
 * a state can only change for (a) contacts active within the inactive threshold
 * (index range scans on each signal column and the signup date), (b) contacts tagged engaged, recent
 * activity or disengaged (tag index), and (c) contacts not yet checked, i.e. above
 * the sweep mark (primary key range, in keyset windows). A contact tagged inactive
 * can only leave that state by becoming active, which puts it in (a).
 */
export async function sweepEngagement(db: SqlDriver, settings: EngagementSettings, options: EngagementSweepOptions): Promise<SweepOutcome<EngagementChange>> {
	const d = db.dialect;
	const { now } = options;
	const batch = options.batchSize ?? 500;
	const key = sweepKey(settings);
	const items: EngagementChange[] = [];
	const budget = () => options.maxContacts - items.length;
	const mark = await db.get<{ covered_contact_id: number }>('SELECT covered_contact_id FROM sweep_marks WHERE sweep = $1', [key]);
	let covered = options.checkEveryContact || !mark ? 0 : Number(mark.covered_contact_id);

	const cut = engagementCutoffs(now, settings.thresholds);
	const stateTags = ENGAGEMENT_STATES.map((s) => engagementTag(settings.group, s));
	const e = lastEngagementSql(d, settings.signals);
	// $1..$3 cut-offs, $4..$7 the state tags, $8 now; arm conditions use $9 onwards.
	const mismatch = (from: string, where: string, tail: string) => `
		SELECT x.id FROM (
			SELECT c.id, CASE WHEN ${e} > $1 THEN $4 WHEN ${e} > $2 THEN $5 WHEN ${e} > $3 THEN $6 ELSE $7 END AS want
			FROM ${from} WHERE ${where}
		) x
		WHERE NOT EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = x.id AND t.tag = x.want AND (t.expires_at IS NULL OR t.expires_at > $8))
			OR EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = x.id AND t.tag IN ($4, $5, $6, $7) AND t.tag <> x.want AND (t.expires_at IS NULL OR t.expires_at > $8))
		${tail}`;
	const base: SqlValue[] = [cut.engagedSince, cut.recentSince, cut.disengagedSince, ...stateTags, now];

	const apply = async (ids: number[]) => {
		const evaluated = await db.transaction((tx) => applyEngagement(tx, d, ids, settings, now));
		for (const r of evaluated) if (r.changed && budget() > 0) items.push(r);
		return evaluated;
	};

	// (a) and (b): contacts already checked whose state may have moved.
	if (covered > 0) {
		const columns = [...settings.signals.map((s) => SIGNAL_COLUMNS[s]), 'signed_up_at'];
		const arms: Array<{ from: string; where: string }> = columns.map((column) => ({
			from: 'contacts c',
			where: `c.${column} > $3 AND c.id <= $9`,
		}));
		arms.push({
			from: 'contacts c',
			where: `c.id IN (SELECT contact_id FROM contact_tags WHERE tag IN ($4, $5, $6)) AND c.id <= $9`,
		});
		// One read per arm (its mismatches are few: only contacts whose state moved), applied in batches.
		for (const arm of arms) {
			if (budget() <= 0) break;
			const rows = await sweepRead<{ id: number }>(db, mismatch(arm.from, arm.where, 'LIMIT $10'), [...base, covered, budget()]);
			for (let i = 0; i < rows.length && budget() > 0; ) {
				const ids = rows.slice(i, i + Math.min(batch, budget())).map((r) => Number(r.id));
				i += ids.length;
				await apply(ids);
			}
		}
	}

	// (c): contacts not checked yet (all of them on the first run), in keyset windows by id.
	let cursor = Math.max(0, covered - (covered > 0 ? (options.recheckLastIds ?? ID_SLACK) : 0));
	const window = Math.max(batch * 4, 1000);
	while (budget() > 0) {
		const end = await db.get<{ last: number | null }>(
			`SELECT max(id) AS last FROM (SELECT id FROM contacts WHERE id > $1 ORDER BY id LIMIT $2) w`,
			[cursor, window],
		);
		if (end?.last === null || end?.last === undefined) break;
		const last = Number(end.last);
		const rows = await sweepRead<{ id: number }>(db, mismatch('contacts c', 'c.id > $9 AND c.id <= $10', 'ORDER BY x.id'), [...base, cursor, last]);
		let reached = last;
		for (let i = 0; i < rows.length; ) {
			if (budget() <= 0) {
				// Stopped inside the window: the contacts after the last one applied wait for the next run.
				reached = Number(rows[i - 1].id);
				break;
			}
			const ids = rows.slice(i, i + Math.min(batch, budget())).map((r) => Number(r.id));
			await apply(ids);
			i += ids.length;
		}
		cursor = reached;
		if (cursor > covered) {
			covered = cursor;
			await db.run(
				`INSERT INTO sweep_marks (sweep, covered_contact_id, updated_at) VALUES ($1, $2, $3)
				ON CONFLICT (sweep) DO UPDATE SET covered_contact_id = excluded.covered_contact_id, updated_at = excluded.updated_at`,
				[key, covered, now],
			);
		}
		if (reached < last) break;
	}
	return { items, limitReached: budget() <= 0 };
}

// ---------------------------------------------------------------- product interest

/** Views per product (with title and category) of one contact from `since` to `now`. */
export async function viewCounts(tx: SqlExecutor, contactId: number, since: number, now: number): Promise<ViewCount[]> {
	const rows = await tx.all<{ product_id: string; title: string | null; product_type: string | null; n: number }>(
		`SELECT e.product_id, pv.title, pv.product_type, count(*) AS n
		FROM product_view_events e
		LEFT JOIN product_views pv ON pv.contact_id = e.contact_id AND pv.product_id = e.product_id
		WHERE e.contact_id = $1 AND e.viewed_at > $2 AND e.viewed_at <= $3
		GROUP BY e.product_id, pv.title, pv.product_type
		ORDER BY e.product_id`,
		[contactId, since, now],
	);
	return rows.map((r) => ({ productId: r.product_id, title: r.title, productType: r.product_type, views: Number(r.n) }));
}

/** Tags the contact with each product or category viewed often enough. */
export async function applyInterests(tx: SqlExecutor, contactId: number, request: InterestRequest) {
	const counts = await viewCounts(tx, contactId, request.since, request.now);
	const interests = interestsFromViews(counts, request.rule);
	const { added, refreshed } = await addTags(
		tx,
		contactId,
		interests.map((i) => i.tag),
		request.expiresAt,
		request.now,
	);
	return { interests, added, refreshed };
}
