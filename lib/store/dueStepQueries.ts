/**
 * Set-based SQL for the due-step sweeps. Each sweep selects the contacts (or carts,
 * or enrollments) whose anchor lies in a step's due window — anchor ranges over an
 * indexed column, read in keyset batches — and keeps those with no claim at or after
 * that step. Each batch is then claimed with INSERT … ON CONFLICT DO NOTHING in one
 * transaction, and only what this run inserted is returned: two overlapping runs
 * never emit the same contact and step.
 */
import { candidateMonthDays, dueOccurrence, localDate, occasionSchedule, resolveZone } from '../domain/dateOccasions';
import { dueStepFields, dueWindows, positionOf, type DueWindow } from '../domain/dueSteps';
import { EXPIRED_STEP, winbackStanding } from '../domain/winback';
import { toIso } from '../domain/values';
import type {
	CartDue,
	CartSweep,
	DateEmailDue,
	DateEmailSweep,
	DripDue,
	DripEnrollRequest,
	DripEnrollResult,
	DripSweep,
	LapsedAction,
	SweepBase,
	WinbackAnchor,
	WinbackCheckRequest,
	WinbackCheckResult,
	WinbackDue,
	WinbackSweep,
	WinbackSweepResult,
	SweepResult,
} from './dueStepTypes';
import { toProfile, toStoredCart, type CartRow, type ContactRow } from './rows';
import type { Dialect, SqlDriver, SqlExecutor, SqlValue } from './sql';
import type { ContactProfile } from './types';

const DEFAULT_BATCH = 1000;

/** Collects positional parameters: p(value) returns its placeholder. */
class Params {
	readonly values: SqlValue[] = [];
	p(value: SqlValue): string {
		this.values.push(value);
		return `$${this.values.length}`;
	}
	/** An IN list, padded to a power of two with its last value so statements are reused. */
	in(values: Array<string | number>): string {
		let size = 1;
		while (size < values.length) size *= 2;
		const padded = [...values];
		while (padded.length < size) padded.push(values[values.length - 1]);
		return `(${padded.map((v) => this.p(v)).join(', ')})`;
	}
}

/** CASE expression giving the step whose due window holds `column` (NULL outside every window). */
function stepCase(column: string, windows: DueWindow[], params: Params): string {
	const whens = windows.map((w) => `WHEN ${column} BETWEEN ${params.p(w.fromAnchor)} AND ${params.p(w.toAnchor)} THEN ${w.index}`);
	return `(CASE ${whens.join(' ')} END)`;
}

function bounds(windows: DueWindow[]): { lo: number; hi: number } {
	return { lo: Math.min(...windows.map((w) => w.fromAnchor)), hi: Math.max(...windows.map((w) => w.toAnchor)) };
}

interface Cursor {
	anchor: number;
	id: number;
}

/** Keyset condition for ORDER BY anchor DESC, id DESC. */
function after(cursor: Cursor | null, anchorColumn: string, idColumn: string, params: Params): string {
	if (!cursor) return '';
	const a = params.p(cursor.anchor);
	return `AND ${anchorColumn} <= ${a} AND (${anchorColumn} < ${a} OR ${idColumn} < ${params.p(cursor.id)})`;
}

interface Claim {
	contactId: number;
	anchorKey: number;
	stepIndex: number;
	step: string;
}

const claimKey = (contactId: number, anchorKey: number, stepIndex: number) => `${contactId}:${anchorKey}:${stepIndex}`;

/**
 * Inserts the claims; returns the keys this call inserted (a claim another run holds is
 * left out). PostgreSQL: multi-row INSERT … RETURNING, one round trip per thousand.
 * SQLite (in process): one cached single-row statement per claim, which is faster there.
 */
