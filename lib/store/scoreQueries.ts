/**
 * Score SQL for both backends.
 *
 * The ledger is score_awards: a score at time T is the sum of its awards that have
 * not expired at T, so reads are right at any Reference Time. contact_scores holds
 * the materialized sum (plus the tier and the next expiry), refreshed on every
 * write and by the "expired points" sweep, so segments can filter a million
 * contacts by score through the (name, points) index.
 */
import { toIso } from '../domain/values';
import {
	decayPeriodsDue,
	decideThreshold,
	pageVisitAward,
	planDecay,
	roundPoints,
	type AwardBucket,
	tierFor,
	urlMatcher,
	type Tier,
} from '../domain/scores';
import { lastEngagement } from '../domain/tags';
import type { Dialect, SqlDriver, SqlExecutor, SqlValue } from './sql';
import { inList, lastEngagementSql, lockContactIds, sweepRead, touchContacts } from './tagQueries';
import type {
	DecayChange,
	DecaySettings,
	PageVisitRule,
	ScoreAward,
	ScoreRefresh,
	ScoreState,
	SweepOutcome,
	ThresholdResult,
} from './tagScoreTypes';

const NOT_EXPIRED = '(expires_at IS NULL OR expires_at > $3)';

/** The score at `now`: the sum of the awards that have not expired. */
export async function scoreAt(tx: SqlExecutor, contactId: number, name: string, now: number): Promise<number> {
	const row = await tx.get<{ p: number | null }>(
		`SELECT sum(points) AS p FROM score_awards WHERE contact_id = $1 AND name = $2 AND ${NOT_EXPIRED}`,
		[contactId, name, now],
	);
	return roundPoints(Number(row?.p ?? 0));
}

export async function storedTier(tx: SqlExecutor, contactId: number, name: string): Promise<string | null> {
	const row = await tx.get<{ tier: string | null }>('SELECT tier FROM contact_scores WHERE contact_id = $1 AND name = $2', [contactId, name]);
	return row?.tier ?? null;
}

export async function scoreState(tx: SqlExecutor, contactId: number, name: string, now: number): Promise<ScoreState> {
	return { name, points: await scoreAt(tx, contactId, name, now), tier: await storedTier(tx, contactId, name) };
}

/**
 * Stores the score at `now` in contact_scores with its next expiry, and arms again
 * every threshold of this score above the lowest value seen (`lowestSeen`, e.g.
 * the score just before this write).
 */
export async function materialize(tx: SqlExecutor, contactId: number, name: string, now: number, lowestSeen = Infinity): Promise<ScoreState> {
	const points = await scoreAt(tx, contactId, name, now);
	const next = await tx.get<{ n: number | null }>(
		'SELECT min(expires_at) AS n FROM score_awards WHERE contact_id = $1 AND name = $2 AND expires_at > $3',
		[contactId, name, now],
	);
	await tx.run(
		`INSERT INTO contact_scores (contact_id, name, points, tier, updated_at, next_expiry_at) VALUES ($1, $2, $3, NULL, $4, $5)
		ON CONFLICT (contact_id, name) DO UPDATE SET points = excluded.points, updated_at = excluded.updated_at, next_expiry_at = excluded.next_expiry_at`,
		[contactId, name, points, now, next?.n === null || next?.n === undefined ? null : Number(next.n)],
	);
	await tx.run(
		'UPDATE score_thresholds SET armed = 1, updated_at = $1 WHERE contact_id = $2 AND name = $3 AND armed = 0 AND threshold > $4',
		[now, contactId, name, Math.min(points, lowestSeen)],
	);
	return { name, points, tier: await storedTier(tx, contactId, name) };
}

export async function insertAward(
	tx: SqlExecutor,
	contactId: number,
	name: string,
	points: number,
	reason: string | null,
	now: number,
	expiresAt: number | null,
): Promise<void> {
	await tx.run(
		'INSERT INTO score_awards (contact_id, name, points, reason, awarded_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
		[contactId, name, roundPoints(points), reason, now, expiresAt],
	);
}

export interface ScoreChange {
	score: ScoreState;
	previousPoints: number;
	awarded: number;
}

