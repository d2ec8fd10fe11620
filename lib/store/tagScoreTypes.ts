/** Request and result types of the tag and score store methods (lib/store/tagQueries.ts, scoreQueries.ts). */
import type { DecayRule, Tier } from '../domain/scores';
import type { EngagementSignal, EngagementState, EngagementThresholds, Interest, InterestRule } from '../domain/tags';
import type { ContactProfile } from './types';

export interface TagWriteOptions {
	/** "Now" (the Reference Time), epoch ms. */
	now?: number;
	/** When the added tag stops counting (null: never). */
	expiresAt?: number | null;
}

export interface TagWriteResult {
	contact: ContactProfile;
	/** Tags the contact did not have (or had only expired) and now has. */
	added: string[];
	/** Tags the contact already had whose expiry was changed. */
	refreshed: string[];
	/** Tags the contact had and no longer has. */
	removed: string[];
	changed: boolean;
}

export interface TagCheck {
	found: boolean;
	/** The contact's tags that count at the time of the check. */
	tags: string[];
}

export interface EngagementSettings {
	/** Group prefix, e.g. "engagement:" → engagement:engaged, engagement:recent-activity… */
	group: string;
	thresholds: EngagementThresholds;
	signals: EngagementSignal[];
}

export interface EngagementChange {
	email: string;
	previousState: EngagementState | null;
	state: EngagementState;
	tag: string;
	/** Engagement tags of the group the contact had before (normally one). */
	previousTags: string[];
	/** The last engagement the state was derived from (ms). */
	engagedAt: number;
	changed: boolean;
}

export interface EngagementSweepOptions {
	now: number;
	/** Most changed contacts one run applies and returns; the rest come in the next run. */
	maxContacts: number;
	/** Re-check every contact instead of only those whose state may have changed. */
	checkEveryContact?: boolean;
	batchSize?: number;
	/** How many of the newest contacts already checked are checked again (default 1000). */
	recheckLastIds?: number;
}

export interface SweepOutcome<T> {
	items: T[];
	/** Max Contacts was reached: more contacts may be due and come in the next run. */
	limitReached: boolean;
}

export interface InterestRequest {
	rule: InterestRule;
	/** Views from `since` to `now` count. */
	since: number;
	now: number;
	expiresAt: number | null;
}

export interface InterestResult {
	contact: ContactProfile;
	interests: Interest[];
	added: string[];
	refreshed: string[];
}

// ---------------------------------------------------------------- scores

export interface ScoreState {
	name: string;
	points: number;
	tier: string | null;
}

export interface ScoreAward {
	points: number;
	reason: string | null;
	awardedAt: string;
	expiresAt: string | null;
	expired: boolean;
}

export interface ScoreWriteOptions {
	now?: number;
	/** Idempotency key (e.g. the order id): a second write with the same key for this score changes nothing. */
	eventKey?: string;
	reason?: string;
	/** When the awarded points leave the score (null: never). */
	expiresAt?: number | null;
}

export interface ScoreWriteResult {
	contact: ContactProfile;
	score: ScoreState;
	previousPoints: number;
	/** Points actually added (negative when taken). */
	awarded: number;
	changed: boolean;
	duplicate: boolean;
}

export interface ScoreRead {
	found: boolean;
	score: ScoreState;
	awards?: ScoreAward[];
}

export interface TierResult {
	found: boolean;
	score: ScoreState;
	previousTier: string | null;
	tier: string | null;
	changed: boolean;
}

export interface ThresholdResult {
	found: boolean;
	points: number;
	threshold: number;
	/** True only the first time the score is seen at or above the threshold since it was last below. */
	crossed: boolean;
	/** Whether the threshold can fire again (the score is below it). */
	armed: boolean;
	/** When it last fired (ISO), if ever. */
	crossedAt: string | null;
}

export interface PageVisitRule {
	/** Identifies the rule so each visit is awarded once per rule. */
	ruleKey: string;
	urlPattern?: string;
	from?: number;
	to?: number;
	pointsPerVisit: number;
	/** Most visits that count (0: no cap). */
	maxVisits: number;
}

export interface PageVisitAwardResult extends ScoreWriteResult {
	found: boolean;
	/** Matching visits in the date range. */
	visits: number;
	/** Visits that earned points in this run. */
	newVisits: number;
}

export interface DecaySettings extends DecayRule {
	signals: EngagementSignal[];
}

export interface DecayChange {
	email: string;
	name: string;
	previousPoints: number;
	points: number;
	/** Points taken (positive number). */
	decayed: number;
	/** Whole periods of inactivity applied in this run. */
	periods: number;
	/** The last activity (engagement or points earned), ISO. */
	inactiveSince: string;
	changed: boolean;
}

export interface ScoreRefresh {
	email: string;
	name: string;
	previousPoints: number;
	points: number;
}

export type { DecayRule, Tier };