async function claimSteps(tx: SqlExecutor, dialect: Dialect, campaign: string, claims: Claim[], now: number): Promise<Set<string>> {
	const inserted = new Set<string>();
	if (dialect.name === 'sqlite') {
		for (const claim of claims) {
			const n = await tx.run(
				'INSERT INTO step_claims (contact_id, campaign, anchor_key, step_index, step, claimed_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
				[claim.contactId, campaign, claim.anchorKey, claim.stepIndex, claim.step, now],
			);
			if (n > 0) inserted.add(claimKey(claim.contactId, claim.anchorKey, claim.stepIndex));
		}
		return inserted;
	}
	for (let start = 0; start < claims.length; start += DEFAULT_BATCH) {
		const chunk = claims.slice(start, start + DEFAULT_BATCH);
		const params = new Params();
		const c = params.p(campaign);
		const t = params.p(now);
		const rows = chunk.map((claim) => `(${params.p(claim.contactId)}, ${c}, ${params.p(claim.anchorKey)}, ${params.p(claim.stepIndex)}, ${params.p(claim.step)}, ${t})`);
		const returned = await tx.all<{ contact_id: number; anchor_key: number; step_index: number }>(
			`INSERT INTO step_claims (contact_id, campaign, anchor_key, step_index, step, claimed_at) VALUES ${rows.join(', ')}
			ON CONFLICT DO NOTHING RETURNING contact_id, anchor_key, step_index`,
			params.values,
		);
		for (const r of returned) inserted.add(claimKey(Number(r.contact_id), Number(r.anchor_key), Number(r.step_index)));
	}
	return inserted;
}

/** Steps claimed before each of these claims for the same anchor (to say which steps were skipped). */
async function earlierClaims(tx: SqlExecutor, campaign: string, claims: Claim[]): Promise<(claim: Claim) => number[]> {
	const found = new Map<string, number[]>();
	// A first step has nothing before it.
	const later = claims.filter((c) => c.stepIndex > 0);
	for (let start = 0; start < later.length; start += DEFAULT_BATCH) {
		const chunk = later.slice(start, start + DEFAULT_BATCH);
		const params = new Params();
		// By contact only (step_claims_contact); a condition on the campaign could lead a planner
		// to read every claim of the campaign through the key index instead.
		const rows = await tx.all<{ contact_id: number; campaign: string; anchor_key: number; step_index: number }>(
			`SELECT contact_id, campaign, anchor_key, step_index FROM step_claims WHERE contact_id IN ${params.in(chunk.map((c) => c.contactId))}`,
			params.values,
		);
		for (const r of rows) {
			if (r.campaign !== campaign) continue;
			const key = `${Number(r.contact_id)}:${Number(r.anchor_key)}`;
			found.set(key, [...(found.get(key) ?? []), Number(r.step_index)]);
		}
	}
	return (claim) => (found.get(`${claim.contactId}:${claim.anchorKey}`) ?? []).filter((i) => i < claim.stepIndex);
}

/** Full profiles (with live tags and scores) for a set of contacts, in a few queries. */
export async function loadProfiles(ex: SqlExecutor, ids: number[], now: number): Promise<Map<number, ContactProfile>> {
	const profiles = new Map<number, ContactProfile>();
	const unique = [...new Set(ids)];
	for (let start = 0; start < unique.length; start += DEFAULT_BATCH) {
		const chunk = unique.slice(start, start + DEFAULT_BATCH);
		let params = new Params();
		const rows = await ex.all<ContactRow>(`SELECT * FROM contacts WHERE id IN ${params.in(chunk)}`, params.values);
		params = new Params();
		const list = params.in(chunk);
		const tags = await ex.all<{ contact_id: number; tag: string }>(
			`SELECT contact_id, tag FROM contact_tags WHERE contact_id IN ${list} AND (expires_at IS NULL OR expires_at > ${params.p(now)}) ORDER BY tag`,
			params.values,
		);
		params = new Params();
		const scores = await ex.all<{ contact_id: number; name: string; points: number }>(
			`SELECT contact_id, name, points FROM contact_scores WHERE contact_id IN ${params.in(chunk)} ORDER BY name`,
			params.values,
		);
		const tagsOf = new Map<number, string[]>();
		for (const t of tags) tagsOf.set(Number(t.contact_id), [...(tagsOf.get(Number(t.contact_id)) ?? []), t.tag]);
		const scoresOf = new Map<number, Record<string, number>>();
		for (const s of scores) scoresOf.set(Number(s.contact_id), { ...(scoresOf.get(Number(s.contact_id)) ?? {}), [s.name]: Number(s.points) });
		for (const row of rows) profiles.set(Number(row.id), toProfile(row, tagsOf.get(Number(row.id)) ?? [], scoresOf.get(Number(row.id)) ?? {}));
	}
	return profiles;
}