/** Adds (or with negative points takes) points; 0 points changes nothing. */
export async function adjust(
	tx: SqlExecutor,
	contactId: number,
	name: string,
	points: number,
	reason: string | null,
	expiresAt: number | null,
	now: number,
): Promise<ScoreChange> {
	const before = await scoreAt(tx, contactId, name, now);
	if (roundPoints(points) !== 0) await insertAward(tx, contactId, name, points, reason, now, expiresAt);
	const score = await materialize(tx, contactId, name, now, before);
	return { score, previousPoints: before, awarded: roundPoints(score.points - before) };
}

/**
 * Sets the score: every current award ends now and one award of `points` that never
 * expires replaces them (so points that would have expired later cannot pull the
 * new value down). Setting the current value changes nothing.
 */
export async function setScore(tx: SqlExecutor, contactId: number, name: string, points: number, reason: string | null, now: number): Promise<ScoreChange> {
	const before = await scoreAt(tx, contactId, name, now);
	const hasExpiring = await tx.get('SELECT 1 AS x FROM score_awards WHERE contact_id = $1 AND name = $2 AND expires_at > $3 LIMIT 1', [contactId, name, now]);
	if (before !== roundPoints(points) || hasExpiring) {
		await tx.run(`UPDATE score_awards SET expires_at = $3 WHERE contact_id = $1 AND name = $2 AND ${NOT_EXPIRED}`, [contactId, name, now]);
		if (roundPoints(points) !== 0) await insertAward(tx, contactId, name, points, reason ?? 'set', now, null);
	}
	const score = await materialize(tx, contactId, name, now, before);
	return { score, previousPoints: before, awarded: roundPoints(score.points - before) };
}

export async function listAwards(tx: SqlExecutor, contactId: number, name: string, now: number, limit = 100): Promise<ScoreAward[]> {
	const rows = await tx.all<{ points: number; reason: string | null; awarded_at: number; expires_at: number | null }>(
		'SELECT points, reason, awarded_at, expires_at FROM score_awards WHERE contact_id = $1 AND name = $2 ORDER BY awarded_at DESC, id DESC LIMIT $3',
		[contactId, name, limit],
	);
	return rows.map((r) => ({
		points: Number(r.points),
		reason: r.reason,
		awardedAt: toIso(Number(r.awarded_at))!,
		expiresAt: toIso(r.expires_at === null ? null : Number(r.expires_at)),
		expired: r.expires_at !== null && Number(r.expires_at) <= now,
	}));
}

/** Works out the tier of the score at `now` and stores it in contact_scores.tier. */
export async function updateTier(tx: SqlExecutor, contactId: number, name: string, tiers: Tier[], now: number) {
	const previousTier = await storedTier(tx, contactId, name);
	const state = await materialize(tx, contactId, name, now);
	const tier = tierFor(state.points, tiers);
	if (tier !== previousTier) {
		await tx.run('UPDATE contact_scores SET tier = $1 WHERE contact_id = $2 AND name = $3', [tier, contactId, name]);
		await touchContacts(tx, [contactId], now);
	}
	return { score: { name, points: state.points, tier }, previousTier, tier, changed: tier !== previousTier };
}

/**
 * Fires once per crossing: `crossed` is true only when the score is at or above the
 * threshold and the threshold is armed (never fired, or seen below since).
 */
export async function checkThreshold(
	tx: SqlExecutor,
	contactId: number,
	name: string,
	threshold: number,
	triggerKey: string,
	now: number,
): Promise<Omit<ThresholdResult, 'found'>> {
	const points = await scoreAt(tx, contactId, name, now);
	const row = await tx.get<{ armed: number; threshold: number; crossed_at: number | null }>(
		'SELECT armed, threshold, crossed_at FROM score_thresholds WHERE contact_id = $1 AND name = $2 AND trigger_key = $3',
		[contactId, name, triggerKey],
	);
	// A changed threshold under the same key starts armed.
	const wasArmed = !row || Number(row.armed) === 1 || Number(row.threshold) !== threshold;
	const decision = decideThreshold(wasArmed, points, threshold);
	const crossedAt = decision.crossed ? now : row?.crossed_at === null || row?.crossed_at === undefined ? null : Number(row.crossed_at);
	await tx.run(
		`INSERT INTO score_thresholds (contact_id, name, trigger_key, threshold, armed, crossed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (contact_id, name, trigger_key) DO UPDATE SET threshold = excluded.threshold, armed = excluded.armed,
			crossed_at = excluded.crossed_at, updated_at = excluded.updated_at`,
		[contactId, name, triggerKey, threshold, decision.armed ? 1 : 0, crossedAt, now],
	);
	return { points, threshold, crossed: decision.crossed, armed: decision.armed, crossedAt: toIso(crossedAt) };
}

