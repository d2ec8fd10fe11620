/**
 * Contact tags: names, groups, engagement states and product-interest tags.
 *
 * A tag is lower-case text such as `vip` or `engagement:engaged`. A group is a
 * prefix ending in ":" (`engagement:`, `interest:`, `tier:`): "Replace Group" keeps
 * at most one tag of a group. Tags may expire; an expired tag no longer counts.
 */
import { InputError } from './errors';
import { cleanInputText, describeType } from './values';

export const DAY_MS = 86_400_000;
export const MAX_TAG_LENGTH = 200;

/** Trimmed, inner whitespace collapsed, lower-cased: tags compare case-insensitively. */
export function normalizeTag(value: unknown, field = 'Tag'): string {
	if (typeof value !== 'string' && typeof value !== 'number') {
		throw new InputError(`"${field}" must be text, got ${describeType(value)}`, field);
	}
	const tag = cleanInputText(String(value)).trim().replace(/\s+/g, ' ').toLowerCase();
	if (!tag) throw new InputError(`"${field}" is empty`, field, 'Enter a tag such as vip or engagement:engaged');
	if (tag.length > MAX_TAG_LENGTH) throw new InputError(`"${field}" is longer than ${MAX_TAG_LENGTH} characters: "${tag.slice(0, 40)}…"`, field);
	if (tag.includes(',')) throw new InputError(`"${field}" contains a comma: "${tag}"`, field, 'Separate several tags with commas, each tag without one');
	return tag;
}

/**
 * A list of tags from a comma-separated string, an array of strings, or one tag.
 * Duplicates are dropped; order is kept.
 */
export function parseTagList(value: unknown, field = 'Tags'): string[] {
	let parts: unknown[];
	if (Array.isArray(value)) parts = value;
	else if (typeof value === 'string') parts = value.split(',');
	else if (typeof value === 'number') parts = [value];
	else if (value === undefined || value === null) parts = [];
	else throw new InputError(`"${field}" must be a comma-separated list or an array of tags`, field);
	const tags: string[] = [];
	for (const part of parts) {
		if (typeof part === 'string' && part.trim() === '') continue;
		const tag = normalizeTag(part, field);
		if (!tags.includes(tag)) tags.push(tag);
	}
	if (tags.length === 0) throw new InputError(`"${field}" has no tag`, field, 'Enter one or more tags, separated by commas');
	return tags;
}

/** A group prefix: normalized like a tag, always ending in ":" (`engagement` → `engagement:`). */
export function normalizeGroup(value: unknown, field = 'Group'): string {
	const group = normalizeTag(value, field);
	return group.endsWith(':') ? group : `${group}:`;
}

/** Puts a tag into a group: `engaged` in `engagement:` → `engagement:engaged`; a tag already in it is kept. */
export function tagInGroup(group: string, tag: string): string {
	return tag.startsWith(group) ? tag : `${group}${tag}`;
}

export function isInGroup(tag: string, group: string): boolean {
	return tag.startsWith(group) && tag.length > group.length;
}

/** When an added tag expires: `days` after `now`, or never (null) for 0 or empty. */
export function tagExpiry(now: number, days: unknown, field = 'Expire After (Days)'): number | null {
	if (days === undefined || days === null || days === '' || days === 0) return null;
	const n = typeof days === 'string' ? Number(days.trim()) : days;
	if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
		throw new InputError(`"${field}" must be a positive number of days (got ${JSON.stringify(days)})`, field);
	}
	return n === 0 ? null : now + Math.round(n * DAY_MS);
}

export function isActiveTag(expiresAt: number | null | undefined, now: number): boolean {
	return expiresAt === null || expiresAt === undefined || Number(expiresAt) > now;
}

// ---------------------------------------------------------------- engagement

export type EngagementState = 'engaged' | 'recent-activity' | 'disengaged' | 'inactive';
export const ENGAGEMENT_STATES: EngagementState[] = ['engaged', 'recent-activity', 'disengaged', 'inactive'];
export const DEFAULT_ENGAGEMENT_GROUP = 'engagement:';

/**
 * Days without engagement after which a contact leaves a state: engaged until 7 days,
 * recent activity until 21, disengaged until 30, inactive after (the classic
 * engagement-tagging recipe).
 */
export interface EngagementThresholds {
	recentActivityAfterDays: number;
	disengagedAfterDays: number;
	inactiveAfterDays: number;
}
export const DEFAULT_ENGAGEMENT_THRESHOLDS: EngagementThresholds = {
	recentActivityAfterDays: 7,
	disengagedAfterDays: 21,
	inactiveAfterDays: 30,
};

export function validateEngagementThresholds(t: EngagementThresholds): EngagementThresholds {
	const fields: Array<[keyof EngagementThresholds, string]> = [
		['recentActivityAfterDays', 'Recent Activity After (Days)'],
		['disengagedAfterDays', 'Disengaged After (Days)'],
		['inactiveAfterDays', 'Inactive After (Days)'],
	];
	for (const [key, label] of fields) {
		const v = t[key];
		if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
			throw new InputError(`"${label}" must be a positive number of days (got ${JSON.stringify(v)})`, label);
		}
	}
	if (!(t.recentActivityAfterDays < t.disengagedAfterDays && t.disengagedAfterDays < t.inactiveAfterDays)) {
		throw new InputError(
			`Engagement thresholds must grow: recent activity after ${t.recentActivityAfterDays}, disengaged after ${t.disengagedAfterDays}, inactive after ${t.inactiveAfterDays} days`,
			'Inactive After (Days)',
			'Use e.g. 7, 21 and 30 days',
		);
	}
	return t;
}