/**
 * "No claim at or after this step for this anchor". The probe must go through
 * step_claims_key (campaign, anchor_key, contact_id + 0, step_index): sweeps read anchors
 * in order, so consecutive probes touch neighbouring index pages. That index holds the
 * contact as the expression `contact_id + 0`, which the probe uses and the plain
 * contact_id index (kept for erasure) cannot serve, so neither planner can pick that one
 * and turn every probe into a random read.
 */
function unclaimed(contact: string, anchor: string, step: string, campaign: string): string {
	return `NOT EXISTS (SELECT 1 FROM step_claims s
		WHERE s.campaign = ${campaign} AND s.anchor_key = ${anchor} AND s.contact_id + 0 = ${contact} AND s.step_index >= ${step})`;
}

// ---------------------------------------------------------------- win-back

interface AnchorPass {
	column: string;
	filter: string;
}

/** Each anchor is read through one indexed column; "latest of both" reads both indexes in two passes. */
const ANCHOR_PASSES: Record<WinbackAnchor, AnchorPass[]> = {
	lastPurchase: [{ column: 'last_purchase_at', filter: '' }],
	lastEngagement: [{ column: 'last_engagement_at', filter: '' }],
	lastActivity: [
		{ column: 'last_purchase_at', filter: 'AND (c.last_engagement_at IS NULL OR c.last_engagement_at <= c.last_purchase_at)' },
		{ column: 'last_engagement_at', filter: 'AND (c.last_purchase_at IS NULL OR c.last_purchase_at < c.last_engagement_at)' },
	],
};

export function anchorOf(row: Pick<ContactRow, 'last_purchase_at' | 'last_engagement_at'>, anchor: WinbackAnchor): number | null {
	const purchase = row.last_purchase_at === null ? null : Number(row.last_purchase_at);
	const engagement = row.last_engagement_at === null ? null : Number(row.last_engagement_at);
	if (anchor === 'lastPurchase') return purchase;
	if (anchor === 'lastEngagement') return engagement;
	if (purchase === null) return engagement;
	return engagement === null ? purchase : Math.max(purchase, engagement);
}

/** Applies the after-window action to expired contacts; returns what it did. */
async function applyLapsedAction(tx: SqlExecutor, ids: number[], action: LapsedAction, tag: string, now: number): Promise<'suppressed' | 'tagged' | null> {
	if (ids.length === 0 || action === 'none') return null;
	for (let start = 0; start < ids.length; start += DEFAULT_BATCH) {
		const chunk = ids.slice(start, start + DEFAULT_BATCH);
		if (action === 'suppress') {
			const params = new Params();
			const t = params.p(now);
			await tx.run(
				`UPDATE contacts SET suppressed = 1, suppression_reason = 'lapsed', suppressed_at = ${t}, updated_at = ${t}
				WHERE suppressed = 0 AND id IN ${params.in(chunk)}`,
				params.values,
			);
		} else {
			const params = new Params();
			const t = params.p(now);
			const g = params.p(tag);
			const rows = chunk.map((id) => `(${params.p(id)}, ${g}, ${t}, NULL)`);
			await tx.run(
				`INSERT INTO contact_tags (contact_id, tag, added_at, expires_at) VALUES ${rows.join(', ')}
				ON CONFLICT (contact_id, tag) DO UPDATE SET added_at = excluded.added_at, expires_at = NULL
				WHERE contact_tags.expires_at IS NOT NULL`,
				params.values,
			);
			const touch = new Params();
			await tx.run(`UPDATE contacts SET updated_at = ${touch.p(now)} WHERE id IN ${touch.in(chunk)}`, touch.values);
		}
	}
	return action === 'suppress' ? 'suppressed' : 'tagged';
}