async function ruleState(tx: SqlExecutor, contactId: number, name: string, ruleKey: string) {
	return await tx.get<{ anchor_at: number | null; counted: number }>(
		'SELECT anchor_at, counted FROM score_rule_state WHERE contact_id = $1 AND name = $2 AND rule_key = $3',
		[contactId, name, ruleKey],
	);
}

async function saveRuleState(tx: SqlExecutor, contactId: number, name: string, ruleKey: string, anchorAt: number | null, counted: number, now: number) {
	await tx.run(
		`INSERT INTO score_rule_state (contact_id, name, rule_key, anchor_at, counted, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (contact_id, name, rule_key) DO UPDATE SET anchor_at = excluded.anchor_at, counted = excluded.counted, updated_at = excluded.updated_at`,
		[contactId, name, ruleKey, anchorAt, counted, now],
	);
}

/**
 * Points per page visit: counts the contact's visits in the date range whose URL
 * matches, and awards only the visits this rule has not counted before.
 */
export async function awardPageVisits(
	tx: SqlExecutor,
	contactId: number,
	name: string,
	rule: PageVisitRule,
	expiresAt: number | null,
	now: number,
): Promise<ScoreChange & { visits: number; newVisits: number }> {
	const rows = await tx.all<{ url: string }>(
		'SELECT url FROM page_visits WHERE contact_id = $1 AND visited_at >= $2 AND visited_at <= $3',
		[contactId, rule.from ?? 0, rule.to ?? now],
	);
	const matches = urlMatcher(rule.urlPattern);
	const visits = rows.filter((r) => matches(r.url)).length;
	const key = `visits:${rule.ruleKey}`;
	const state = await ruleState(tx, contactId, name, key);
	const award = pageVisitAward(visits, Number(state?.counted ?? 0), rule.pointsPerVisit, rule.maxVisits);
	const reason = `${award.newVisits} page visit${award.newVisits === 1 ? '' : 's'}${rule.urlPattern ? ` to ${rule.urlPattern}` : ''}`;
	const change = await adjust(tx, contactId, name, award.points, reason, expiresAt, now);
	if (!state || award.counted !== Number(state.counted)) await saveRuleState(tx, contactId, name, key, null, award.counted, now);
	return { ...change, visits, newVisits: award.newVisits };
}

// ---------------------------------------------------------------- batch materialization

function round2Sql(d: Dialect, expression: string): string {
	return d.name === 'postgres' ? `round((${expression})::numeric, 2)::float8` : `round(${expression}, 2)`;
}

/**
 * materialize() for many contacts of one score in three statements: the stored
 * points and next expiry are recomputed from the awards, and thresholds above the
 * new points are armed again. Returns the points before and after per contact.
 */
export async function materializeMany(
	tx: SqlExecutor,
	d: Dialect,
	name: string,
	ids: number[],
	now: number,
): Promise<Map<number, { before: number; after: number }>> {
	const result = new Map<number, { before: number; after: number }>();
	if (ids.length === 0) return result;
	const list = inList(ids, 3);
	const params = [name, now, ...list.params];
	const readList = inList(ids, 2);
	const read = async () =>
		await tx.all<{ contact_id: number; points: number }>(`SELECT contact_id, points FROM contact_scores WHERE name = $1 AND contact_id IN (${readList.sql})`, [name, ...readList.params]);
	for (const r of await read()) result.set(Number(r.contact_id), { before: roundPoints(Number(r.points)), after: roundPoints(Number(r.points)) });
	const awards = 'FROM score_awards a WHERE a.contact_id = contact_scores.contact_id AND a.name = contact_scores.name';
	await tx.run(
		`UPDATE contact_scores SET
			points = ${round2Sql(d, `coalesce((SELECT sum(a.points) ${awards} AND (a.expires_at IS NULL OR a.expires_at > $2)), 0)`)},
			next_expiry_at = (SELECT min(a.expires_at) ${awards} AND a.expires_at > $2),
			updated_at = $2
		WHERE name = $1 AND contact_id IN (${list.sql})`,
		params,
	);
	await tx.run(
		`UPDATE score_thresholds SET armed = 1, updated_at = $2
		WHERE name = $1 AND contact_id IN (${list.sql}) AND armed = 0
			AND threshold > (SELECT s.points FROM contact_scores s WHERE s.contact_id = score_thresholds.contact_id AND s.name = score_thresholds.name)`,
		params,
	);
	for (const r of await read()) {
		const entry = result.get(Number(r.contact_id));
		if (entry) entry.after = roundPoints(Number(r.points));
	}
	return result;
}