/**
 * The cut-off times for `now`: a contact whose last engagement is after
 * `engagedSince` is engaged, after `recentSince` recent activity, after
 * `disengagedSince` disengaged, otherwise inactive.
 */
export function engagementCutoffs(now: number, t: EngagementThresholds) {
	return {
		engagedSince: now - t.recentActivityAfterDays * DAY_MS,
		recentSince: now - t.disengagedAfterDays * DAY_MS,
		disengagedSince: now - t.inactiveAfterDays * DAY_MS,
	};
}

/** The one engagement state for a last-engagement time at `now`. */
export function engagementState(engagedAt: number, now: number, t: EngagementThresholds = DEFAULT_ENGAGEMENT_THRESHOLDS): EngagementState {
	const c = engagementCutoffs(now, t);
	if (engagedAt > c.engagedSince) return 'engaged';
	if (engagedAt > c.recentSince) return 'recent-activity';
	if (engagedAt > c.disengagedSince) return 'disengaged';
	return 'inactive';
}

export function engagementTag(group: string, state: EngagementState): string {
	return `${group}${state}`;
}

/** The state a tag of the group stands for, or null for any other tag. */
export function stateOfTag(group: string, tag: string): EngagementState | null {
	if (!tag.startsWith(group)) return null;
	const state = tag.slice(group.length) as EngagementState;
	return ENGAGEMENT_STATES.includes(state) ? state : null;
}

/** What counts as engagement: email opens and clicks, site visits, purchases. */
export type EngagementSignal = 'email' | 'siteVisit' | 'purchase';
export const ENGAGEMENT_SIGNALS: EngagementSignal[] = ['email', 'siteVisit', 'purchase'];

export function parseEngagementSignals(value: unknown, field = 'Engagement Signals'): EngagementSignal[] {
	const list = Array.isArray(value) ? value : typeof value === 'string' && value ? value.split(',').map((s) => s.trim()) : [];
	const signals = ENGAGEMENT_SIGNALS.filter((s) => list.includes(s));
	const unknown = list.filter((s) => !ENGAGEMENT_SIGNALS.includes(s as EngagementSignal));
	if (unknown.length > 0) throw new InputError(`Unknown engagement signal ${JSON.stringify(unknown[0])} in "${field}"`, field, `Use ${ENGAGEMENT_SIGNALS.join(', ')}`);
	if (signals.length === 0) throw new InputError(`"${field}" needs at least one signal`, field, `Use ${ENGAGEMENT_SIGNALS.join(', ')}`);
	return signals;
}

/**
 * The last engagement: the latest of the chosen signals and the signup (subscribing
 * is engagement too); a contact with none of them counts from when they were first
 * recorded. So a new subscriber starts as engaged, and an imported contact who
 * signed up long ago and never engaged is inactive.
 */
export function lastEngagement(
	signals: Partial<Record<EngagementSignal, number | null>>,
	chosen: EngagementSignal[],
	signedUpAt: number | null,
	createdAt: number,
): number {
	let latest: number | null = signedUpAt;
	for (const s of chosen) {
		const v = signals[s];
		if (v !== null && v !== undefined && (latest === null || v > latest)) latest = v;
	}
	return latest ?? createdAt;
}

// ---------------------------------------------------------------- product interest

export const DEFAULT_INTEREST_GROUP = 'interest:';

/** A readable tag part: "Espresso Grinder (Black)" → "espresso-grinder-black". Letters of any script are kept. */
export function slugify(text: string): string {
	return text
		.normalize('NFKC')
		.toLowerCase()
		.replace(/[^\p{L}\p{N}]+/gu, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 120);
}

export interface ViewCount {
	productId: string;
	title: string | null;
	productType: string | null;
	views: number;
}

export interface Interest {
	tag: string;
	kind: 'product' | 'category';
	/** The product id (product interest) or the category name (category interest). */
	key: string;
	name: string;
	views: number;
	productIds: string[];
}

export interface InterestRule {
	group: string;
	minViews: number;
	products: boolean;
	categories: boolean;
	/** Product tags named after the product title (fallback: id), or after the id. */
	productTagFrom: 'title' | 'id';
}

/** Products and categories viewed at least `minViews` times, with their tags. */
export function interestsFromViews(counts: ViewCount[], rule: InterestRule): Interest[] {
	const interests: Interest[] = [];
	const seen = new Set<string>();
	const push = (interest: Interest) => {
		if (!interest.tag.slice(rule.group.length) || seen.has(interest.tag)) return;
		seen.add(interest.tag);
		interests.push(interest);
	};
	if (rule.products) {
		for (const c of counts) {
			if (c.views < rule.minViews) continue;
			const name = rule.productTagFrom === 'title' && c.title ? c.title : c.productId;
			push({ tag: `${rule.group}${slugify(name)}`, kind: 'product', key: c.productId, name, views: c.views, productIds: [c.productId] });
		}
	}
	if (rule.categories) {
		const byCategory = new Map<string, { name: string; views: number; productIds: string[] }>();
		for (const c of counts) {
			if (!c.productType || !c.productType.trim()) continue;
			const slug = slugify(c.productType);
			const entry = byCategory.get(slug) ?? { name: c.productType.trim(), views: 0, productIds: [] };
			entry.views += c.views;
			entry.productIds.push(c.productId);
			byCategory.set(slug, entry);
		}
		for (const [slug, entry] of byCategory) {
			if (entry.views < rule.minViews) continue;
			push({ tag: `${rule.group}${slug}`, kind: 'category', key: entry.name, name: entry.name, views: entry.views, productIds: entry.productIds });
		}
	}
	return interests;
}