interface Candidate {
	id: number;
	anchor: number;
	stepIndex: number;
}

/**
 * Runs keyset batches of `select` (anchor DESC, id DESC) and claims each batch;
 * stops at maxContacts. `select` returns up to `limit` unclaimed candidates after the cursor.
 */
async function sweepBatches<C extends Candidate, T>(
	db: SqlDriver,
	request: SweepBase,
	passes: number,
	select: (pass: number, cursor: Cursor | null, limit: number) => Promise<C[]>,
	claimOf: (candidate: C) => Claim,
	emit: (tx: SqlExecutor, claimed: C[], earlier: (claim: Claim) => number[]) => Promise<T[]>,
): Promise<SweepResult<T> & { claimedCount: number }> {
	const items: T[] = [];
	const batchSize = Math.max(1, request.batchSize ?? DEFAULT_BATCH);
	let claimedCount = 0;
	let limitReached = false;
	for (let pass = 0; pass < passes; pass++) {
		let cursor: Cursor | null = null;
		for (;;) {
			const remaining = request.maxContacts - claimedCount;
			if (remaining <= 0) {
				limitReached = limitReached || (await select(pass, cursor, 1)).length > 0;
				break;
			}
			const limit = Math.min(batchSize, remaining);
			const candidates = await select(pass, cursor, limit);
			if (candidates.length === 0) break;
			const last = candidates[candidates.length - 1];
			cursor = { anchor: last.anchor, id: last.id };
			const out = await db.transaction(async (tx) => {
				const claims = candidates.map(claimOf);
				const inserted = await claimSteps(tx, db.dialect, request.campaign, claims, request.now);
				const claimed = candidates.filter((_, i) => inserted.has(claimKey(claims[i].contactId, claims[i].anchorKey, claims[i].stepIndex)));
				if (claimed.length === 0) return { claimed, items: [] };
				const earlier = await earlierClaims(tx, request.campaign, claimed.map(claimOf));
				return { claimed, items: await emit(tx, claimed, earlier) };
			});
			claimedCount += out.claimed.length;
			items.push(...out.items);
			if (candidates.length < limit) break;
		}
	}
	return { items, limitReached, claimedCount };
}

export async function sweepWinback(db: SqlDriver, request: WinbackSweep): Promise<WinbackSweepResult> {
	const { schedule, campaign, now } = request;
	const windows = dueWindows(schedule, now);
	const expiredIndex = schedule.steps.findIndex((s) => s.kind === EXPIRED_STEP);
	const passes = ANCHOR_PASSES[request.anchor];
	// Contacts expired but left out of the output (a set: a retried transaction counts them once).
	const expiredNotReturned = new Set<number>();
	if (windows.length === 0) return { items: [], limitReached: false, expiredNotReturned: 0 };

	const select = async (pass: number, cursor: Cursor | null, limit: number): Promise<Candidate[]> => {
		const { column, filter } = passes[pass];
		const col = `c.${column}`;
		const params = new Params();
		const step = stepCase(col, windows, params);
		const { lo, hi } = bounds(windows);
		const rows = await db.all<{ id: number; anchor_at: number; step_index: number }>(
			`SELECT c.id, ${col} AS anchor_at, ${step} AS step_index
			FROM contacts c
			WHERE c.suppressed = 0 AND ${col} >= ${params.p(lo)} AND ${col} <= ${params.p(hi)} ${filter}
				${after(cursor, col, 'c.id', params)}
				AND ${step} IS NOT NULL
				AND ${unclaimed('c.id', col, step, params.p(campaign))}
			ORDER BY ${col} DESC, c.id DESC
			LIMIT ${params.p(limit)}`,
			params.values,
		);
		return rows.map((r) => ({ id: Number(r.id), anchor: Number(r.anchor_at), stepIndex: Number(r.step_index) }));
	};

	const claimOf = (c: Candidate): Claim => ({ contactId: c.id, anchorKey: c.anchor, stepIndex: c.stepIndex, step: schedule.steps[c.stepIndex].name });
	const result = await sweepBatches(
		db,
		request,
		passes.length,
		select,
		claimOf,
		async (tx, claimed, earlier) => {
			const expiredIds = claimed.filter((c) => c.stepIndex === expiredIndex).map((c) => c.id);
			const action = await applyLapsedAction(tx, expiredIds, request.action, request.tag, now);
			const shown = request.includeExpired ? claimed : claimed.filter((c) => c.stepIndex !== expiredIndex);
			for (const c of claimed) if (c.stepIndex === expiredIndex && !request.includeExpired) expiredNotReturned.add(c.id);
			const profiles = await loadProfiles(tx, shown.map((c) => c.id), now);
			return shown.map((c): WinbackDue => {
				const contact = profiles.get(c.id)!;
				const position = positionOf(schedule, c.anchor, now, earlier(claimOf(c)));
				const fields = dueStepFields(campaign, schedule, c.anchor, position);
				return {
					email: contact.email,
					...fields,
					anchor: request.anchor,
					action: c.stepIndex === expiredIndex ? action : null,
					contact,
				};
			});
		},
	);
	return { items: result.items, limitReached: result.limitReached, expiredNotReturned: expiredNotReturned.size };
}