/** Multi-row INSERT in chunks (the statement for each chunk size is prepared once). */
async function insertRows(tx: SqlExecutor, head: string, columns: number, rows: SqlValue[][], tail = '', chunk = 100): Promise<void> {
	for (let start = 0; start < rows.length; start += chunk) {
		const part = rows.slice(start, start + chunk);
		const values = part.map((_, r) => `(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(', ')})`).join(', ');
		await tx.run(`${head} VALUES ${values} ${tail}`, part.flat());
	}
}

// ---------------------------------------------------------------- decay

const DECAY_RULE = 'decay';

/**
 * Decays these contacts' score for the whole periods of inactivity not yet decayed,
 * set-based: one read of the contacts, one of their current awards, then the decay
 * awards, rule state and stored scores written in a few statements. Inactivity
 * starts at the last engagement (the chosen signals, signup) or the last points
 * earned for this score, whichever is later. Locks the contacts first.
 */
export async function decayContacts(
	tx: SqlExecutor,
	d: Dialect,
	ids: number[],
	name: string,
	settings: DecaySettings,
	now: number,
): Promise<DecayChange[]> {
	if (ids.length === 0) return [];
	await lockContactIds(tx, d, ids);
	const list = inList(ids, 3);
	const contactList = inList(ids, 2);
	const rows = await tx.all<{
		id: number;
		email: string;
		last_engagement_at: number | null;
		last_visit_at: number | null;
		last_purchase_at: number | null;
		signed_up_at: number | null;
		created_at: number;
		earned_at: number | null;
		decayed_until: number | null;
	}>(
		`SELECT c.id, c.email, c.last_engagement_at, c.last_visit_at, c.last_purchase_at, c.signed_up_at, c.created_at,
			(SELECT max(a.awarded_at) FROM score_awards a WHERE a.contact_id = c.id AND a.name = $1 AND a.points > 0) AS earned_at,
			(SELECT r.anchor_at FROM score_rule_state r WHERE r.contact_id = c.id AND r.name = $1 AND r.rule_key = '${DECAY_RULE}') AS decayed_until
		FROM contacts c WHERE c.id IN (${contactList.sql}) ORDER BY c.id`,
		[name, ...contactList.params],
	);
	const bucketRows = await tx.all<{ contact_id: number; expires_at: number | null; p: number }>(
		`SELECT contact_id, expires_at, sum(points) AS p FROM score_awards
		WHERE name = $1 AND contact_id IN (${list.sql}) AND (expires_at IS NULL OR expires_at > $2)
		GROUP BY contact_id, expires_at`,
		[name, now, ...list.params],
	);
	const num = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v));
	const buckets = new Map<number, AwardBucket[]>();
	for (const b of bucketRows) {
		const id = Number(b.contact_id);
		buckets.set(id, [...(buckets.get(id) ?? []), { expiresAt: num(b.expires_at), points: Number(b.p) }]);
	}
	const awards: SqlValue[][] = [];
	const states: SqlValue[][] = [];
	const changedIds: number[] = [];
	const changes = new Map<number, DecayChange>();
	for (const row of rows) {
		const id = Number(row.id);
		const engagedAt = lastEngagement(
			{ email: num(row.last_engagement_at), siteVisit: num(row.last_visit_at), purchase: num(row.last_purchase_at) },
			settings.signals,
			num(row.signed_up_at),
			Number(row.created_at),
		);
		const earnedAt = num(row.earned_at);
		const activeAt = earnedAt !== null && earnedAt > engagedAt ? earnedAt : engagedAt;
		const { due, until } = decayPeriodsDue(activeAt, num(row.decayed_until), now, settings.periodDays);
		const own = buckets.get(id) ?? [];
		const before = roundPoints(own.reduce((sum, b) => sum + b.points, 0));
		let plan: AwardBucket[] = [];
		if (due > 0) {
			plan = planDecay(own, due * settings.points, settings.floor);
			const reason = `decay: ${due} period${due === 1 ? '' : 's'} of ${settings.periodDays} day${settings.periodDays === 1 ? '' : 's'} inactive`;
			for (const part of plan) awards.push([id, name, roundPoints(part.points), reason, now, part.expiresAt]);
			states.push([id, name, DECAY_RULE, until, 0, now]);
			if (plan.length > 0) changedIds.push(id);
		}
		const after = roundPoints(before + plan.reduce((sum, part) => sum + part.points, 0));
		changes.set(id, {
			email: row.email,
			name,
			previousPoints: before,
			points: after,
			decayed: roundPoints(before - after),
			periods: due,
			inactiveSince: toIso(activeAt)!,
			changed: after !== before,
		});
	}
	await insertRows(tx, 'INSERT INTO score_awards (contact_id, name, points, reason, awarded_at, expires_at)', 6, awards);
	await insertRows(
		tx,
		'INSERT INTO score_rule_state (contact_id, name, rule_key, anchor_at, counted, updated_at)',
		6,
		states,
		'ON CONFLICT (contact_id, name, rule_key) DO UPDATE SET anchor_at = excluded.anchor_at, updated_at = excluded.updated_at',
	);
	const stored = await materializeMany(tx, d, name, changedIds, now);
	for (const [id, change] of changes) {
		const s = stored.get(id);
		if (s) {
			change.points = s.after;
			change.decayed = roundPoints(change.previousPoints - s.after);
			change.changed = s.after !== change.previousPoints;
		}
	}
	await touchContacts(tx, changedIds, now);
	return [...changes.values()];
}

