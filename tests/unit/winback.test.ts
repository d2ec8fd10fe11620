import { DAY_MS, positionOf } from '../../lib/domain/dueSteps';
import {
	describeWinbackSchedule,
	followUpDays,
	parseWinbackTiming,
	WINBACK_DEFAULTS,
	winbackSchedule,
	winbackStanding,
} from '../../lib/domain/winback';

const A = Date.parse('2026-01-01T10:00:00Z');
const day = (n: number) => A + n * DAY_MS;
const schedule = winbackSchedule();

describe('win-back timing', () => {
	it('defaults: first at 90 days, follow-ups at 150 and 210, final at 270, expiry 30 days later', () => {
		expect(WINBACK_DEFAULTS).toEqual({ firstAfterDays: 90, followUpEveryDays: 60, finalAfterDays: 270, expireAfterDays: 30 });
		expect(schedule.steps.map((s) => [s.name, s.kind, s.offsetMs / DAY_MS])).toEqual([
			['first', 'first', 90],
			['follow-up-1', 'follow-up', 150],
			['follow-up-2', 'follow-up', 210],
			['final', 'final', 270],
			['expired', 'expired', 300],
		]);
		expect(schedule.lateLimitMs).toBeUndefined();
		expect(describeWinbackSchedule(schedule)).toBe('first at day 90, follow-ups at days 150 and 210, final at day 270, expiry at day 300');
	});

	it('spreads follow-ups evenly in the fewest gaps no longer than the interval', () => {
		expect(followUpDays(90, 270, 60)).toEqual([150, 210]);
		expect(followUpDays(90, 270, 45)).toEqual([135, 180, 225]);
		expect(followUpDays(90, 270, 50)).toEqual([135, 180, 225]);
		expect(followUpDays(90, 270, 30)).toEqual([120, 150, 180, 210, 240]);
		expect(followUpDays(90, 270, 180)).toEqual([]);
		expect(followUpDays(90, 270, 365)).toEqual([]);
		expect(followUpDays(90, 260, 60)).toEqual([147, 203]);
		expect(followUpDays(1, 2, 1)).toEqual([]);
		expect(followUpDays(1, 4, 1)).toEqual([2, 3]);
		expect(describeWinbackSchedule(winbackSchedule({ ...WINBACK_DEFAULTS, followUpEveryDays: 90 }))).toBe(
			'first at day 90, follow-up at day 180, final at day 270, expiry at day 300',
		);
	});

	it('validates whole days, accepts numeric strings, and wants the final email after the first', () => {
		expect(parseWinbackTiming({})).toEqual(WINBACK_DEFAULTS);
		expect(parseWinbackTiming({ firstAfterDays: '60', finalAfterDays: 180 })).toMatchObject({ firstAfterDays: 60, finalAfterDays: 180 });
		expect(() => parseWinbackTiming({ firstAfterDays: 90, finalAfterDays: 90 })).toThrow(
			'"Final Email After (Days)" (90) must be later than "First Email After (Days)" (90)',
		);
		expect(() => parseWinbackTiming({ firstAfterDays: 1.5 })).toThrow('"First Email After (Days)" must be a whole number of days, at least 1 (got 1.5)');
		expect(() => parseWinbackTiming({ followUpEveryDays: 0 })).toThrow('"Follow-Up Every (Days)"');
		expect(() => parseWinbackTiming({ expireAfterDays: 'soon' })).toThrow('"Expire After Final (Days)"');
	});
});

describe('where a contact stands', () => {
	it('not in the window without an anchor; waiting for the first email before day 90', () => {
		expect(winbackStanding(schedule, null, day(500), [], false)).toEqual({ status: 'notInWindow', reason: 'noAnchor' });
		const waiting = winbackStanding(schedule, A, day(90) - 1, [], false);
		expect(waiting.status).toBe('waitingForFirst');
		expect(waiting.position?.next?.at).toBe(day(90));
	});

	it('walks first → follow-ups → final → done → expired as steps are claimed', () => {
		expect(winbackStanding(schedule, A, day(90), [], false)).toMatchObject({ status: 'due', position: { due: { index: 0 } } });
		expect(winbackStanding(schedule, A, day(100), [0], false)).toMatchObject({ status: 'waitingForNext', position: { next: { index: 1, at: day(150) } } });
		expect(winbackStanding(schedule, A, day(150), [0], false)).toMatchObject({ status: 'due', position: { due: { step: { name: 'follow-up-1' } } } });
		expect(winbackStanding(schedule, A, day(270), [0, 1, 2], false)).toMatchObject({ status: 'due', position: { due: { step: { name: 'final' } } } });
		expect(winbackStanding(schedule, A, day(280), [0, 1, 2, 3], false)).toMatchObject({ status: 'done', position: { next: { step: { name: 'expired' } } } });
		expect(winbackStanding(schedule, A, day(300), [0, 1, 2, 3], false)).toMatchObject({ status: 'due', position: { due: { step: { kind: 'expired' } } } });
		expect(winbackStanding(schedule, A, day(301), [0, 1, 2, 3, 4], false).status).toBe('expired');
	});

	it('a contact discovered late gets only the latest step: the expiry, at day 400', () => {
		const late = winbackStanding(schedule, A, day(400), [], false);
		expect(late.status).toBe('due');
		expect(late.position?.due?.step.name).toBe('expired');
		expect(late.position?.skipped.map((s) => s.step.name)).toEqual(['first', 'follow-up-1', 'follow-up-2', 'final']);
	});

	it('an anchor that moved (a new purchase) starts afresh: the old claims do not count', () => {
		const moved = day(200);
		// The claims belong to the old anchor; the new one has none.
		expect(winbackStanding(schedule, moved, day(250), [], false)).toMatchObject({ status: 'waitingForFirst' });
		expect(winbackStanding(schedule, moved, moved + 90 * DAY_MS, [], false)).toMatchObject({ status: 'due', position: { due: { index: 0 } } });
	});

	it('suppressed contacts are out of the window, unless their window already expired', () => {
		expect(winbackStanding(schedule, A, day(100), [], true)).toMatchObject({ status: 'notInWindow', reason: 'suppressed' });
		expect(winbackStanding(schedule, A, day(400), [4], true).status).toBe('expired');
		expect(positionOf(schedule, A, day(400), [4]).status).toBe('complete');
	});
});