export async function checkWinback(db: SqlDriver, request: WinbackCheckRequest): Promise<WinbackCheckResult> {
	const { schedule, campaign, now } = request;
	const base = (over: Partial<WinbackCheckResult>): WinbackCheckResult => ({
		email: request.email,
		found: true,
		contact: null,
		campaign,
		anchor: request.anchor,
		status: 'notInWindow',
		reason: null,
		anchorAt: null,
		due: null,
		claimedSteps: [],
		nextStep: null,
		nextStepAt: null,
		claimed: false,
		action: null,
		...over,
	});
	const row = await db.get<ContactRow>('SELECT * FROM contacts WHERE email = $1', [request.email]);
	if (!row) return base({ found: false, reason: 'notFound' });
	const id = Number(row.id);
	const anchor = anchorOf(row, request.anchor);
	const claimedIndexes =
		anchor === null
			? []
			: (
					await db.all<{ step_index: number }>(
						'SELECT step_index FROM step_claims WHERE contact_id = $1 AND campaign = $2 AND anchor_key = $3 ORDER BY step_index',
						[id, campaign, anchor],
					)
				).map((r) => Number(r.step_index));
	const standing = winbackStanding(schedule, anchor, now, claimedIndexes, Number(row.suppressed) === 1);
	const position = standing.position;
	let claimed = false;
	let action: WinbackCheckResult['action'] = null;
	if (request.claim && standing.status === 'due' && position?.due && anchor !== null) {
		const due = position.due;
		await db.transaction(async (tx) => {
			const inserted = await claimSteps(tx, db.dialect, campaign, [{ contactId: id, anchorKey: anchor, stepIndex: due.index, step: due.step.name }], now);
			claimed = inserted.size > 0;
			if (claimed && due.step.kind === EXPIRED_STEP) action = await applyLapsedAction(tx, [id], request.action, request.tag, now);
		});
	}
	const contact = (await loadProfiles(db, [id], now)).get(id)!;
	return base({
		contact,
		status: standing.status,
		reason: standing.reason ?? null,
		anchorAt: toIso(anchor),
		due: standing.status === 'due' && position && anchor !== null ? dueStepFields(campaign, schedule, anchor, position) : null,
		claimedSteps: [...claimedIndexes, ...(claimed && position?.due ? [position.due.index] : [])].map((i) => schedule.steps[i]?.name ?? `step-${i}`),
		nextStep: position?.next?.step.name ?? null,
		nextStepAt: position?.next ? toIso(position.next.at) : null,
		claimed,
		action,
	});
}

// ---------------------------------------------------------------- abandoned carts

interface CartCandidate extends Candidate {
	contactId: number;
}