/**
 * Decays every contact with this score that has a whole period of inactivity not
 * yet decayed, and returns those whose points went down. Keyset windows over the
 * (name, contact_id) index; each window's candidates come from one query, and are
 * locked and decayed set-based, a batch per transaction. Contacts at the floor are
 * skipped.
 */
export async function sweepDecay(
	db: SqlDriver,
	name: string,
	settings: DecaySettings,
	options: { now: number; maxContacts: number; batchSize?: number },
): Promise<SweepOutcome<DecayChange>> {
	const d = db.dialect;
	const { now } = options;
	const batch = options.batchSize ?? 500;
	const items: DecayChange[] = [];
	const budget = () => options.maxContacts - items.length;
	const engaged = lastEngagementSql(d, settings.signals);
	const earned = '(SELECT max(a.awarded_at) FROM score_awards a WHERE a.contact_id = s.contact_id AND a.name = s.name AND a.points > 0)';
	const decayedUntil = `(SELECT r.anchor_at FROM score_rule_state r WHERE r.contact_id = s.contact_id AND r.name = s.name AND r.rule_key = '${DECAY_RULE}')`;
	const candidates = `
		SELECT x.contact_id FROM (
			SELECT s.contact_id, ${d.greatest(engaged, earned)} AS active_at, ${decayedUntil} AS decayed_until
			FROM contact_scores s
			JOIN contacts c ON c.id = s.contact_id
			WHERE s.name = $1 AND s.contact_id > $2 AND s.contact_id <= $3 AND c.id > $2 AND c.id <= $3
				AND (s.points > $6 OR (s.next_expiry_at IS NOT NULL AND s.next_expiry_at <= $4))
		) x
		WHERE $4 - ${d.greatest('x.active_at', 'x.decayed_until')} >= $5
		ORDER BY x.contact_id`;
	const periodMs = Math.round(settings.periodDays * 86_400_000);
	let cursor = 0;
	while (budget() > 0) {
		const end = await db.get<{ last: number | null }>(
			'SELECT max(contact_id) AS last FROM (SELECT contact_id FROM contact_scores WHERE name = $1 AND contact_id > $2 ORDER BY contact_id LIMIT $3) w',
			[name, cursor, Math.max(batch * 4, 1000)],
		);
		if (end?.last === null || end?.last === undefined) break;
		const last = Number(end.last);
		const rows = await sweepRead<{ contact_id: number }>(db, candidates, [name, cursor, last, now, periodMs, settings.floor]);
		for (let i = 0; i < rows.length && budget() > 0; ) {
			const chunk = rows.slice(i, i + Math.min(batch, budget())).map((r) => Number(r.contact_id));
			i += chunk.length;
			const changes = await db.transaction((tx) => decayContacts(tx, d, chunk, name, settings, now));
			items.push(...changes.filter((c) => c.changed));
		}
		cursor = last;
	}
	return { items, limitReached: budget() <= 0 };
}

