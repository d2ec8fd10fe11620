/**
 * The contact store's tag and score methods (SqlContactStore delegates here): each
 * is one transaction that locks the contact, so concurrent writes for one contact
 * apply one after the other and lose nothing. Writes that add something create the
 * contact (like every event); removals, checks and rules leave unknown emails alone.
 */
import type { Tier } from '../domain/scores';
import type { ContactRow } from './rows';
import {
	adjust,
	awardPageVisits,
	checkThreshold,
	decayContacts,
	listAwards,
	refreshExpired,
	scoreState,
	setScore,
	sweepDecay,
	updateTier,
	type ScoreChange,
} from './scoreQueries';
import type { SqlDriver, SqlExecutor } from './sql';
import {
	activeTags,
	addTags,
	applyInterests,
	engagementForContact,
	lockExistingContact,
	removeTags,
	replaceGroup,
	sweepEngagement,
	touchContacts,
} from './tagQueries';
import type {
	DecayChange,
	DecaySettings,
	EngagementChange,
	EngagementSettings,
	EngagementSweepOptions,
	InterestRequest,
	InterestResult,
	PageVisitAwardResult,
	PageVisitRule,
	ScoreRead,
	ScoreRefresh,
	ScoreWriteOptions,
	ScoreWriteResult,
	SweepOutcome,
	TagCheck,
	TagWriteOptions,
	TagWriteResult,
	ThresholdResult,
	TierResult,
} from './tagScoreTypes';
import type { ContactPatch, ContactProfile, WriteOptions, WriteResult } from './types';

/** What the tag and score methods need from SqlContactStore. */
export interface StoreContext {
	db: SqlDriver;
	write<T extends object>(
		patch: ContactPatch,
		options: WriteOptions | undefined,
		apply: (tx: SqlExecutor, locked: { row: ContactRow; created: boolean }, changes: string[], now: number) => Promise<T>,
		onDuplicate: (tx: SqlExecutor, row: ContactRow | undefined) => Promise<T>,
	): Promise<WriteResult & T>;
	profile(tx: SqlExecutor, row: ContactRow, now: number): Promise<ContactProfile>;
}

async function profileById(ctx: StoreContext, tx: SqlExecutor, id: number, now: number): Promise<ContactProfile> {
	const row = await tx.get<ContactRow>('SELECT * FROM contacts WHERE id = $1', [id]);
	return await ctx.profile(tx, row!, now);
}

/** Runs `fn` on an existing, locked contact; null when there is no contact with this email. */
async function withExisting<T>(ctx: StoreContext, email: string, fn: (tx: SqlExecutor, id: number) => Promise<T>): Promise<T | null> {
	return await ctx.db.transaction(async (tx) => {
		const contact = await lockExistingContact(tx, ctx.db.dialect, email);
		return contact ? await fn(tx, contact.id) : null;
	});
}

// ---------------------------------------------------------------- tags

export async function getTags(ctx: StoreContext, email: string, now = Date.now()): Promise<TagCheck> {
	const row = await ctx.db.get<{ id: number }>('SELECT id FROM contacts WHERE email = $1', [email]);
	if (!row) return { found: false, tags: [] };
	return { found: true, tags: await activeTags(ctx.db, Number(row.id), now) };
}

export async function addContactTags(ctx: StoreContext, email: string, tags: string[], options: TagWriteOptions = {}): Promise<TagWriteResult> {
	const result = await ctx.write(
		{ email },
		{ now: options.now },
		async (tx, { row }, changes, now) => {
			const r = await addTags(tx, Number(row.id), tags, options.expiresAt ?? null, now);
			if (r.added.length + r.refreshed.length > 0) {
				await touchContacts(tx, [Number(row.id)], now);
				changes.push('tags');
			}
			return r;
		},
		async () => ({ added: [], refreshed: [] }),
	);
	return { contact: result.contact, added: result.added, refreshed: result.refreshed, removed: [], changed: result.changes.length > 0 };
}