export async function sweepCarts(db: SqlDriver, request: CartSweep): Promise<SweepResult<CartDue>> {
	const { schedule, campaign, now } = request;
	const windows = dueWindows(schedule, now);
	if (windows.length === 0) return { items: [], limitReached: false };

	const select = async (_pass: number, cursor: Cursor | null, limit: number): Promise<CartCandidate[]> => {
		const params = new Params();
		const step = stepCase('k.updated_at', windows, params);
		const { lo, hi } = bounds(windows);
		const rows = await db.all<{ id: number; contact_id: number; anchor_at: number; step_index: number }>(
			`SELECT k.id, k.contact_id, k.updated_at AS anchor_at, ${step} AS step_index
			FROM carts k JOIN contacts c ON c.id = k.contact_id
			WHERE k.converted_at IS NULL AND k.updated_at >= ${params.p(lo)} AND k.updated_at <= ${params.p(hi)}
				${after(cursor, 'k.updated_at', 'k.id', params)}
				AND ${step} IS NOT NULL
				AND c.suppressed = 0
				AND (c.last_purchase_at IS NULL OR c.last_purchase_at < k.updated_at)
				AND NOT EXISTS (SELECT 1 FROM carts n WHERE n.contact_id = k.contact_id AND n.converted_at IS NULL
					AND (n.updated_at > k.updated_at OR (n.updated_at = k.updated_at AND n.id > k.id)))
				AND ${unclaimed('k.contact_id', 'k.id', step, params.p(campaign))}
			ORDER BY k.updated_at DESC, k.id DESC
			LIMIT ${params.p(limit)}`,
			params.values,
		);
		return rows.map((r) => ({ id: Number(r.id), contactId: Number(r.contact_id), anchor: Number(r.anchor_at), stepIndex: Number(r.step_index) }));
	};

	const claimOf = (c: CartCandidate): Claim => ({ contactId: c.contactId, anchorKey: c.id, stepIndex: c.stepIndex, step: schedule.steps[c.stepIndex].name });
	const result = await sweepBatches(
		db,
		request,
		1,
		select,
		claimOf,
		async (tx, claimed, earlier) => {
			const profiles = await loadProfiles(tx, claimed.map((c) => c.contactId), now);
			const params = new Params();
			const carts = await tx.all<CartRow & { id: number }>(`SELECT * FROM carts WHERE id IN ${params.in(claimed.map((c) => c.id))}`, params.values);
			const cartOf = new Map(carts.map((k) => [Number(k.id), k]));
			return claimed.map((c): CartDue => {
				const contact = profiles.get(c.contactId)!;
				const cart = toStoredCart(cartOf.get(c.id)!);
				const fields = dueStepFields(campaign, schedule, c.anchor, positionOf(schedule, c.anchor, now, earlier(claimOf(c))), cart.cartId);
				return { email: contact.email, ...fields, cart, contact };
			});
		},
	);
	return { items: result.items, limitReached: result.limitReached };
}

// ---------------------------------------------------------------- drips

async function ensureContact(tx: SqlExecutor, email: string, now: number): Promise<number> {
	const inserted = await tx.get<{ id: number }>(
		'INSERT INTO contacts (email, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (email) DO NOTHING RETURNING id',
		[email, now],
	);
	if (inserted) return Number(inserted.id);
	const row = await tx.get<{ id: number }>('SELECT id FROM contacts WHERE email = $1', [email]);
	return Number(row!.id);
}

export async function enrollDrip(db: SqlDriver, request: DripEnrollRequest): Promise<DripEnrollResult> {
	const { email, campaign, enrolledAt, now } = request;
	return await db.transaction(async (tx) => {
		const id = await ensureContact(tx, email, now);
		const enrolled =
			(await tx.run(
				`INSERT INTO drip_enrollments (contact_id, campaign, enrolled_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
				ON CONFLICT (contact_id, campaign) DO NOTHING`,
				[id, campaign, enrolledAt, now],
			)) > 0;
		let restarted = false;
		if (!enrolled && request.restart) {
			restarted =
				(await tx.run('UPDATE drip_enrollments SET enrolled_at = $1, updated_at = $2 WHERE contact_id = $3 AND campaign = $4 AND enrolled_at <> $1', [
					enrolledAt,
					now,
					id,
					campaign,
				])) > 0;
		}
		if (enrolled || restarted) await tx.run('UPDATE contacts SET updated_at = $1 WHERE id = $2', [now, id]);
		const row = await tx.get<{ enrolled_at: number }>('SELECT enrolled_at FROM drip_enrollments WHERE contact_id = $1 AND campaign = $2', [id, campaign]);
		const contact = (await loadProfiles(tx, [id], now)).get(id)!;
		return { email, contact, campaign, enrolledAt: toIso(Number(row!.enrolled_at))!, enrolled, restarted };
	});
}