// ---------------------------------------------------------------- expiry sweep

/**
 * Brings contact_scores up to date for awards that expired by `now` (using the
 * next-expiry index), set-based per batch, and returns the scores that changed.
 * Reads of one contact are always right without it; segments over contact_scores
 * use next_expiry_at to stay right too, and are faster after it.
 */
export async function refreshExpired(db: SqlDriver, options: { now: number; maxContacts: number; batchSize?: number }): Promise<SweepOutcome<ScoreRefresh>> {
	const d = db.dialect;
	const { now } = options;
	const batch = options.batchSize ?? 500;
	const items: ScoreRefresh[] = [];
	const budget = () => options.maxContacts - items.length;
	const seen = new Set<string>();
	while (budget() > 0) {
		const limit = Math.min(batch, budget());
		const rows = await db.all<{ contact_id: number; name: string; email: string }>(
			`SELECT s.contact_id, s.name, c.email FROM contact_scores s JOIN contacts c ON c.id = s.contact_id
			WHERE s.next_expiry_at IS NOT NULL AND s.next_expiry_at <= $1 ORDER BY s.next_expiry_at, s.contact_id LIMIT $2`,
			[now, limit],
		);
		const fresh = rows.filter((r) => !seen.has(`${r.contact_id}|${r.name}`));
		if (fresh.length === 0) break;
		fresh.forEach((r) => seen.add(`${r.contact_id}|${r.name}`));
		const byName = new Map<string, typeof fresh>();
		for (const r of fresh) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
		const changes = await db.transaction(async (tx) => {
			await lockContactIds(tx, d, [...new Set(fresh.map((r) => Number(r.contact_id)))].sort((a, b) => a - b));
			const out: ScoreRefresh[] = [];
			for (const [name, group] of byName) {
				const stored = await materializeMany(
					tx,
					d,
					name,
					group.map((r) => Number(r.contact_id)),
					now,
				);
				for (const r of group) {
					const s = stored.get(Number(r.contact_id));
					if (s && s.after !== s.before) out.push({ email: r.email, name, previousPoints: s.before, points: s.after });
				}
			}
			return out;
		});
		items.push(...changes.slice(0, Math.max(0, budget())));
		if (rows.length < limit) break;
	}
	return { items, limitReached: budget() <= 0 };
}

// ---------------------------------------------------------------- profile

/** Scores (right at `now`) and tiers for a contact's profile. */
export async function profileScores(tx: SqlExecutor, contactId: number, now: number) {
	const rows = await tx.all<{ name: string; points: number; tier: string | null }>(
		`SELECT s.name, s.tier,
			CASE WHEN s.updated_at <= $2 AND (s.next_expiry_at IS NULL OR s.next_expiry_at > $2) THEN s.points
			ELSE (SELECT coalesce(sum(a.points), 0) FROM score_awards a WHERE a.contact_id = s.contact_id AND a.name = s.name AND (a.expires_at IS NULL OR a.expires_at > $2))
			END AS points
		FROM contact_scores s WHERE s.contact_id = $1 ORDER BY s.name`,
		[contactId, now],
	);
	const scores: Record<string, number> = {};
	const tiers: Record<string, string> = {};
	for (const r of rows) {
		scores[r.name] = roundPoints(Number(r.points));
		if (r.tier !== null) tiers[r.name] = r.tier;
	}
	return { scores, tiers };
}