export async function removeContactTags(ctx: StoreContext, email: string, tags: string[], options: TagWriteOptions = {}): Promise<TagWriteResult | null> {
	const now = options.now ?? Date.now();
	return await withExisting(ctx, email, async (tx, id) => {
		const removed = await removeTags(tx, id, tags, now);
		if (removed.length > 0) await touchContacts(tx, [id], now);
		return { contact: await profileById(ctx, tx, id, now), added: [], refreshed: [], removed, changed: removed.length > 0 };
	});
}

export async function replaceContactTagGroup(ctx: StoreContext, email: string, group: string, tag: string, options: TagWriteOptions = {}): Promise<TagWriteResult> {
	const result = await ctx.write(
		{ email },
		{ now: options.now },
		async (tx, { row }, changes, now) => {
			const r = await replaceGroup(tx, Number(row.id), group, tag, options.expiresAt ?? null, now);
			if (r.added.length + r.refreshed.length + r.removed.length > 0) {
				await touchContacts(tx, [Number(row.id)], now);
				changes.push('tags');
			}
			return r;
		},
		async () => ({ added: [], refreshed: [], removed: [] }),
	);
	return {
		contact: result.contact,
		added: result.added,
		refreshed: result.refreshed,
		removed: result.removed,
		changed: result.added.length + result.refreshed.length + result.removed.length > 0,
	};
}

export async function applyEngagementTags(ctx: StoreContext, email: string, settings: EngagementSettings, now = Date.now()): Promise<EngagementChange | null> {
	return await engagementForContact(ctx.db, email, settings, now);
}

export async function sweepEngagementTags(ctx: StoreContext, settings: EngagementSettings, options: EngagementSweepOptions): Promise<SweepOutcome<EngagementChange>> {
	return await sweepEngagement(ctx.db, settings, options);
}

export async function applyInterestTags(ctx: StoreContext, email: string, request: InterestRequest): Promise<InterestResult | null> {
	return await withExisting(ctx, email, async (tx, id) => {
		const r = await applyInterests(tx, id, request);
		if (r.added.length + r.refreshed.length > 0) await touchContacts(tx, [id], request.now);
		return { contact: await profileById(ctx, tx, id, request.now), ...r };
	});
}

// ---------------------------------------------------------------- scores

function scoreResult(contact: ContactProfile, change: ScoreChange, duplicate = false): ScoreWriteResult {
	return {
		contact,
		score: change.score,
		previousPoints: change.previousPoints,
		awarded: change.awarded,
		changed: change.awarded !== 0,
		duplicate,
	};
}

/** Idempotency keys are kept per score, so one order may award points to several scores. */
function scoreEventKey(name: string, eventKey: string | undefined): string | undefined {
	return eventKey ? `score:${name}:${eventKey}` : undefined;
}

async function scoreWrite(
	ctx: StoreContext,
	email: string,
	name: string,
	options: ScoreWriteOptions,
	apply: (tx: SqlExecutor, id: number, now: number) => Promise<ScoreChange>,
): Promise<ScoreWriteResult> {
	const result = await ctx.write(
		{ email },
		{ now: options.now, eventKey: scoreEventKey(name, options.eventKey) },
		async (tx, { row }, changes, now) => {
			const change = await apply(tx, Number(row.id), now);
			if (change.awarded !== 0) {
				await touchContacts(tx, [Number(row.id)], now);
				changes.push(`score:${name}`);
			}
			return { change };
		},
		async (tx, row) => {
			const now = options.now ?? Date.now();
			const score = row ? await scoreState(tx, Number(row.id), name, now) : { name, points: 0, tier: null };
			return { change: { score, previousPoints: score.points, awarded: 0 } };
		},
	);
	return scoreResult(result.contact, result.change, result.duplicate);
}