export async function sweepDrips(db: SqlDriver, request: DripSweep): Promise<SweepResult<DripDue>> {
	const { schedule, campaign, now } = request;
	const windows = dueWindows(schedule, now);
	if (windows.length === 0) return { items: [], limitReached: false };

	const select = async (_pass: number, cursor: Cursor | null, limit: number): Promise<Candidate[]> => {
		const params = new Params();
		const step = stepCase('e.enrolled_at', windows, params);
		const { lo, hi } = bounds(windows);
		const camp = params.p(campaign);
		const rows = await db.all<{ contact_id: number; anchor_at: number; step_index: number }>(
			`SELECT e.contact_id, e.enrolled_at AS anchor_at, ${step} AS step_index
			FROM drip_enrollments e JOIN contacts c ON c.id = e.contact_id
			WHERE e.campaign = ${camp} AND e.enrolled_at >= ${params.p(lo)} AND e.enrolled_at <= ${params.p(hi)}
				${after(cursor, 'e.enrolled_at', 'e.contact_id', params)}
				AND ${step} IS NOT NULL
				AND c.suppressed = 0
				${request.stopOnPurchase ? 'AND (c.last_purchase_at IS NULL OR c.last_purchase_at < e.enrolled_at)' : ''}
				AND ${unclaimed('e.contact_id', 'e.enrolled_at', step, camp)}
			ORDER BY e.enrolled_at DESC, e.contact_id DESC
			LIMIT ${params.p(limit)}`,
			params.values,
		);
		return rows.map((r) => ({ id: Number(r.contact_id), anchor: Number(r.anchor_at), stepIndex: Number(r.step_index) }));
	};

	const claimOf = (c: Candidate): Claim => ({ contactId: c.id, anchorKey: c.anchor, stepIndex: c.stepIndex, step: schedule.steps[c.stepIndex].name });
	const result = await sweepBatches(
		db,
		request,
		1,
		select,
		claimOf,
		async (tx, claimed, earlier) => {
			const profiles = await loadProfiles(tx, claimed.map((c) => c.id), now);
			return claimed.map((c): DripDue => {
				const contact = profiles.get(c.id)!;
				const fields = dueStepFields(campaign, schedule, c.anchor, positionOf(schedule, c.anchor, now, earlier(claimOf(c))));
				return { email: contact.email, ...fields, enrolledAt: toIso(c.anchor)!, contact };
			});
		},
	);
	return { items: result.items, limitReached: result.limitReached };
}

// ---------------------------------------------------------------- date-based emails

/** The UTC month*100+day of an epoch-ms column: indexed for signup anniversaries (migration 5). */
export function utcMonthDay(d: Dialect, column: string): string {
	return d.name === 'sqlite'
		? `CAST(strftime('%m%d', ${column} / 1000, 'unixepoch') AS INTEGER)`
		: `((extract(month from (to_timestamp(${column} / 1000.0) at time zone 'UTC')) * 100 + extract(day from (to_timestamp(${column} / 1000.0) at time zone 'UTC')))::integer)`;
}

interface DateCandidate {
	id: number;
	birthday: string | null;
	birth_month: number | null;
	birth_day: number | null;
	signed_up_at: number | null;
	time_zone: string | null;
}

