import {
	anchorLabel,
	createSchedule,
	DAY_MS,
	dueStepFields,
	dueWindows,
	HOUR_MS,
	latestPassedIndex,
	parseOffsets,
	positionOf,
	sequenceKind,
	sequenceSchedule,
	windowIndexOf,
	type Schedule,
} from '../../lib/domain/dueSteps';
import { InputError } from '../../lib/domain/errors';

const A = Date.parse('2026-01-01T00:00:00Z');
// 1 h, 24 h, 72 h: the abandoned-cart series.
const cart = sequenceSchedule([1, 24, 72].map((h) => h * HOUR_MS), (_, o) => `${o / HOUR_MS}h`);
const at = (hours: number) => A + hours * HOUR_MS;

describe('createSchedule', () => {
	it('rejects empty, unnamed, duplicate, negative, fractional and unordered steps', () => {
		expect(() => createSchedule([])).toThrow('The schedule has no steps');
		expect(() => createSchedule([{ name: '', kind: 'first', offsetMs: 0 }])).toThrow('Step 1 has no name');
		expect(() =>
			createSchedule([
				{ name: 'a', kind: 'first', offsetMs: 0 },
				{ name: 'a', kind: 'final', offsetMs: 1 },
			]),
		).toThrow('Two steps are named "a"');
		expect(() => createSchedule([{ name: 'a', kind: 'first', offsetMs: -1 }])).toThrow('invalid time');
		expect(() => createSchedule([{ name: 'a', kind: 'first', offsetMs: 1.5 }])).toThrow('invalid time');
		expect(() =>
			createSchedule([
				{ name: 'a', kind: 'first', offsetMs: 5 },
				{ name: 'b', kind: 'final', offsetMs: 5 },
			]),
		).toThrow('Step "b" must come after step "a"');
		expect(() => createSchedule([{ name: 'a', kind: 'first', offsetMs: 0 }], { lateLimitMs: 0 })).toThrow(InputError);
	});

	it('names kinds first / follow-up / final, and a single step "first"', () => {
		expect(cart.steps.map((s) => `${s.name}:${s.kind}`)).toEqual(['1h:first', '24h:follow-up', '72h:final']);
		expect([0, 1, 2, 3].map((i) => sequenceKind(i, 4))).toEqual(['first', 'follow-up', 'follow-up', 'final']);
		expect(sequenceKind(0, 1)).toBe('first');
		expect(Object.isFrozen(cart.steps)).toBe(true);
	});
});

describe('positionOf', () => {
	it('waits for the first step until exactly its time, then it is due', () => {
		expect(positionOf(cart, A, at(1) - 1)).toMatchObject({ status: 'notStarted', next: { index: 0, at: at(1) }, skipped: [], lastClaimedIndex: -1 });
		const due = positionOf(cart, A, at(1));
		expect(due).toMatchObject({ status: 'due', due: { index: 0, at: at(1) }, next: { index: 1, at: at(24) }, skipped: [] });
		expect(latestPassedIndex(cart, A, at(24) - 1)).toBe(0);
		expect(latestPassedIndex(cart, A, at(24))).toBe(1);
	});

	it('a claimed step waits for the next one; the last claimed is complete', () => {
		expect(positionOf(cart, A, at(5), [0])).toMatchObject({ status: 'waiting', latest: { index: 0 }, next: { index: 1 }, lastClaimedIndex: 0 });
		expect(positionOf(cart, A, at(30), [0])).toMatchObject({ status: 'due', due: { index: 1 }, skipped: [] });
		expect(positionOf(cart, A, at(100), [0, 1, 2])).toMatchObject({ status: 'complete', skipped: [] });
		expect(positionOf(cart, A, at(100), [0, 1, 2]).next).toBeUndefined();
	});

	it('found late, only the latest due step is due and the older ones are reported skipped', () => {
		const late = positionOf(cart, A, at(80));
		expect(late.status).toBe('due');
		expect(late.due?.index).toBe(2);
		expect(late.skipped.map((s) => s.step.name)).toEqual(['1h', '24h']);
		expect(late.next).toBeUndefined();
		const partly = positionOf(cart, A, at(80), [0]);
		expect(partly.skipped.map((s) => s.step.name)).toEqual(['24h']);
		// Once the late step is claimed, the skipped one stays skipped.
		expect(positionOf(cart, A, at(90), [0, 2])).toMatchObject({ status: 'complete', skipped: [{ index: 1 }] });
	});

	it('never brings an older step after a newer one, even when "now" moves back', () => {
		const back = positionOf(cart, A, at(2), [1]);
		expect(back).toMatchObject({ status: 'waiting', next: { index: 2 }, lastClaimedIndex: 1 });
		expect(back.due).toBeUndefined();
		expect(positionOf(cart, A, at(0), [0])).toMatchObject({ status: 'waiting', next: { index: 1 } });
	});

	it('with a late limit, a step that passed longer ago is missed (not sent), the next one still comes', () => {
		const limited = sequenceSchedule([1, 24, 72].map((h) => h * HOUR_MS), (_, o) => `${o / HOUR_MS}h`, { lateLimitMs: 12 * HOUR_MS });
		expect(positionOf(limited, A, at(13) - 1)).toMatchObject({ status: 'due', due: { index: 0 } });
		expect(positionOf(limited, A, at(13))).toMatchObject({ status: 'missed', latest: { index: 0 }, next: { index: 1 }, skipped: [{ index: 0 }] });
		expect(positionOf(limited, A, at(30))).toMatchObject({ status: 'due', due: { index: 1 }, skipped: [{ index: 0 }] });
		const stale = positionOf(limited, A, at(500));
		expect(stale).toMatchObject({ status: 'missed', latest: { index: 2 } });
		expect(stale.next).toBeUndefined();
	});

	it('rejects an anchor or "now" that is not a time', () => {
		expect(() => positionOf(cart, Number.NaN, A)).toThrow(InputError);
	});
});