export async function adjustScore(ctx: StoreContext, email: string, name: string, points: number, options: ScoreWriteOptions = {}): Promise<ScoreWriteResult> {
	return await scoreWrite(ctx, email, name, options, (tx, id, now) =>
		adjust(tx, id, name, points, options.reason ?? null, options.expiresAt ?? null, now),
	);
}

export async function setContactScore(ctx: StoreContext, email: string, name: string, points: number, options: ScoreWriteOptions = {}): Promise<ScoreWriteResult> {
	return await scoreWrite(ctx, email, name, options, (tx, id, now) => setScore(tx, id, name, points, options.reason ?? null, now));
}

export async function getScore(ctx: StoreContext, email: string, name: string, options: { now?: number; includeAwards?: boolean } = {}): Promise<ScoreRead> {
	const now = options.now ?? Date.now();
	const row = await ctx.db.get<{ id: number }>('SELECT id FROM contacts WHERE email = $1', [email]);
	if (!row) return { found: false, score: { name, points: 0, tier: null }, ...(options.includeAwards ? { awards: [] } : {}) };
	const id = Number(row.id);
	const read: ScoreRead = { found: true, score: await scoreState(ctx.db, id, name, now) };
	if (options.includeAwards) read.awards = await listAwards(ctx.db, id, name, now);
	return read;
}

export async function updateScoreTier(ctx: StoreContext, email: string, name: string, tiers: Tier[], now = Date.now()): Promise<TierResult> {
	const result = await withExisting(ctx, email, async (tx, id) => updateTier(tx, id, name, tiers, now));
	if (!result) return { found: false, score: { name, points: 0, tier: null }, previousTier: null, tier: null, changed: false };
	return { found: true, ...result };
}

export async function checkScoreThreshold(
	ctx: StoreContext,
	email: string,
	name: string,
	threshold: number,
	triggerKey: string,
	now = Date.now(),
): Promise<ThresholdResult> {
	const result = await withExisting(ctx, email, (tx, id) => checkThreshold(tx, id, name, threshold, triggerKey, now));
	return result ? { found: true, ...result } : { found: false, points: 0, threshold, crossed: false, armed: true, crossedAt: null };
}

export async function awardContactPageVisits(
	ctx: StoreContext,
	email: string,
	name: string,
	rule: PageVisitRule,
	options: ScoreWriteOptions = {},
): Promise<PageVisitAwardResult> {
	const now = options.now ?? Date.now();
	const result = await withExisting(ctx, email, async (tx, id) => {
		const r = await awardPageVisits(tx, id, name, rule, options.expiresAt ?? null, now);
		if (r.awarded !== 0) await touchContacts(tx, [id], now);
		return { ...scoreResult(await profileById(ctx, tx, id, now), r), visits: r.visits, newVisits: r.newVisits };
	});
	if (result) return { found: true, ...result };
	return {
		found: false,
		contact: null as unknown as ContactProfile,
		score: { name, points: 0, tier: null },
		previousPoints: 0,
		awarded: 0,
		changed: false,
		duplicate: false,
		visits: 0,
		newVisits: 0,
	};
}

export async function decayContactScore(ctx: StoreContext, email: string, name: string, settings: DecaySettings, now = Date.now()): Promise<DecayChange | null> {
	return await withExisting(ctx, email, async (tx, id) => (await decayContacts(tx, ctx.db.dialect, [id], name, settings, now))[0]);
}

export async function sweepScoreDecay(
	ctx: StoreContext,
	name: string,
	settings: DecaySettings,
	options: { now: number; maxContacts: number; batchSize?: number },
): Promise<SweepOutcome<DecayChange>> {
	return await sweepDecay(ctx.db, name, settings, options);
}

export async function refreshExpiredScores(ctx: StoreContext, options: { now: number; maxContacts: number; batchSize?: number }): Promise<SweepOutcome<ScoreRefresh>> {
	return await refreshExpired(ctx.db, options);
}
