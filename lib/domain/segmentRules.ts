/**
 * Segment rules: which contacts belong to a segment.
 *
 * One rule model with two evaluators that must agree on every contact:
 * - in memory, against a contact's facts (`ContactFacts`, e.g. a profile from an input item);
 * - compiled to one parameterized SQL condition over the contact store's tables
 *   (alias `c` for contacts), for SQLite or PostgreSQL.
 *
 * Values from users only ever travel as bound parameters; table and column names come
 * from this module. Text is compared ignoring the case of A–Z (the same folding on both
 * sides: SQLite's lower() and a translate() on PostgreSQL, never locale-dependent);
 * product IDs and SKUs are identifiers and compared exactly.
 * "Days since" is the number of whole days elapsed (floor), compared exactly through
 * timestamp bounds in SQL.
 * Text values are cleaned like stored text (cleanInputText: no NUL, control or invisible
 * characters, NFC), so a value can never break a query and matches what the store holds.
 */
import { InputError } from './errors';
import { cleanInputText } from './values';

export const DAY_MS = 86_400_000;
const MAX_CONDITIONS = 200;
const MAX_DEPTH = 5;
const MAX_TEXT = 1000;

// ------------------------------------------------------------------ catalog

/** How a field is compared. `custom` fields take the kind of their Value Type. */
export type FieldKind = 'number' | 'days' | 'text' | 'choice' | 'boolean' | 'list' | 'views' | 'custom';

/** Facts beyond the profile that a field needs (an input item may lack them). */
export type FactNeed = 'purchases' | 'carts' | 'views' | 'tiers';

export interface FieldSpec {
	label: string;
	kind: FieldKind;
	/** The profile facts the field reads (beside the history in `needs`). */
	facts?: readonly ProfileFact[];
	needs?: FactNeed;
	/** Takes a name: the score's name, or the custom field's key. */
	named?: 'score' | 'customField';
	/** Takes "within the last N days" (0 = any time). */
	window?: boolean;
	/** Allowed values of a choice field. */
	choices?: readonly string[];
}

export const SUBSCRIPTION_STATUS_CHOICES = ['subscribed', 'unsubscribed', 'not_subscribed', 'pending'] as const;
export const BUYER_TYPE_CHOICES = ['none', 'firstTime', 'repeat'] as const;
const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
/** Months 1–12, or "current"/"next" (relative to the reference time, in UTC). */
export const MONTH_CHOICES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', 'current', 'next'] as const;

export const FIELDS = {
	abandonedCartCount: { label: 'Abandoned Carts', kind: 'number', needs: 'carts', window: true },
	averageOrderValue: { label: 'Average Order Value', kind: 'number', facts: ['orderCount', 'totalSpent'] },
	birthMonth: { label: 'Birthday Month', kind: 'choice', facts: ['birthMonth'], choices: MONTH_CHOICES },
	buyerType: { label: 'Buyer Type', kind: 'choice', facts: ['orderCount'], choices: BUYER_TYPE_CHOICES },
	city: { label: 'City', kind: 'text', facts: ['city'] },
	country: { label: 'Country', kind: 'text', facts: ['country'] },
	customField: { label: 'Custom Field', kind: 'custom', facts: ['custom'], named: 'customField' },
	daysSinceFirstOrder: { label: 'Days Since First Order', kind: 'days', facts: ['firstPurchaseAt'] },
	daysSinceLastEngagement: { label: 'Days Since Last Email Engagement', kind: 'days', facts: ['lastEngagementAt'] },
	daysSinceLastOrder: { label: 'Days Since Last Order', kind: 'days', facts: ['lastPurchaseAt'] },
	daysSinceLastVisit: { label: 'Days Since Last Site Visit', kind: 'days', facts: ['lastVisitAt'] },
	daysSinceSignup: { label: 'Days Since Signup', kind: 'days', facts: ['signedUpAt'] },
	hasAbandonedCart: { label: 'Has Abandoned Cart', kind: 'boolean', needs: 'carts', window: true },
	lastOrderValue: { label: 'Last Order Value', kind: 'number', facts: ['lastOrderValue'] },
	orderCount: { label: 'Number of Orders', kind: 'number', facts: ['orderCount'] },
	purchasedProduct: { label: 'Purchased Product ID', kind: 'list', needs: 'purchases', window: true },
	purchasedProductTag: { label: 'Purchased Product Tag', kind: 'list', needs: 'purchases', window: true },
	purchasedProductType: { label: 'Purchased Product Type', kind: 'list', needs: 'purchases', window: true },
	purchasedSku: { label: 'Purchased SKU', kind: 'list', needs: 'purchases', window: true },
	region: { label: 'Region', kind: 'text', facts: ['region'] },
	score: { label: 'Score', kind: 'number', facts: ['scores'], named: 'score' },
	scoreTier: { label: 'Score Tier', kind: 'text', facts: ['tiers'], named: 'score', needs: 'tiers' },
	siteVisits: { label: 'Site Visits', kind: 'number', facts: ['siteVisits'] },
	subscriptionStatus: { label: 'Subscription Status', kind: 'choice', facts: ['status'], choices: SUBSCRIPTION_STATUS_CHOICES },
	suppressed: { label: 'Suppressed', kind: 'boolean', facts: ['suppressed'] },
	tag: { label: 'Tag', kind: 'list', facts: ['tags'] },
	totalSpent: { label: 'Total Spent', kind: 'number', facts: ['totalSpent'] },
	viewedProduct: { label: 'Viewed Product', kind: 'views', needs: 'views', window: true },
} as const satisfies Record<string, FieldSpec>;

export type FieldKey = keyof typeof FIELDS;
export const FIELD_KEYS = Object.keys(FIELDS) as FieldKey[];

export type ValueKind = Exclude<FieldKind, 'custom'>;
export type CustomValueType = 'text' | 'number' | 'boolean';

