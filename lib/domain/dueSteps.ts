import { InputError } from './errors';

/**
 * The due-step engine behind every timed flow (win-back windows, abandoned-cart
 * reminders, drips, date-based emails): a schedule is a list of named steps at
 * fixed offsets from an anchor time (the last purchase, a cart's last activity,
 * an enrollment date, a birthday...).
 *
 * At any moment at most one step is due: the LATEST step whose time has passed,
 * as long as neither it nor a later step has been claimed for this anchor. A
 * contact discovered late therefore gets only that latest step; the older steps
 * are skipped (and reported as skipped), never sent in a burst. With a late
 * limit, a step that passed longer ago than the limit is not sent at all
 * ("missed"): nobody gets a "your cart is waiting" email about a month-old cart.
 *
 * Claims live in the contact store, one per (contact, campaign, anchor, step):
 * when the anchor moves (a new purchase, a new enrollment, another year), the
 * claims of the old anchor no longer count and the schedule starts afresh.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface ScheduleStep {
	/** Unique name, e.g. "first", "follow-up-1", "after-24h", "day-3". */
	readonly name: string;
	/** What kind of step it is, e.g. "first", "follow-up", "final", "expired". */
	readonly kind: string;
	/** Time from the anchor to this step, in milliseconds. */
	readonly offsetMs: number;
}

export interface Schedule {
	/** Steps in ascending offset order (strictly increasing). */
	readonly steps: readonly ScheduleStep[];
	/** How late a step may still be sent, in milliseconds; undefined means no limit. */
	readonly lateLimitMs?: number;
}

/** Validates and freezes a schedule. */
export function createSchedule(steps: ScheduleStep[], options: { lateLimitMs?: number } = {}): Schedule {
	if (steps.length === 0) throw new InputError('The schedule has no steps', 'steps');
	const names = new Set<string>();
	steps.forEach((step, i) => {
		if (!step.name) throw new InputError(`Step ${i + 1} has no name`, 'steps');
		if (names.has(step.name)) throw new InputError(`Two steps are named "${step.name}"`, 'steps');
		names.add(step.name);
		if (!Number.isFinite(step.offsetMs) || step.offsetMs < 0 || !Number.isInteger(step.offsetMs)) {
			throw new InputError(`Step "${step.name}" has an invalid time (${step.offsetMs} ms)`, 'steps');
		}
		if (i > 0 && step.offsetMs <= steps[i - 1].offsetMs) {
			throw new InputError(`Step "${step.name}" must come after step "${steps[i - 1].name}"`, 'steps', 'List the step times in increasing order, each one different');
		}
	});
	const { lateLimitMs } = options;
	if (lateLimitMs !== undefined && (!Number.isFinite(lateLimitMs) || lateLimitMs <= 0)) {
		throw new InputError(`The late limit must be positive (got ${lateLimitMs} ms)`, 'lateLimit');
	}
	return Object.freeze({
		steps: Object.freeze(steps.map((s) => Object.freeze({ ...s }))),
		...(lateLimitMs !== undefined ? { lateLimitMs } : {}),
	});
}

/** Kind of the i-th of n steps in a plain sequence: first, follow-up…, final (a single step is "first"). */
export function sequenceKind(index: number, count: number): string {
	if (index === 0) return 'first';
	return index === count - 1 ? 'final' : 'follow-up';
}

/** A schedule of steps at the given offsets, named by `name`, with first / follow-up / final kinds. */
export function sequenceSchedule(
	offsetsMs: number[],
	name: (index: number, offsetMs: number) => string,
	options: { lateLimitMs?: number } = {},
): Schedule {
	return createSchedule(
		offsetsMs.map((offsetMs, i) => ({ name: name(i, offsetMs), kind: sequenceKind(i, offsetsMs.length), offsetMs })),
		options,
	);
}

export interface StepAt {
	index: number;
	step: ScheduleStep;
	/** When the step falls due (anchor + offset), epoch ms. */
	at: number;
}