describe('dueWindows', () => {
	it('gives each step the anchor range in which it is the latest passed step', () => {
		const now = at(100);
		expect(dueWindows(cart, now)).toEqual([
			{ index: 0, fromAnchor: now - 24 * HOUR_MS + 1, toAnchor: now - HOUR_MS },
			{ index: 1, fromAnchor: now - 72 * HOUR_MS + 1, toAnchor: now - 24 * HOUR_MS },
			{ index: 2, fromAnchor: Number.MIN_SAFE_INTEGER, toAnchor: now - 72 * HOUR_MS },
		]);
	});

	it('agrees with positionOf for every anchor, claims and late limit (what the SQL sweeps rely on)', () => {
		const schedules: Schedule[] = [
			cart,
			sequenceSchedule([1, 24, 72].map((h) => h * HOUR_MS), (_, o) => `${o}`, { lateLimitMs: 10 * HOUR_MS }),
			sequenceSchedule([0, 1, 2, 3, 4, 5, 6].map((d) => d * DAY_MS), (_, o) => `${o}`, { lateLimitMs: DAY_MS }),
			createSchedule([{ name: 'once', kind: 'birthday', offsetMs: 0 }], { lateLimitMs: 2 * DAY_MS }),
		];
		let seed = 7;
		const random = () => {
			seed = (seed * 1103515245 + 12345) % 2 ** 31;
			return seed / 2 ** 31;
		};
		const now = at(1000);
		for (const schedule of schedules) {
			const windows = dueWindows(schedule, now);
			const last = schedule.steps[schedule.steps.length - 1].offsetMs;
			for (let n = 0; n < 2000; n++) {
				// Anchors around every boundary, to the millisecond.
				const boundary = schedule.steps[Math.floor(random() * schedule.steps.length)].offsetMs;
				const anchor = random() < 0.5 ? now - boundary + Math.floor(random() * 5) - 2 : now - Math.floor(random() * (last * 2 + DAY_MS));
				const claims = schedule.steps.map((_, i) => i).filter(() => random() < 0.3);
				const position = positionOf(schedule, anchor, now, claims);
				const index = windowIndexOf(windows, anchor);
				const sqlDue = index >= 0 && claims.every((c) => c < index);
				expect({ anchor, claims, due: position.status === 'due' ? position.due!.index : -1 }).toEqual({
					anchor,
					claims,
					due: sqlDue ? index : -1,
				});
			}
		}
	});
});

describe('dueStepFields', () => {
	it('gives the output fields of a due step, with a campaign run unique per anchor', () => {
		const position = positionOf(cart, A, at(30), [0]);
		expect(dueStepFields('abandoned-cart', cart, A, position)).toEqual({
			campaign: 'abandoned-cart',
			campaignRun: 'abandoned-cart@2026-01-01T00:00:00Z',
			step: 'follow-up',
			stepIndex: 1,
			stepName: '24h',
			totalSteps: 3,
			anchorAt: '2026-01-01T00:00:00.000Z',
			dueAt: '2026-01-02T00:00:00.000Z',
			nextStep: '72h',
			nextStepAt: '2026-01-04T00:00:00.000Z',
			skippedSteps: [],
		});
		expect(dueStepFields('x', cart, A, position, 'cart-9').campaignRun).toBe('x@cart-9');
		expect(anchorLabel(A + 5)).toBe('2026-01-01T00:00:00.005Z');
		expect(() => dueStepFields('x', cart, A, positionOf(cart, A, A))).toThrow();
	});
});

describe('parseOffsets', () => {
	it('reads comma or space separated numbers, arrays and single numbers', () => {
		expect(parseOffsets('1, 24, 72', 'Hours', HOUR_MS, 'hours')).toEqual([HOUR_MS, 24 * HOUR_MS, 72 * HOUR_MS]);
		expect(parseOffsets('0 1;2', 'Days', DAY_MS, 'days')).toEqual([0, DAY_MS, 2 * DAY_MS]);
		expect(parseOffsets([0.5, '2'], 'Hours', HOUR_MS, 'hours')).toEqual([HOUR_MS / 2, 2 * HOUR_MS]);
		expect(parseOffsets(3, 'Days', DAY_MS, 'days')).toEqual([3 * DAY_MS]);
	});

	it('rejects empty lists, junk, negatives and unordered or repeated times, naming the field', () => {
		expect(() => parseOffsets('', 'Hours', HOUR_MS, 'hours')).toThrow('"Hours" is empty');
		expect(() => parseOffsets('1, soon', 'Hours', HOUR_MS, 'hours')).toThrow('"Hours" has an invalid time: "soon"');
		expect(() => parseOffsets('-1', 'Hours', HOUR_MS, 'hours')).toThrow('invalid time');
		expect(() => parseOffsets('24, 1', 'Hours', HOUR_MS, 'hours')).toThrow('"Hours" must list each time once, in increasing order (got 24, 1)');
		expect(() => parseOffsets('1, 1', 'Hours', HOUR_MS, 'hours')).toThrow('increasing order');
		expect(() => parseOffsets(Array.from({ length: 51 }, (_, i) => i), 'Days', DAY_MS, 'days')).toThrow('more than 50 steps');
	});
});
