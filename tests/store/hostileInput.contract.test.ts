/**
 * Hostile input at the store, on both backends: what the nodes' input cleaning cannot fix on its
 * own must hold in the store itself.
 */
import { openUncachedStore, type ContactStore } from '../../lib/store';
import { BACKENDS, freshConfig, type Backend } from '../support/stores';

const T0 = Date.parse('2026-03-01T10:00:00Z');

describe.each(BACKENDS)('hostile input in the %s store', (backend: Backend) => {
	let store: ContactStore;
	beforeEach(async () => {
		store = await openUncachedStore(freshConfig(backend));
	});
	afterEach(async () => await store.close());

	it('Replace Group keeps one tag of a group whose name has emoji (characters, not UTF-16 units)', async () => {
		await store.addTags('ada@example.com', ['🔥hot:a', '🔥hot:b', '🔥other', 'vip'], { now: T0 });
		const r = await store.replaceTagGroup('ada@example.com', '🔥hot:', '🔥hot:c', { now: T0 });
		expect(r.removed.sort()).toEqual(['🔥hot:a', '🔥hot:b']);
		expect(r.contact?.tags.slice().sort()).toEqual(['vip', '🔥hot:c', '🔥other'].sort());
	});

	it('an event key of 1 MB (or with control characters) is claimed once, and its replay changes nothing', async () => {
		const order = { source: 'shopify', orderId: '1', contact: { email: 'ada@example.com' }, placedAt: T0, total: 10, currency: 'USD', lineItems: [] };
		const key = `shopify:order:1:${'x'.repeat(1024 * 1024)}`;
		expect((await store.recordOrder(order, { eventKey: key, now: T0 })).duplicate).toBe(false);
		expect((await store.recordOrder(order, { eventKey: key, now: T0 })).duplicate).toBe(true);
		expect((await store.upsertProfile({ email: 'bob@example.com' }, { eventKey: 'k\u0000\u0007', now: T0 })).duplicate).toBe(false);
		expect((await store.upsertProfile({ email: 'bob@example.com', firstName: 'Bob' }, { eventKey: 'k\u0000\u0007', now: T0 })).duplicate).toBe(true);
		expect(await store.getContact('ada@example.com')).toMatchObject({ orderCount: 1, totalSpent: 10 });
		expect(await store.getContact('bob@example.com')).toMatchObject({ firstName: null });
	});

	it('custom field names and values with quotes, %, _, backslashes and unicode are data on both backends', async () => {
		const custom = { "'; DROP TABLE contacts; --": 'x', 'a%_\\': '100% \\ "quoted"', 'שם': '😀', nested: { "o'k": [1, 'two'] } };
		const r = await store.upsertProfile({ email: 'ada@example.com', custom }, { now: T0 });
		expect(r.contact.custom).toEqual(custom);
		const found = await store.findSegmentContacts(
			{ combinator: 'and', conditions: [{ field: 'customField', kind: 'text', valueType: 'text', name: 'a%_\\', operator: 'contains', texts: ['% \\ "'], nums: [], times: 1, withinDays: 0, position: 1 }] },
			{ afterId: 0, limit: 10, context: { now: T0, abandonedAfterMs: 3_600_000 } },
		);
		expect(found.map((c) => c.email)).toEqual(['ada@example.com']);
		expect(await store.getContact('ada@example.com')).toMatchObject({ custom });
	});
});