export async function sweepDateEmails(db: SqlDriver, request: DateEmailSweep): Promise<SweepResult<DateEmailDue>> {
	const { campaign, now, timing, occasion } = request;
	const schedule = occasionSchedule(occasion, timing);
	const step = schedule.steps[0];
	// Candidates by indexed month/day over every zone on Earth; the exact check is per contact below.
	const params = new Params();
	let where: string;
	if (occasion === 'birthday') {
		const pairs = candidateMonthDays(now, timing);
		where = `(${pairs.map(([m, d]) => `(c.birth_month = ${params.p(m)} AND c.birth_day = ${params.p(d)})`).join(' OR ')})`;
	} else {
		const pairs = candidateMonthDays(now, timing, 1);
		where = `c.signed_up_at IS NOT NULL AND ${utcMonthDay(db.dialect, 'c.signed_up_at')} IN ${params.in(pairs.map(([m, d]) => m * 100 + d))}`;
	}
	const candidates = await db.all<DateCandidate>(
		`SELECT c.id, c.birthday, c.birth_month, c.birth_day, c.signed_up_at, c.time_zone FROM contacts c
		WHERE c.suppressed = 0 AND ${where} ORDER BY c.id`,
		params.values,
	);

	interface Due {
		id: number;
		year: number;
		date: string;
		sendAt: number;
		zone: string;
		years: number | null;
	}
	const due: Due[] = [];
	// Candidates share a few zones and dates: each zone is checked, and each date placed, once.
	const zones = new Map<string | null, string>();
	const occurrences = new Map<string, ReturnType<typeof dueOccurrence>>();
	for (const c of candidates) {
		let zone = zones.get(c.time_zone);
		if (zone === undefined) zones.set(c.time_zone, (zone = resolveZone(c.time_zone, request.fallbackZone)));
		let month: number;
		let day: number;
		let sinceYear: number | null = null;
		if (occasion === 'birthday') {
			if (c.birth_month === null || c.birth_day === null) continue;
			[month, day] = [Number(c.birth_month), Number(c.birth_day)];
			const m = /^(\d{4})-/.exec(c.birthday ?? '');
			if (m) sinceYear = Number(m[1]);
		} else {
			const signup = localDate(Number(c.signed_up_at), zone);
			[month, day, sinceYear] = [signup.month, signup.day, signup.year];
		}
		const key = `${month}-${day}-${zone}`;
		let found = occurrences.get(key);
		if (found === undefined) occurrences.set(key, (found = dueOccurrence(month, day, zone, now, timing, schedule)));
		if (!found) continue;
		const years = sinceYear === null ? null : found.occurrence.year - sinceYear;
		// The signup day itself is not an anniversary; nor is a birthday before birth.
		if (years !== null && (years < (occasion === 'birthday' ? 0 : 1))) continue;
		due.push({ id: Number(c.id), year: found.occurrence.year, date: found.occurrence.date, sendAt: found.occurrence.sendAt, zone, years });
	}
	// Soonest-due first: the contacts who have waited longest go out first under Max Contacts.
	due.sort((a, b) => a.sendAt - b.sendAt || a.id - b.id);

	const items: DateEmailDue[] = [];
	const batchSize = Math.max(1, request.batchSize ?? DEFAULT_BATCH);
	let index = 0;
	while (index < due.length && items.length < request.maxContacts) {
		const batch = due.slice(index, index + Math.min(batchSize, request.maxContacts - items.length));
		index += batch.length;
		const out = await db.transaction(async (tx) => {
			const inserted = await claimSteps(tx, db.dialect, campaign, batch.map((d) => ({ contactId: d.id, anchorKey: d.year, stepIndex: 0, step: step.name })), now);
			const claimed = batch.filter((d) => inserted.has(claimKey(d.id, d.year, 0)));
			const profiles = await loadProfiles(tx, claimed.map((d) => d.id), now);
			return claimed.map((d): DateEmailDue => {
				const contact = profiles.get(d.id)!;
				const fields = dueStepFields(campaign, schedule, d.sendAt, positionOf(schedule, d.sendAt, now, []), String(d.year));
				return { email: contact.email, ...fields, occasion, date: d.date, year: d.year, years: d.years, timeZone: d.zone, contact };
			});
		});
		items.push(...out);
	}
	// Anything left unclaimed after the limit (claimed elsewhere or not) is reported as possibly more.
	return { items, limitReached: items.length >= request.maxContacts && index < due.length };
}