export const OPERATORS = {
	number: ['equals', 'notEquals', 'gt', 'gte', 'lt', 'lte', 'between', 'isEmpty', 'isNotEmpty'],
	days: ['equals', 'notEquals', 'gt', 'gte', 'lt', 'lte', 'between', 'isEmpty', 'isNotEmpty'],
	text: ['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'endsWith', 'isOneOf', 'isNotOneOf', 'isEmpty', 'isNotEmpty'],
	choice: ['isOneOf', 'isNotOneOf'],
	boolean: ['isTrue', 'isFalse'],
	list: ['includes', 'notIncludes'],
	views: ['includes', 'notIncludes'],
} as const;

export type Operator = (typeof OPERATORS)[ValueKind][number];

const OPERATOR_TEXT: Record<Operator, string> = {
	equals: 'is',
	notEquals: 'is not',
	gt: '>',
	gte: '≥',
	lt: '<',
	lte: '≤',
	between: 'is between',
	isEmpty: 'is empty',
	isNotEmpty: 'is not empty',
	contains: 'contains',
	notContains: 'does not contain',
	startsWith: 'starts with',
	endsWith: 'ends with',
	isOneOf: 'is one of',
	isNotOneOf: 'is not one of',
	isTrue: 'is yes',
	isFalse: 'is no',
	includes: 'has',
	notIncludes: 'has not',
};

// ------------------------------------------------------------------ model

/** A validated condition. Text values are already case-folded. */
export interface Condition {
	field: FieldKey;
	/** The effective kind (a custom field's Value Type resolved). */
	kind: ValueKind;
	operator: Operator;
	/** Text, list and choice values (several for "is one of"). */
	texts: string[];
	/** Number values: [a] or [a, b] for "between". Days are whole days. */
	nums: number[];
	/** Score name or custom field key (exact, case-sensitive). */
	name?: string;
	valueType?: CustomValueType;
	/** "Viewed product at least N times". */
	times: number;
	/** Within the last N days; 0 = any time. */
	withinDays: number;
	/** 1-based position in the rule set, for messages. */
	position: number;
}

export type Combinator = 'and' | 'or';

export interface RuleGroup {
	combinator: Combinator;
	conditions: Array<Condition | RuleGroup>;
}

/** The canonical JSON form of a rule set (what `parseRules` accepts). */
export interface RawCondition {
	field: string;
	operator: string;
	value?: unknown;
	value2?: unknown;
	name?: unknown;
	valueType?: unknown;
	times?: unknown;
	withinDays?: unknown;
}

export interface RawGroup {
	combinator?: unknown;
	conditions?: Array<RawCondition | RawGroup>;
}

export function isGroup(node: Condition | RuleGroup): node is RuleGroup {
	return Array.isArray((node as RuleGroup).conditions);
}

/** The facts a rule can test, for one contact. Times are epoch milliseconds. */
export interface ContactFacts {
	email?: string | null;
	country: string | null;
	region: string | null;
	city: string | null;
	status: string | null;
	suppressed: boolean;
	orderCount: number;
	totalSpent: number;
	lastOrderValue: number | null;
	firstPurchaseAt: number | null;
	lastPurchaseAt: number | null;
	lastEngagementAt: number | null;
	lastVisitAt: number | null;
	signedUpAt: number | null;
	siteVisits: number;
	birthMonth: number | null;
	custom: Record<string, unknown>;
	/** Tags in force (not expired). */
	tags: string[];
	/** Score points by score name. A missing score counts as 0 points. */
	scores: Record<string, number>;
	/** Score tiers by score name; undefined when unknown. */
	tiers?: Record<string, string | null>;
	/** Line items of counted (not cancelled) orders; undefined when unknown. */
	purchases?: Purchase[];
	/** Carts; undefined when unknown. */
	carts?: Array<{ updatedAt: number; convertedAt: number | null }>;
	/** One entry per product view; undefined when unknown. */
	productViews?: Array<{ productId: string; viewedAt: number }>;
	/** Per-product view totals (when per-view times are not known). */
	productViewTotals?: Array<{ productId: string; viewCount: number; firstViewedAt: number; lastViewedAt: number }>;
}

/** The facts of the profile itself (not the history). */
export type ProfileFact = Exclude<keyof ContactFacts, 'purchases' | 'carts' | 'productViews' | 'productViewTotals'>;

export interface Purchase {
	placedAt: number;
	productId: string | null;
	sku: string | null;
	productType: string | null;
	tags: string[];
}

export interface EvalContext {
	/** "Now" (the Reference Time). */
	now: number;
	/** A cart not converted this long after its last update counts as abandoned. */
	abandonedAfterMs: number;
}

// ------------------------------------------------------------------ helpers

/** Folds A–Z to a–z only, exactly like SQLite's lower() and the PostgreSQL translate() below. */
export function fold(text: string): string {
	return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : text;
}

function own(object: Record<string, unknown> | undefined, key: string): unknown {
	return object && Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

export function fieldSpec(field: FieldKey): FieldSpec {
	return FIELDS[field];
}

/** Every condition of a rule set, depth first (the order of per-condition results). */
export function flattenConditions(group: RuleGroup): Condition[] {
	const out: Condition[] = [];
	const walk = (g: RuleGroup) => {
		for (const node of g.conditions) {
			if (isGroup(node)) walk(node);
			else out.push(node);
		}
	};
	walk(group);
	return out;
}

/** The facts beyond the profile that a rule set needs. */
export function factNeeds(groups: RuleGroup[]): Set<FactNeed> {
	const needs = new Set<FactNeed>();
	for (const group of groups) {
		for (const condition of flattenConditions(group)) {
			const need = (FIELDS[condition.field] as FieldSpec).needs;
			if (need) needs.add(need);
		}
	}
	return needs;
}

/** The profile facts a rule set reads (so that only those are taken from an item). */
export function profileFacts(groups: RuleGroup[]): Set<ProfileFact> {
	const facts = new Set<ProfileFact>();
	for (const group of groups) {
		for (const condition of flattenConditions(group)) for (const fact of (FIELDS[condition.field] as FieldSpec).facts ?? []) facts.add(fact);
	}
	return facts;
}

// ------------------------------------------------------------------ parsing

interface ParseState {
	count: number;
	where: string;
	fieldPath: string;
}

/**
 * Validates a rule set in its canonical JSON form and returns the model.
 * `where` names the rule set in messages (e.g. 'Segment "VIP"'), `fieldPath` the
 * node parameter to fix.
 */
export function parseRules(raw: unknown, where = 'Rules', fieldPath = 'conditions'): RuleGroup {
	const state: ParseState = { count: 0, where, fieldPath };
	return parseGroup(raw, state, 0);
}

function parseGroup(raw: unknown, state: ParseState, depth: number): RuleGroup {
	if (depth >= MAX_DEPTH) throw new InputError(`${state.where}: groups are nested more than ${MAX_DEPTH} deep`, state.fieldPath);
	if (raw === undefined || raw === null || raw === '') return { combinator: 'and', conditions: [] };
	if (typeof raw !== 'object' || Array.isArray(raw)) {
		throw new InputError(`${state.where}: a rule group must be an object with "combinator" and "conditions"`, state.fieldPath);
	}
	const group = raw as RawGroup;
	const combinator = group.combinator === undefined || group.combinator === '' ? 'and' : String(group.combinator).toLowerCase();
	if (combinator !== 'and' && combinator !== 'or') {
		throw new InputError(`${state.where}: "Match" must be "and" (all conditions) or "or" (any condition), got ${JSON.stringify(group.combinator)}`, state.fieldPath);
	}
	const list = group.conditions ?? [];
	if (!Array.isArray(list)) throw new InputError(`${state.where}: "conditions" must be a list`, state.fieldPath);
	const conditions: Array<Condition | RuleGroup> = [];
	for (const node of list) {
		if (node && typeof node === 'object' && Array.isArray((node as RawGroup).conditions)) {
			conditions.push(parseGroup(node, state, depth + 1));
		} else {
			state.count++;
			if (state.count > MAX_CONDITIONS) throw new InputError(`${state.where}: more than ${MAX_CONDITIONS} conditions`, state.fieldPath);
			conditions.push(parseCondition(node, state));
		}
	}
	return { combinator, conditions };
}

function parseCondition(raw: unknown, state: ParseState): Condition {
	const position = state.count;
	if (!raw || typeof raw !== 'object') throw new InputError(`${state.where}, condition ${position}: not an object`, state.fieldPath);
	const rc = raw as RawCondition;
	const field = String(rc.field ?? '');
	if (!Object.prototype.hasOwnProperty.call(FIELDS, field)) {
		throw new InputError(`${state.where}, condition ${position}: unknown field ${JSON.stringify(rc.field)}`, state.fieldPath, `Use one of: ${FIELD_KEYS.join(', ')}`);
	}
	const key = field as FieldKey;
	const spec = FIELDS[key] as FieldSpec;
	const at = `${state.where}, condition ${position} (${spec.label})`;
	const fail = (message: string, hint?: string): never => {
		throw new InputError(`${at}: ${message}`, state.fieldPath, hint);
	};

	let name: string | undefined;
	if (spec.named) {
		name = typeof rc.name === 'string' || typeof rc.name === 'number' ? cleanInputText(String(rc.name)).trim() : '';
		if (!name) fail(spec.named === 'score' ? 'the score name is missing (e.g. loyalty)' : 'the custom field name is missing');
		if (name!.length > 200) fail('the name is longer than 200 characters');
		// Score names are stored trimmed and lower-case (Score node); custom field keys are exact.
		if (spec.named === 'score') name = normalizeName(name!);
	}
	let valueType: CustomValueType | undefined;
	let kind: ValueKind;
	if (spec.kind === 'custom') {
		const vt = rc.valueType === undefined || rc.valueType === '' ? 'text' : String(rc.valueType);
		if (vt !== 'text' && vt !== 'number' && vt !== 'boolean') fail(`"Value Type" must be text, number or boolean, got ${JSON.stringify(rc.valueType)}`);
		valueType = vt as CustomValueType;
		kind = valueType;
	} else {
		kind = spec.kind;
	}

	const allowed = OPERATORS[kind] as readonly string[];
	const operator = String(rc.operator ?? '');
	if (!allowed.includes(operator)) {
		fail(`operator ${JSON.stringify(rc.operator)} does not apply here`, `Use one of: ${allowed.join(', ')}`);
	}
	const op = operator as Operator;

	const withinDays = spec.window ? wholeNumber(rc.withinDays, 0, 'Within the Last (Days)', fail) : 0;
	const times = kind === 'views' ? wholeNumber(rc.times, 1, 'Times', fail, 1) : 1;
	const condition: Condition = { field: key, kind, operator: op, texts: [], nums: [], times, withinDays, position };
	if (name !== undefined) condition.name = name;
	if (valueType) condition.valueType = valueType;

	switch (kind) {
		case 'number':
		case 'days': {
			if (op === 'isEmpty' || op === 'isNotEmpty') break;
			const a = number(rc.value, 'Value', fail, kind === 'days');
			condition.nums = [a];
			if (op === 'between') {
				const b = number(rc.value2, 'And', fail, kind === 'days');
				if (b < a) fail(`"between ${a} and ${b}": the second value must not be smaller than the first`);
				condition.nums.push(b);
			}
			break;
		}
		case 'text': {
			if (op === 'isEmpty' || op === 'isNotEmpty') break;
			condition.texts = op === 'isOneOf' || op === 'isNotOneOf' ? textList(rc.value, fail) : [text(rc.value, fail)];
			break;
		}
		case 'choice': {
			const values = textList(rc.value, fail).map((v) => choice(key, v, fail));
			condition.texts = [...new Set(values)];
			break;
		}
		case 'list':
			// Tags are stored trimmed and lower-case (Tag node): a value is normalized the same way.
			// Product IDs and SKUs are identifiers: exact. Types and product tags ignore case.
			if (key === 'tag') condition.texts = [normalizeName(text(rc.value, fail))];
			else if (EXACT_FIELDS.has(key)) condition.texts = [text(rc.value, fail, false)];
			else condition.texts = [text(rc.value, fail)];
			break;
		case 'views': {
			const product = rc.value === undefined || rc.value === null ? '' : cleanInputText(String(rc.value)).trim();
			if (product.length > MAX_TEXT) fail(`the product ID is longer than ${MAX_TEXT} characters`);
			condition.texts = product ? [product] : [];
			break;
		}
		case 'boolean':
			break;
	}
	return condition;
}

/** Trimmed, inner spaces collapsed, lower-case: how tags and score names are stored. */
export function normalizeName(value: string): string {
	return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

function wholeNumber(value: unknown, fallback: number, label: string, fail: (m: string) => never, min = 0): number {
	if (value === undefined || value === null || value === '') return fallback;
	const n = typeof value === 'string' ? Number(value.trim()) : value;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > 100_000) {
		return fail(`"${label}" must be a whole number from ${min} to 100000, got ${JSON.stringify(value)}`);
	}
	return n;
}

function number(value: unknown, label: string, fail: (m: string) => never, days: boolean): number {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return fail(`"${label}" is missing`);
	const n = typeof value === 'string' ? Number(value.trim()) : value;
	if (typeof n !== 'number' || !Number.isFinite(n)) return fail(`"${label}" must be a number, got ${JSON.stringify(value)}`);
	if (days && (!Number.isInteger(n) || n < 0 || n > 100_000)) return fail(`"${label}" must be a whole number of days from 0 to 100000, got ${n}`);
	return n;
}

/** Fields whose values are identifiers, compared exactly (letter case matters). */
const EXACT_FIELDS = new Set<FieldKey>(['purchasedProduct', 'purchasedSku', 'viewedProduct']);

function text(value: unknown, fail: (m: string) => never, ignoreCase = true): string {
	const t = typeof value === 'string' ? cleanInputText(value).trim() : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
	if (!t) return fail('"Value" is missing');
	if (t.length > MAX_TEXT) return fail(`"Value" is longer than ${MAX_TEXT} characters`);
	return ignoreCase ? fold(t) : t;
}

/** A list from an array or a comma-separated text; each item trimmed and folded. */
function textList(value: unknown, fail: (m: string) => never): string[] {
	const items = Array.isArray(value) ? value.map((v) => (v === null || v === undefined ? '' : String(v))) : typeof value === 'string' || typeof value === 'number' ? String(value).split(',') : [];
	const out = items.map((v) => cleanInputText(v).trim()).filter(Boolean);
	if (out.length === 0) return fail('"Value" is missing (give one or more values, separated by commas)');
	for (const v of out) if (v.length > MAX_TEXT) fail(`a value is longer than ${MAX_TEXT} characters`);
	return out.map(fold);
}

function choice(field: FieldKey, value: string, fail: (m: string, hint?: string) => never): string {
	const choices = (FIELDS[field] as FieldSpec).choices!;
	if (field === 'birthMonth') {
		const month = MONTH_NAMES.indexOf(value);
		if (month >= 0) return String(month + 1);
		if (/^\d{1,2}$/.test(value) && Number(value) >= 1 && Number(value) <= 12) return String(Number(value));
	}
	const match = choices.find((c) => fold(c) === value || fold(c).replace(/_/g, ' ') === value);
	if (!match) return fail(`${JSON.stringify(value)} is not one of ${choices.join(', ')}`, `Use one of: ${choices.join(', ')}`);
	return match;
}

// ------------------------------------------------------------------ describing

const descriptions = new WeakMap<Condition, string>();

/** A short human description, e.g. `Total Spent > 100` or `Tag has "vip"`. */
export function describeCondition(c: Condition): string {
	let text = descriptions.get(c);
	if (text === undefined) descriptions.set(c, (text = describe(c)));
	return text;
}

function describe(c: Condition): string {
	const spec = FIELDS[c.field] as FieldSpec;
	let label: string = spec.label;
	if (c.field === 'score') label = `Score "${c.name}"`;
	else if (c.field === 'scoreTier') label = `Tier of score "${c.name}"`;
	else if (c.field === 'customField') label = `Custom field "${c.name}"`;
	const op = OPERATOR_TEXT[c.operator];
	let text: string;
	if (c.kind === 'boolean') text = `${label} ${op}`;
	else if (c.operator === 'isEmpty' || c.operator === 'isNotEmpty') text = `${label} ${op}`;
	else if (c.kind === 'number' || c.kind === 'days') text = c.operator === 'between' ? `${label} is between ${c.nums[0]} and ${c.nums[1]}` : `${label} ${op} ${c.nums[0]}`;
	else if (c.kind === 'views') {
		const what = c.texts.length ? `product "${c.texts[0]}"` : 'any one product';
		text = `${c.operator === 'includes' ? 'Viewed' : 'Did not view'} ${what} at least ${c.times} time${c.times === 1 ? '' : 's'}`;
	} else text = `${label} ${op} ${c.texts.map((t) => JSON.stringify(t)).join(', ')}`;
	if (c.withinDays > 0) text += ` within the last ${c.withinDays} day${c.withinDays === 1 ? '' : 's'}`;
	return text;
}

// ------------------------------------------------------------------ in memory

export type Matcher = (facts: ContactFacts) => boolean;

/** Compiles a rule set into one fast predicate over facts (rules and context read once). */
export function compileMatcher(group: RuleGroup, ctx: EvalContext): Matcher {
	const parts = group.conditions.map((node) => (isGroup(node) ? compileMatcher(node, ctx) : conditionMatcher(node, ctx)));
	if (parts.length === 0) return () => true;
	if (parts.length === 1) return parts[0];
	if (group.combinator === 'and') {
		return (facts) => {
			for (const part of parts) if (!part(facts)) return false;
			return true;
		};
	}
	return (facts) => {
		for (const part of parts) if (part(facts)) return true;
		return false;
	};
}

/** One predicate per condition, in `flattenConditions` order (compile once, apply to many contacts). */
export function compileConditionMatchers(group: RuleGroup, ctx: EvalContext): Matcher[] {
	return flattenConditions(group).map((c) => conditionMatcher(c, ctx));
}

/** Each condition's result, in `flattenConditions` order. */
export function evaluateConditions(group: RuleGroup, facts: ContactFacts, ctx: EvalContext): boolean[] {
	return compileConditionMatchers(group, ctx).map((matcher) => matcher(facts));
}

/** Combines per-condition results (in `flattenConditions` order) into the rule set's result. */
export function combineResults(group: RuleGroup, results: boolean[]): boolean {
	let index = 0;
	const walk = (g: RuleGroup): boolean => {
		const values = g.conditions.map((node) => (isGroup(node) ? walk(node) : results[index++]));
		if (values.length === 0) return true;
		return g.combinator === 'and' ? values.every(Boolean) : values.some(Boolean);
	};
	return walk(group);
}

/** Why a contact is not in the segment: the conditions that failed, described. */
export function explainFailure(group: RuleGroup, results: boolean[]): string[] {
	let index = 0;
	const walk = (g: RuleGroup): { ok: boolean; failed: string[] } => {
		const children = g.conditions.map((node) => {
			if (isGroup(node)) return walk(node);
			const ok = results[index++];
			return { ok, failed: ok ? [] : [describeCondition(node)] };
		});
		if (children.length === 0) return { ok: true, failed: [] };
		if (g.combinator === 'and') {
			const ok = children.every((c) => c.ok);
			return { ok, failed: ok ? [] : children.flatMap((c) => c.failed) };
		}
		const ok = children.some((c) => c.ok);
		const failed = children.flatMap((c) => c.failed);
		return { ok, failed: ok ? [] : failed.length > 1 ? [`none of: ${failed.join('; ')}`] : failed };
	};
	return walk(group).failed;
}

type NumberTest = (x: number | null) => boolean;

function numberTest(op: Operator, nums: number[]): NumberTest {
	const [a, b] = nums;
	switch (op) {
		case 'equals':
			return (x) => x !== null && x === a;
		case 'notEquals':
			return (x) => !(x !== null && x === a);
		case 'gt':
			return (x) => x !== null && x > a;
		case 'gte':
			return (x) => x !== null && x >= a;
		case 'lt':
			return (x) => x !== null && x < a;
		case 'lte':
			return (x) => x !== null && x <= a;
		case 'between':
			return (x) => x !== null && x >= a && x <= b;
		case 'isEmpty':
			return (x) => x === null;
		case 'isNotEmpty':
			return (x) => x !== null;
		default:
			throw new Error(`number operator ${op}`);
	}
}

type TextTest = (x: string | null) => boolean;

function textTest(op: Operator, texts: string[]): TextTest {
	const v = texts[0];
	switch (op) {
		case 'equals':
			return (x) => x !== null && fold(x) === v;
		case 'notEquals':
			return (x) => !(x !== null && fold(x) === v);
		case 'contains':
			return (x) => x !== null && fold(x).includes(v);
		case 'notContains':
			return (x) => !(x !== null && fold(x).includes(v));
		case 'startsWith':
			return (x) => x !== null && fold(x).startsWith(v);
		case 'endsWith':
			return (x) => x !== null && fold(x).endsWith(v);
		case 'isOneOf':
			return (x) => x !== null && texts.includes(fold(x));
		case 'isNotOneOf':
			return (x) => !(x !== null && texts.includes(fold(x)));
		case 'isEmpty':
			return (x) => x === null || x === '';
		case 'isNotEmpty':
			return (x) => !(x === null || x === '');
		default:
			throw new Error(`text operator ${op}`);
	}
}

function isEmptyValue(v: unknown): boolean {
	return v === undefined || v === null || v === '';
}

/** The month (1–12, UTC) a choice value stands for at `now`. */
export function resolveMonth(value: string, now: number): number {
	const current = new Date(now).getUTCMonth() + 1;
	if (value === 'current') return current;
	if (value === 'next') return (current % 12) + 1;
	return Number(value);
}

function missingFacts(c: Condition, what: string): never {
	throw new InputError(
		`"${describeCondition(c)}" needs the contact's ${what}, which this item does not have`,
		'contactSource',
		'Use Contact Source "From the Contact Store", or put a Marketing Contact "Get" node (with the history included) before this node',
	);
}

function conditionMatcher(c: Condition, ctx: EvalContext): Matcher {
	const since = c.withinDays > 0 ? ctx.now - c.withinDays * DAY_MS : -Infinity;
	const positive = c.operator !== 'notIncludes' && c.operator !== 'isFalse';
	switch (c.kind) {
		case 'number': {
			const test = numberTest(c.operator, c.nums);
			if (c.field === 'customField' && (c.operator === 'isEmpty' || c.operator === 'isNotEmpty')) {
				const name = c.name!;
				return c.operator === 'isEmpty' ? (f) => isEmptyValue(own(f.custom, name)) : (f) => !isEmptyValue(own(f.custom, name));
			}
			const get = numberGetter(c, ctx, since);
			return (f) => test(get(f));
		}
		case 'days': {
			const test = numberTest(c.operator, c.nums);
			const get = timeGetter(c.field);
			const now = ctx.now;
			return (f) => {
				const t = get(f);
				return test(t === null ? null : Math.floor((now - t) / DAY_MS));
			};
		}
		case 'text': {
			if (c.field === 'customField' && (c.operator === 'isEmpty' || c.operator === 'isNotEmpty')) {
				const name = c.name!;
				return c.operator === 'isEmpty' ? (f) => isEmptyValue(own(f.custom, name)) : (f) => !isEmptyValue(own(f.custom, name));
			}
			const test = textTest(c.operator, c.texts);
			const get = textGetter(c);
			return (f) => test(get(f));
		}
		case 'choice': {
			const member = choiceMember(c, ctx);
			return c.operator === 'isOneOf' ? member : (f) => !member(f);
		}
		case 'boolean': {
			const get = booleanGetter(c, ctx, since);
			return (f) => get(f) === positive;
		}
		case 'list': {
			const has = listHas(c, since);
			return positive ? has : (f) => !has(f);
		}
		case 'views': {
			const viewed = viewsHas(c, since);
			return positive ? viewed : (f) => !viewed(f);
		}
	}
}

function numberGetter(c: Condition, ctx: EvalContext, since: number): (f: ContactFacts) => number | null {
	switch (c.field) {
		case 'totalSpent':
			return (f) => f.totalSpent;
		case 'orderCount':
			return (f) => f.orderCount;
		case 'lastOrderValue':
			return (f) => f.lastOrderValue;
		case 'averageOrderValue':
			return (f) => (f.orderCount > 0 ? f.totalSpent / f.orderCount : null);
		case 'siteVisits':
			return (f) => f.siteVisits;
		case 'score': {
			const name = c.name!;
			return (f) => {
				const points = own(f.scores, name);
				return typeof points === 'number' ? points : 0;
			};
		}
		case 'abandonedCartCount': {
			const cut = ctx.now - ctx.abandonedAfterMs;
			return (f) => {
				if (!f.carts) return missingFacts(c, 'carts');
				let n = 0;
				for (const cart of f.carts) if (cart.convertedAt === null && cart.updatedAt <= cut && cart.updatedAt >= since) n++;
				return n;
			};
		}
		case 'customField': {
			const name = c.name!;
			return (f) => {
				const v = own(f.custom, name);
				return typeof v === 'number' && Number.isFinite(v) ? v : null;
			};
		}
		default:
			throw new Error(`number field ${c.field}`);
	}
}

function timeGetter(field: FieldKey): (f: ContactFacts) => number | null {
	switch (field) {
		case 'daysSinceLastOrder':
			return (f) => f.lastPurchaseAt;
		case 'daysSinceFirstOrder':
			return (f) => f.firstPurchaseAt;
		case 'daysSinceLastEngagement':
			return (f) => f.lastEngagementAt;
		case 'daysSinceLastVisit':
			return (f) => f.lastVisitAt;
		case 'daysSinceSignup':
			return (f) => f.signedUpAt;
		default:
			throw new Error(`days field ${field}`);
	}
}

function textGetter(c: Condition): (f: ContactFacts) => string | null {
	switch (c.field) {
		case 'country':
			return (f) => f.country;
		case 'region':
			return (f) => f.region;
		case 'city':
			return (f) => f.city;
		case 'scoreTier': {
			const name = c.name!;
			return (f) => {
				if (!f.tiers) return missingFacts(c, 'score tiers');
				const tier = own(f.tiers, name);
				return typeof tier === 'string' ? tier : null;
			};
		}
		case 'customField': {
			const name = c.name!;
			return (f) => {
				const v = own(f.custom, name);
				return typeof v === 'string' ? v : null;
			};
		}
		default:
			throw new Error(`text field ${c.field}`);
	}
}

function choiceMember(c: Condition, ctx: EvalContext): Matcher {
	switch (c.field) {
		case 'subscriptionStatus': {
			const values = c.texts;
			return (f) => f.status !== null && values.includes(f.status);
		}
		case 'buyerType': {
			const none = c.texts.includes('none');
			const first = c.texts.includes('firstTime');
			const repeat = c.texts.includes('repeat');
			return (f) => (none && f.orderCount < 1) || (first && f.orderCount === 1) || (repeat && f.orderCount >= 2);
		}
		case 'birthMonth': {
			const months = c.texts.map((v) => resolveMonth(v, ctx.now));
			return (f) => f.birthMonth !== null && months.includes(f.birthMonth);
		}
		default:
			throw new Error(`choice field ${c.field}`);
	}
}

function booleanGetter(c: Condition, ctx: EvalContext, since: number): (f: ContactFacts) => boolean | null {
	switch (c.field) {
		case 'suppressed':
			return (f) => f.suppressed;
		case 'hasAbandonedCart': {
			const cut = ctx.now - ctx.abandonedAfterMs;
			return (f) => {
				if (!f.carts) return missingFacts(c, 'carts');
				return f.carts.some((cart) => cart.convertedAt === null && cart.updatedAt <= cut && cart.updatedAt >= since);
			};
		}
		case 'customField': {
			const name = c.name!;
			return (f) => {
				const v = own(f.custom, name);
				return typeof v === 'boolean' ? v : null;
			};
		}
		default:
			throw new Error(`boolean field ${c.field}`);
	}
}

function listHas(c: Condition, since: number): Matcher {
	const v = c.texts[0];
	if (c.field === 'tag') return (f) => f.tags.some((t) => fold(t) === v);
	let match: (p: Purchase) => boolean;
	switch (c.field) {
		case 'purchasedProduct':
			match = (p) => p.productId === v;
			break;
		case 'purchasedSku':
			match = (p) => p.sku === v;
			break;
		case 'purchasedProductType':
			match = (p) => p.productType !== null && fold(p.productType) === v;
			break;
		case 'purchasedProductTag':
			match = (p) => p.tags.some((t) => fold(t) === v);
			break;
		default:
			throw new Error(`list field ${c.field}`);
	}
	return (f) => {
		if (!f.purchases) return missingFacts(c, 'orders with their line items');
		return f.purchases.some((p) => p.placedAt >= since && match(p));
	};
}

function viewsHas(c: Condition, since: number): Matcher {
	const product = c.texts[0];
	const times = c.times;
	return (f) => {
		const counts = new Map<string, number>();
		if (f.productViews) {
			for (const view of f.productViews) {
				if (view.viewedAt < since) continue;
				const id = view.productId;
				if (product !== undefined && id !== product) continue;
				counts.set(id, (counts.get(id) ?? 0) + 1);
			}
		} else if (f.productViewTotals) {
			for (const total of f.productViewTotals) {
				const id = total.productId;
				if (product !== undefined && id !== product) continue;
				let n: number;
				if (total.firstViewedAt >= since) n = total.viewCount;
				else if (total.lastViewedAt < since) n = 0;
				else {
					throw new InputError(
						`"${describeCondition(c)}": the item only has view totals for product "${total.productId}", not the time of each view`,
						'contactSource',
						'Use Contact Source "From the Contact Store" to count views within a number of days',
					);
				}
				counts.set(id, (counts.get(id) ?? 0) + n);
			}
		} else {
			return missingFacts(c, 'product views');
		}
		for (const n of counts.values()) if (n >= times) return true;
		return false;
	};
}

// ------------------------------------------------------------------ SQL

export type SqlDialectName = 'sqlite' | 'postgres';
export type SqlParam = string | number | null;

/** Collects bound parameters while SQL is built ($1, $2… in order). */
export class SqlParams {
	readonly values: SqlParam[] = [];
	constructor(readonly dialect: SqlDialectName) {}

	private add(value: SqlParam, pgType: string): string {
		this.values.push(value);
		const placeholder = `$${this.values.length}`;
		return this.dialect === 'postgres' ? `${placeholder}::${pgType}` : placeholder;
	}

	number(value: number): string {
		return this.add(value, 'float8');
	}

	integer(value: number): string {
		return this.add(Math.round(value), 'int8');
	}

	text(value: string): string {
		return this.add(value, 'text');
	}
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Ends an EXISTS subquery about one contact. On PostgreSQL, OFFSET 0 keeps it a per-row
 * lookup through the contact's index: otherwise the planner may turn it into a (semi/anti)
 * join or a hashed subplan over the whole table, which ignores the keyset cursor and reads
 * every contact's rows for each batch.
 */
function perContact(dialect: SqlDialectName): string {
	return dialect === 'postgres' ? ' OFFSET 0' : '';
}

/** SQL that folds A–Z like `fold()`. */
export function foldSql(dialect: SqlDialectName, expression: string): string {
	return dialect === 'sqlite' ? `lower(${expression})` : `translate(${expression}, '${UPPER}', '${UPPER.toLowerCase()}')`;
}

/**
 * One SQL boolean expression (never NULL) for a rule set over contacts `c`, with its
 * values bound in `params`. Callers combine it with keyset pagination or email lookups.
 */
export function compileRulesSql(group: RuleGroup, params: SqlParams, ctx: EvalContext): string {
	const parts = group.conditions.map((node) => (isGroup(node) ? compileRulesSql(node, params, ctx) : compileConditionSql(node, params, ctx)));
	if (parts.length === 0) return 'TRUE';
	if (parts.length === 1) return parts[0];
	return `(${parts.join(group.combinator === 'and' ? ' AND ' : ' OR ')})`;
}

/** One SQL boolean expression (never NULL) per condition, in `flattenConditions` order. */
export function compileConditionsSql(group: RuleGroup, params: SqlParams, ctx: EvalContext): string[] {
	return flattenConditions(group).map((c) => compileConditionSql(c, params, ctx));
}

function compileConditionSql(c: Condition, p: SqlParams, ctx: EvalContext): string {
	const d = p.dialect;
	const since = c.withinDays > 0 ? ctx.now - c.withinDays * DAY_MS : null;
	const negate = (sql: string) => `NOT ${sql}`;
	switch (c.kind) {
		case 'number': {
			if (c.field === 'customField' && (c.operator === 'isEmpty' || c.operator === 'isNotEmpty')) {
				const empty = customEmptySql(c.name!, p);
				return c.operator === 'isEmpty' ? empty : negate(empty);
			}
			return numberSql(numberExpressionSql(c, p, ctx, since), c, p);
		}
		case 'days':
			return daysSql(timeColumn(c.field), c, p, ctx.now);
		case 'text': {
			if (c.field === 'customField' && (c.operator === 'isEmpty' || c.operator === 'isNotEmpty')) {
				const empty = customEmptySql(c.name!, p);
				return c.operator === 'isEmpty' ? empty : negate(empty);
			}
			return textSql(textExpressionSql(c, p), c, p);
		}
		case 'choice': {
			let member: string;
			if (c.field === 'subscriptionStatus') member = `coalesce(c.status IN (${c.texts.map((t) => p.text(t)).join(', ')}), FALSE)`;
			else if (c.field === 'buyerType') {
				const ors: string[] = [];
				if (c.texts.includes('none')) ors.push('c.order_count < 1');
				if (c.texts.includes('firstTime')) ors.push('c.order_count = 1');
				if (c.texts.includes('repeat')) ors.push('c.order_count >= 2');
				member = `(${ors.join(' OR ')})`;
			} else {
				const months = [...new Set(c.texts.map((v) => resolveMonth(v, ctx.now)))];
				member = `coalesce(c.birth_month IN (${months.map((m) => p.integer(m)).join(', ')}), FALSE)`;
			}
			return c.operator === 'isOneOf' ? member : negate(member);
		}
		case 'boolean': {
			let truth: string;
			let falsity: string;
			if (c.field === 'suppressed') {
				truth = '(c.suppressed = 1)';
				falsity = '(c.suppressed <> 1)';
			} else if (c.field === 'hasAbandonedCart') {
				truth = `EXISTS (SELECT 1 FROM carts k WHERE k.contact_id = c.id AND k.converted_at IS NULL AND k.updated_at <= ${p.integer(ctx.now - ctx.abandonedAfterMs)}${since === null ? '' : ` AND k.updated_at >= ${p.integer(since)}`}${perContact(d)})`;
				falsity = negate(truth);
			} else {
				const key = p.text(c.name!);
				if (d === 'sqlite') {
					truth = `coalesce((SELECT j.type = 'true' FROM json_each(c.custom) j WHERE j.key = ${key}), FALSE)`;
					falsity = `coalesce((SELECT j.type = 'false' FROM json_each(c.custom) j WHERE j.key = ${key}), FALSE)`;
				} else {
					truth = `coalesce((c.custom::jsonb -> ${key}) = 'true'::jsonb, FALSE)`;
					falsity = `coalesce((c.custom::jsonb -> ${key}) = 'false'::jsonb, FALSE)`;
				}
			}
			return c.operator === 'isTrue' ? truth : falsity;
		}
		case 'list': {
			const has = listSql(c, p, since, ctx.now);
			return c.operator === 'includes' ? has : negate(has);
		}
		case 'views': {
			const window = since === null ? '' : ` AND e.viewed_at >= ${p.integer(since)}`;
			let has: string;
			if (c.texts.length > 0) {
				has = `((SELECT count(*) FROM product_view_events e WHERE e.contact_id = c.id AND e.product_id = ${p.text(c.texts[0])}${window}) >= ${p.integer(c.times)})`;
			} else {
				has = `EXISTS (SELECT 1 FROM product_view_events e WHERE e.contact_id = c.id${window} GROUP BY e.product_id HAVING count(*) >= ${p.integer(c.times)}${perContact(d)})`;
			}
			return c.operator === 'includes' ? has : negate(has);
		}
	}
}

function numberExpressionSql(c: Condition, p: SqlParams, ctx: EvalContext, since: number | null): string {
	switch (c.field) {
		case 'totalSpent':
			return 'c.total_spent';
		case 'orderCount':
			return 'c.order_count';
		case 'lastOrderValue':
			return 'c.last_order_value';
		case 'averageOrderValue':
			return '(CASE WHEN c.order_count > 0 THEN c.total_spent / c.order_count END)';
		case 'siteVisits':
			return 'c.site_visits';
		case 'score':
			return `coalesce((SELECT ${scorePointsSql(p.dialect, 's', p.integer(ctx.now))} FROM contact_scores s WHERE s.contact_id = c.id AND s.name = ${p.text(c.name!)}), 0)`;
		case 'abandonedCartCount':
			return `(SELECT count(*) FROM carts k WHERE k.contact_id = c.id AND k.converted_at IS NULL AND k.updated_at <= ${p.integer(ctx.now - ctx.abandonedAfterMs)}${since === null ? '' : ` AND k.updated_at >= ${p.integer(since)}`})`;
		case 'customField': {
			const key = p.text(c.name!);
			return p.dialect === 'sqlite'
				? `(SELECT CASE WHEN j.type IN ('integer', 'real') THEN j.value END FROM json_each(c.custom) j WHERE j.key = ${key})`
				: `(CASE WHEN jsonb_typeof(c.custom::jsonb -> ${key}) = 'number' THEN (c.custom::jsonb ->> ${key})::float8 END)`;
		}
		default:
			throw new Error(`number field ${c.field}`);
	}
}

function numberSql(x: string, c: Condition, p: SqlParams): string {
	const [a, b] = c.nums;
	switch (c.operator) {
		case 'equals':
			return `coalesce(${x} = ${p.number(a)}, FALSE)`;
		case 'notEquals':
			return `NOT coalesce(${x} = ${p.number(a)}, FALSE)`;
		case 'gt':
			return `coalesce(${x} > ${p.number(a)}, FALSE)`;
		case 'gte':
			return `coalesce(${x} >= ${p.number(a)}, FALSE)`;
		case 'lt':
			return `coalesce(${x} < ${p.number(a)}, FALSE)`;
		case 'lte':
			return `coalesce(${x} <= ${p.number(a)}, FALSE)`;
		case 'between':
			return `coalesce(${x} BETWEEN ${p.number(a)} AND ${p.number(b)}, FALSE)`;
		case 'isEmpty':
			return `(${x} IS NULL)`;
		case 'isNotEmpty':
			return `(${x} IS NOT NULL)`;
		default:
			throw new Error(`number operator ${c.operator}`);
	}
}

function timeColumn(field: FieldKey): string {
	switch (field) {
		case 'daysSinceLastOrder':
			return 'c.last_purchase_at';
		case 'daysSinceFirstOrder':
			return 'c.first_purchase_at';
		case 'daysSinceLastEngagement':
			return 'c.last_engagement_at';
		case 'daysSinceLastVisit':
			return 'c.last_visit_at';
		case 'daysSinceSignup':
			return 'c.signed_up_at';
		default:
			throw new Error(`days field ${field}`);
	}
}

/**
 * "Whole days since t" compared with d, as bounds on t (exact in integer milliseconds):
 * floor((now − t) / day) ≥ d ⇔ t ≤ now − d·day, and > d ⇔ ≥ d + 1, < d ⇔ not ≥ d.
 */
function daysSql(t: string, c: Condition, p: SqlParams, now: number): string {
	const bound = (days: number) => p.integer(now - days * DAY_MS);
	const [a, b] = c.nums;
	const atLeast = (days: number) => `${t} <= ${bound(days)}`;
	const lessThan = (days: number) => `${t} > ${bound(days)}`;
	switch (c.operator) {
		case 'gte':
			return `coalesce(${atLeast(a)}, FALSE)`;
		case 'gt':
			return `coalesce(${atLeast(a + 1)}, FALSE)`;
		case 'lt':
			return `coalesce(${lessThan(a)}, FALSE)`;
		case 'lte':
			return `coalesce(${lessThan(a + 1)}, FALSE)`;
		case 'equals':
			return `coalesce(${atLeast(a)} AND ${lessThan(a + 1)}, FALSE)`;
		case 'notEquals':
			return `NOT coalesce(${atLeast(a)} AND ${lessThan(a + 1)}, FALSE)`;
		case 'between':
			return `coalesce(${atLeast(a)} AND ${lessThan(b + 1)}, FALSE)`;
		case 'isEmpty':
			return `(${t} IS NULL)`;
		case 'isNotEmpty':
			return `(${t} IS NOT NULL)`;
		default:
			throw new Error(`days operator ${c.operator}`);
	}
}

function textExpressionSql(c: Condition, p: SqlParams): string {
	switch (c.field) {
		case 'country':
			return 'c.country';
		case 'region':
			return 'c.region';
		case 'city':
			return 'c.city';
		case 'scoreTier':
			return `(SELECT s.tier FROM contact_scores s WHERE s.contact_id = c.id AND s.name = ${p.text(c.name!)})`;
		case 'customField': {
			const key = p.text(c.name!);
			return p.dialect === 'sqlite'
				? `(SELECT CASE WHEN j.type = 'text' THEN j.value END FROM json_each(c.custom) j WHERE j.key = ${key})`
				: `(CASE WHEN jsonb_typeof(c.custom::jsonb -> ${key}) = 'string' THEN c.custom::jsonb ->> ${key} END)`;
		}
		default:
			throw new Error(`text field ${c.field}`);
	}
}

function textSql(x: string, c: Condition, p: SqlParams): string {
	const d = p.dialect;
	const fx = foldSql(d, x);
	switch (c.operator) {
		case 'equals':
			return `coalesce(${fx} = ${p.text(c.texts[0])}, FALSE)`;
		case 'notEquals':
			return `NOT coalesce(${fx} = ${p.text(c.texts[0])}, FALSE)`;
		case 'contains':
		case 'notContains': {
			const v = p.text(c.texts[0]);
			const has = d === 'sqlite' ? `coalesce(instr(${fx}, ${v}) > 0, FALSE)` : `coalesce(strpos(${fx}, ${v}) > 0, FALSE)`;
			return c.operator === 'contains' ? has : `NOT ${has}`;
		}
		case 'startsWith': {
			const v = p.text(c.texts[0]);
			return d === 'sqlite' ? `coalesce(substr(${fx}, 1, length(${v})) = ${v}, FALSE)` : `coalesce(left(${fx}, length(${v})) = ${v}, FALSE)`;
		}
		case 'endsWith': {
			const v = p.text(c.texts[0]);
			return d === 'sqlite'
				? `coalesce(length(${fx}) >= length(${v}) AND substr(${fx}, -length(${v})) = ${v}, FALSE)`
				: `coalesce(right(${fx}, length(${v})) = ${v}, FALSE)`;
		}
		case 'isOneOf':
		case 'isNotOneOf': {
			const member = `coalesce(${fx} IN (${c.texts.map((t) => p.text(t)).join(', ')}), FALSE)`;
			return c.operator === 'isOneOf' ? member : `NOT ${member}`;
		}
		case 'isEmpty':
			return `(${x} IS NULL OR ${x} = '')`;
		case 'isNotEmpty':
			return `NOT (${x} IS NULL OR ${x} = '')`;
		default:
			throw new Error(`text operator ${c.operator}`);
	}
}

/**
 * A score's points at `now` (`alias` is a contact_scores row), as the profile shows them:
 * the stored total while no award has expired since it was written, otherwise the sum of
 * the awards still in force; rounded to 2 decimals.
 */
export function scorePointsSql(dialect: SqlDialectName, alias: string, now: string): string {
	const points = `CASE WHEN ${alias}.updated_at <= ${now} AND (${alias}.next_expiry_at IS NULL OR ${alias}.next_expiry_at > ${now}) THEN ${alias}.points
		ELSE (SELECT coalesce(sum(a.points), 0) FROM score_awards a WHERE a.contact_id = ${alias}.contact_id AND a.name = ${alias}.name AND (a.expires_at IS NULL OR a.expires_at > ${now})) END`;
	return dialect === 'sqlite' ? `round(${points}, 2)` : `round((${points})::numeric, 2)::float8`;
}

/** A custom field that is missing, JSON null or an empty string. */
function customEmptySql(name: string, p: SqlParams): string {
	const key = p.text(name);
	if (p.dialect === 'sqlite') {
		return `coalesce((SELECT j.type = 'null' OR (j.type = 'text' AND j.value = '') FROM json_each(c.custom) j WHERE j.key = ${key}), TRUE)`;
	}
	return `coalesce(jsonb_typeof(c.custom::jsonb -> ${key}) = 'null' OR (c.custom::jsonb -> ${key}) = '""'::jsonb, TRUE)`;
}

function listSql(c: Condition, p: SqlParams, since: number | null, now: number): string {
	const d = p.dialect;
	const F = (expression: string) => foldSql(d, expression);
	if (c.field === 'tag') {
		// Tags in force at the reference time only.
		return `EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND ${F('t.tag')} = ${p.text(c.texts[0])} AND (t.expires_at IS NULL OR t.expires_at > ${p.integer(now)})${perContact(d)})`;
	}
	let match: string;
	switch (c.field) {
		case 'purchasedProduct':
			match = `i.product_id = ${p.text(c.texts[0])}`;
			break;
		case 'purchasedSku':
			match = `i.sku = ${p.text(c.texts[0])}`;
			break;
		case 'purchasedProductType':
			match = `${F('i.product_type')} = ${p.text(c.texts[0])}`;
			break;
		case 'purchasedProductTag':
			match =
				d === 'sqlite'
					? `EXISTS (SELECT 1 FROM json_each(i.tags) jt WHERE lower(jt.value) = ${p.text(c.texts[0])})`
					: `EXISTS (SELECT 1 FROM jsonb_array_elements_text(i.tags::jsonb) jt(tag) WHERE ${F('jt.tag')} = ${p.text(c.texts[0])})`;
			break;
		default:
			throw new Error(`list field ${c.field}`);
	}
	const window = since === null ? '' : ` AND o.placed_at >= ${p.integer(since)}`;
	return `EXISTS (SELECT 1 FROM order_items i JOIN orders o ON o.id = i.order_pk WHERE i.contact_id = c.id AND o.counted = 1${window} AND ${match}${perContact(d)})`;
}