export type PositionStatus =
	/** No step has come yet: `next` is the first step. */
	| 'notStarted'
	/** `due` is to be sent now. */
	| 'due'
	/** The latest step that came is claimed; `next` is the one after it. */
	| 'waiting'
	/** The latest step that came is past the late limit and will not be sent; `next` may follow. */
	| 'missed'
	/** The last step is claimed (or came and is claimed): nothing more will be due. */
	| 'complete';

export interface Position {
	status: PositionStatus;
	/** The step to send now (status "due"). */
	due?: StepAt;
	/** The latest step whose time has passed (undefined while "notStarted"). */
	latest?: StepAt;
	/** The step after the current one, and when it falls due. */
	next?: StepAt;
	/** Steps whose time passed without a claim and that will never be sent. */
	skipped: StepAt[];
	/** Index of the highest claimed step, -1 if none. */
	lastClaimedIndex: number;
}

export function stepAt(schedule: Schedule, anchorMs: number, index: number): StepAt | undefined {
	const step = schedule.steps[index];
	return step ? { index, step, at: anchorMs + step.offsetMs } : undefined;
}

/** Index of the latest step whose time has passed at `nowMs` (-1 if none yet). */
export function latestPassedIndex(schedule: Schedule, anchorMs: number, nowMs: number): number {
	const age = nowMs - anchorMs;
	let latest = -1;
	for (let i = 0; i < schedule.steps.length && schedule.steps[i].offsetMs <= age; i++) latest = i;
	return latest;
}

/**
 * Where an anchor stands in a schedule at `nowMs`, given the step indexes already
 * claimed for this anchor: which step is due (at most one), which were skipped, and
 * which comes next.
 */
export function positionOf(schedule: Schedule, anchorMs: number, nowMs: number, claimedIndexes: Iterable<number> = []): Position {
	if (!Number.isFinite(anchorMs) || !Number.isFinite(nowMs)) throw new InputError('The anchor time and "now" must be dates', 'anchor');
	const claimed = new Set(claimedIndexes);
	const lastClaimedIndex = claimed.size === 0 ? -1 : Math.max(...claimed);
	const last = schedule.steps.length - 1;
	const latestIndex = latestPassedIndex(schedule, anchorMs, nowMs);
	const at = (i: number) => stepAt(schedule, anchorMs, i);
	const skippedBelow = (bound: number) => {
		const out: StepAt[] = [];
		for (let i = 0; i < bound && i <= last; i++) if (!claimed.has(i)) out.push(at(i)!);
		return out;
	};

	if (latestIndex < 0 && lastClaimedIndex < 0) {
		return { status: 'notStarted', next: at(0), skipped: [], lastClaimedIndex };
	}
	if (lastClaimedIndex >= latestIndex) {
		// The latest step (or, when "now" was moved back, a later one) is already claimed.
		return {
			status: lastClaimedIndex >= last ? 'complete' : 'waiting',
			...(latestIndex >= 0 ? { latest: at(latestIndex) } : {}),
			...(lastClaimedIndex < last ? { next: at(lastClaimedIndex + 1) } : {}),
			skipped: skippedBelow(lastClaimedIndex),
			lastClaimedIndex,
		};
	}
	const latest = at(latestIndex)!;
	const next = at(latestIndex + 1);
	if (schedule.lateLimitMs !== undefined && nowMs - latest.at >= schedule.lateLimitMs) {
		return { status: 'missed', latest, ...(next ? { next } : {}), skipped: skippedBelow(latestIndex + 1), lastClaimedIndex };
	}
	return { status: 'due', due: latest, latest, ...(next ? { next } : {}), skipped: skippedBelow(latestIndex), lastClaimedIndex };
}

/** Anchors (inclusive range, epoch ms) for which step `index` is the latest passed step within the late limit. */
export interface DueWindow {
	index: number;
	fromAnchor: number;
	toAnchor: number;
}

/**
 * The due windows at `nowMs`, as anchor ranges: step i is the latest step (and not
 * too late) exactly when the anchor lies in its window. Set-based sweeps select
 * contacts by these ranges over an indexed anchor column, then keep those with no
 * claim at or after that step.
 */
