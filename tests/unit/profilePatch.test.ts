import { isCountableOrder, planPatch } from '../../lib/store/profilePatch';
import type { ContactRow } from '../../lib/store/rows';

const row = (over: Partial<ContactRow> = {}): ContactRow => ({
	id: 1, email: 'a@example.com', first_name: null, last_name: null, phone: null, birthday: null, country: null, region: null,
	city: null, time_zone: null, locale: null, status: 'not_subscribed', suppressed: 0, suppression_reason: null, consent_at: null,
	signed_up_at: null, first_purchase_at: null, last_purchase_at: null, order_count: 0, total_spent: 0, last_order_value: null,
	currency: null, last_engagement_at: null, last_visit_at: null, site_visits: 0, customer_ids: '{}', custom: '{}', created_at: 0, updated_at: 0,
	...over,
});

describe('planPatch', () => {
	it('sets only what differs and leaves undefined fields alone', () => {
		expect(planPatch(row({ first_name: 'Ada' }), { email: 'a@example.com', firstName: 'Ada' }, 1)).toEqual({ sets: {}, changes: [] });
		expect(planPatch(row(), { email: 'a@example.com', city: 'Kyoto' }, 1)).toEqual({ sets: { city: 'Kyoto' }, changes: ['city'] });
	});
	it('splits the birthday for indexed month/day queries', () => {
		expect(planPatch(row(), { email: 'a@example.com', birthday: '--02-29' }, 1).sets).toEqual({ birthday: '--02-29', birth_month: 2, birth_day: 29 });
	});
	it('subscribing records consent; unsubscribing suppresses', () => {
		expect(planPatch(row(), { email: 'a@example.com', status: 'subscribed' }, 5).sets).toEqual({ status: 'subscribed', consent_at: 5 });
		expect(planPatch(row({ status: 'subscribed' }), { email: 'a@example.com', status: 'unsubscribed' }, 5).sets).toEqual({
			status: 'unsubscribed', suppressed: 1, suppression_reason: 'unsubscribed', suppressed_at: 5,
		});
	});
	it('never lifts a bounce or complaint, and lifts an unsubscribe only when asked', () => {
		const bounced = row({ suppressed: 1, suppression_reason: 'bounced' });
		expect(planPatch(bounced, { email: 'a@example.com', status: 'subscribed', liftSuppression: true }, 5).sets).toEqual({});
		const unsubscribed = row({ status: 'unsubscribed', suppressed: 1, suppression_reason: 'unsubscribed' });
		expect(planPatch(unsubscribed, { email: 'a@example.com', status: 'subscribed' }, 5).sets).toEqual({});
		expect(planPatch(unsubscribed, { email: 'a@example.com', status: 'subscribed', liftSuppression: true }, 5).sets).toMatchObject({
			status: 'subscribed', suppressed: 0, suppression_reason: null,
		});
	});
	it('merges custom fields and removes nulls; keeps the earliest signup date', () => {
		const plan = planPatch(row({ custom: '{"a":1,"b":2}', signed_up_at: 100 }), { email: 'a@example.com', custom: { b: null, c: 3 }, signedUpAt: 200 }, 1);
		expect(plan.sets).toEqual({ custom: '{"a":1,"c":3}' });
	});
});

describe('isCountableOrder', () => {
	it('leaves cancelled, refunded and failed orders out of the purchase history', () => {
		expect(isCountableOrder('processing')).toBe(true);
		expect(isCountableOrder('open', 'pending')).toBe(true);
		for (const s of ['cancelled', 'refunded', 'failed']) expect(isCountableOrder(s)).toBe(false);
		expect(isCountableOrder('open', 'refunded')).toBe(false);
	});
});