export function dueWindows(schedule: Schedule, nowMs: number): DueWindow[] {
	const windows: DueWindow[] = [];
	const { steps, lateLimitMs } = schedule;
	for (let i = 0; i < steps.length; i++) {
		const toAnchor = nowMs - steps[i].offsetMs;
		let fromAnchor = i < steps.length - 1 ? nowMs - steps[i + 1].offsetMs + 1 : Number.MIN_SAFE_INTEGER;
		if (lateLimitMs !== undefined) fromAnchor = Math.max(fromAnchor, toAnchor - lateLimitMs + 1);
		if (fromAnchor <= toAnchor) windows.push({ index: i, fromAnchor, toAnchor });
	}
	return windows;
}

/** The step whose due window holds `anchorMs`, or -1. */
export function windowIndexOf(windows: DueWindow[], anchorMs: number): number {
	for (const w of windows) if (anchorMs >= w.fromAnchor && anchorMs <= w.toAnchor) return w.index;
	return -1;
}

/** The output fields every due-step item carries. */
export interface DueStepFields {
	campaign: string;
	/**
	 * The campaign and this anchor, e.g. "winback@2026-03-01T10:00:00Z": unique per run of the
	 * flow for a contact, to use as the Campaign of a send guard so a contact who comes back
	 * into the flow later gets its emails again.
	 */
	campaignRun: string;
	/** Kind of step: first, follow-up, final, expired (or the flow's own kind). */
	step: string;
	/** 0-based position of the step in the schedule. */
	stepIndex: number;
	stepName: string;
	totalSteps: number;
	anchorAt: string;
	dueAt: string;
	nextStep: string | null;
	nextStepAt: string | null;
	/** Steps that passed unsent because the contact was found late (never sent in a burst). */
	skippedSteps: string[];
}

/** An anchor time as a short, exact label: 2026-03-01T10:00:00Z (milliseconds only when present). */
export function anchorLabel(anchorMs: number): string {
	return new Date(anchorMs).toISOString().replace('.000Z', 'Z');
}

export function dueStepFields(campaign: string, schedule: Schedule, anchorMs: number, position: Position, runLabel = anchorLabel(anchorMs)): DueStepFields {
	const due = position.due ?? position.latest;
	if (!due) throw new Error('dueStepFields needs a position with a step');
	return {
		campaign,
		campaignRun: `${campaign}@${runLabel}`,
		step: due.step.kind,
		stepIndex: due.index,
		stepName: due.step.name,
		totalSteps: schedule.steps.length,
		anchorAt: new Date(anchorMs).toISOString(),
		dueAt: new Date(due.at).toISOString(),
		nextStep: position.next?.step.name ?? null,
		nextStepAt: position.next ? new Date(position.next.at).toISOString() : null,
		skippedSteps: position.skipped.map((s) => s.step.name),
	};
}

/**
 * Parses a list of step times such as "1, 24, 72" (in `unitMs` units) into sorted,
 * distinct offsets. Accepts numbers, arrays and comma/space separated text.
 */
export function parseOffsets(value: unknown, field: string, unitMs: number, unitName: string): number[] {
	const parts: unknown[] = Array.isArray(value)
		? value
		: typeof value === 'number'
			? [value]
			: String(value ?? '')
					.split(/[\s,;]+/)
					.filter((p) => p !== '');
	if (parts.length === 0) throw new InputError(`"${field}" is empty`, field, `List the step times in ${unitName}, e.g. 1, 24, 72`);
	const offsets = parts.map((part) => {
		const n = typeof part === 'number' ? part : Number(String(part).trim());
		if (!Number.isFinite(n) || n < 0) {
			throw new InputError(`"${field}" has an invalid time: ${JSON.stringify(part)}`, field, `Use numbers of ${unitName} (0 or more), separated by commas`);
		}
		return Math.round(n * unitMs);
	});
	for (let i = 1; i < offsets.length; i++) {
		if (offsets[i] <= offsets[i - 1]) {
			throw new InputError(`"${field}" must list each time once, in increasing order (got ${parts.join(', ')})`, field);
		}
	}
	if (offsets.length > 50) throw new InputError(`"${field}" has more than 50 steps`, field);
	return offsets;
}
