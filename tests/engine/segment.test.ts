import { join } from 'node:path';
import { NodeHelpers, Workflow, type IDataObject, type INode, type INodeTypes } from 'n8n-workflow';
import { openUncachedStore, type ContactStore, type StoreConfig } from '../../lib/store';
import { Segment } from '../../nodes/Segment/Segment.node';
import { expectPinnedOutputs, readFixture, resetStores, runWorkflow, useFreshUserFolder, type RunOptions, type RunResult, freshEngineStore } from '../support/engine';
import { BACKENDS, type Backend } from '../support/stores';

const fixture = (name: string) => readFixture(join(__dirname, 'segment', name));
const emails = (result: RunResult, node: string, output: number) => result.json(node, output).map((j) => (j.contact as IDataObject | undefined)?.email ?? j.email);
const hints = (result: RunResult, node: string) => (result.run.data.resultData.runData[node][0].hints ?? []).map((h) => h.message);
const paired = (result: RunResult, node: string, output: number) => result.output(node, output).map((i) => i.pairedItem);

describe('Segment outputs (computed by n8n from the parameters)', () => {
	const segment = new Segment();
	const outputsOf = (parameters: IDataObject) => {
		const node: INode = { id: 's', name: 'Segment', type: 'n8n-nodes-ecommerce-marketing.segment', typeVersion: 1, position: [0, 0], parameters: parameters as INode['parameters'] };
		const nodeTypes: INodeTypes = { getByName: () => segment, getByNameAndVersion: () => segment, getKnownTypes: () => ({}) };
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		return NodeHelpers.getNodeOutputs(workflow, workflow.getNode('Segment')!, segment.description).map((o) => (typeof o === 'string' ? o : (o.displayName ?? o.type)));
	};

	it('Check gives Matched / Not Matched by default', () => {
		expect(outputsOf({})).toEqual(['Matched', 'Not Matched']);
		expect(outputsOf({ operation: 'check', mode: 'matched' })).toEqual(['Matched', 'Not Matched']);
	});

	it('Route to Segments gives one output per segment, named, plus "Other" with the fallback', () => {
		const segments = { values: [{ name: 'VIP' }, { name: '' }, { name: 'New' }] };
		expect(outputsOf({ operation: 'check', mode: 'segments', segments })).toEqual(['VIP', 'Segment 2', 'New']);
		expect(outputsOf({ operation: 'check', mode: 'segments', segments, options: { fallbackOutput: true } })).toEqual(['VIP', 'Segment 2', 'New', 'Other']);
	});

	it('Sendable gives Sendable / Not Sendable; the other operations one output', () => {
		expect(outputsOf({ operation: 'sendable' })).toEqual(['Sendable', 'Not Sendable']);
		for (const operation of ['findContacts', 'rfm', 'predictNextOrder']) expect(outputsOf({ operation })).toEqual(['main']);
	});
});

describe('Segment Check on input items (no store)', () => {
	beforeEach(() => useFreshUserFolder());
	afterEach(async () => await resetStores());

	it('sends contacts in the segment to Matched and the others to Not Matched, saying why', async () => {
		const f = fixture('check-item.json');
		const result = await runWorkflow(f);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(paired(result, 'VIP Recent Buyers', 0)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(result.json('VIP Recent Buyers', 1)).toEqual([
			{ contact: expect.objectContaining({ email: 'bob@example.com' }), segment: { matched: false, failed: ['Total Spent > 100'] } },
			{ contact: expect.objectContaining({ email: 'dee@example.com' }), segment: { matched: false, failed: ['Tag has "vip"', 'Days Since Last Order ≤ 90'] } },
		]);
		expect(paired(result, 'VIP Recent Buyers', 1)).toEqual([{ item: 1 }, { item: 3 }]);
		expect(hints(result, 'VIP Recent Buyers')).toEqual(['2 of 4 contacts matched']);
	});

	it('the Reference Time decides "days since": a month later Ada is no longer a recent buyer', async () => {
		const f = fixture('check-item.json');
		const later = await runWorkflow(f, { parameters: { 'VIP Recent Buyers': { options: { referenceTime: '2026-06-15T12:00:00Z' } } } });
		expect(emails(later, 'VIP Recent Buyers', 0)).toEqual([]);
	});

	it('a Marketing Contact "Get" that found no one is not matched, with the reason', async () => {
		const f = fixture('check-item.json');
		const result = await runWorkflow(f, { input: [{ found: false, email: 'ghost@example.com', contact: null }] });
		expect(result.json('VIP Recent Buyers', 1)).toEqual([
			{ found: false, email: 'ghost@example.com', contact: null, segment: { matched: false, found: false, reason: 'Not in the contact store' } },
		]);
		expect(hints(result, 'VIP Recent Buyers')).toEqual(['0 of 1 contact matched', '1 contact was not in the contact store']);
	});

	it('routes to the first matching segment, the rest to Other', async () => {
		const f = fixture('check-segments.json');
		const result = await runWorkflow(f);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect([0, 1, 2, 3].map((o) => emails(result, 'Route by Segment', o))).toEqual([['a@example.com'], ['b@example.com'], ['c@example.com'], ['d@example.com']]);
		expect(result.json('Route by Segment', 3)[0].segment).toEqual({ name: null, segments: [] });
		expect(hints(result, 'Route by Segment')).toEqual(['4 contacts checked: VIP: 1, Repeat: 1, New: 1, Other: 1']);
	});

	it('with "Send to All Matching Segments" a contact goes to each of its segments', async () => {
		const f = fixture('check-segments.json');
		const result = await runWorkflow(f, { parameters: { 'Route by Segment': { options: { fallbackOutput: true, allMatchingOutputs: true, referenceTime: '2026-03-15T12:00:00Z' } } } });
		expect([0, 1, 2, 3].map((o) => emails(result, 'Route by Segment', o))).toEqual([['a@example.com'], ['a@example.com', 'b@example.com'], ['c@example.com'], ['d@example.com']]);
		expect(result.json('Route by Segment', 1)[0].segment).toEqual({ name: 'Repeat', segments: ['VIP', 'Repeat'] });
		expect(paired(result, 'Route by Segment', 1)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('without the fallback output, contacts in no segment are dropped and the hint says so', async () => {
		const f = fixture('check-segments.json');
		const result = await runWorkflow(f, { parameters: { 'Route by Segment': { options: { referenceTime: '2026-03-15T12:00:00Z' } } } });
		expect([0, 1, 2, 3].map((o) => emails(result, 'Route by Segment', o))).toEqual([['a@example.com'], ['b@example.com'], ['c@example.com'], []]);
		expect(hints(result, 'Route by Segment')).toContain('1 contact matched no segment and was dropped (turn on the Fallback Output option to keep them)');
	});

	it('with Continue On Fail, an item with a bad profile or missing history fails alone, on Not Matched', async () => {
		const f = fixture('bad-input.json');
		const result = await runWorkflow(f);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		// n8n keeps only the message of a failed item (its json becomes { error }).
		expect(result.json('Bought Shoes', 1)).toEqual([
			{ error: '"totalSpent" of the contact is not a number: "lots" [item 1]' },
			{ error: '"Purchased Product Type has "shoes"" needs the contact\'s orders with their line items, which this item does not have [item 2]' },
		]);
		expect(result.output('Bought Shoes', 1)[1].error?.description).toBe(
			'Use Contact Source "From the Contact Store", or put a Marketing Contact "Get" node (with the history included) before this node',
		);
		expect(paired(result, 'Bought Shoes', 1)).toEqual([{ item: 1 }, { item: 2 }]);
	});

	it('without Continue On Fail, the first bad item stops the node with its index', async () => {
		const f = fixture('bad-input.json');
		f.nodes.forEach((n) => delete (n as { onError?: string }).onError);
		const result = await runWorkflow(f);
		expect(result.error?.message).toBe('"totalSpent" of the contact is not a number: "lots" [item 1]');
		expect(result.error?.context?.itemIndex).toBe(1);
	});

	it('a rule that cannot work stops the node and names the condition', async () => {
		const f = fixture('check-item.json');
		const conditions = { condition: [{ field: 'totalSpent', numberOperator: 'between', number: 500, number2: 100 }] };
		const result = await runWorkflow(f, { parameters: { 'VIP Recent Buyers': { conditions } } });
		expect(result.error?.message).toBe('Conditions, condition 1 (Total Spent): "between 500 and 100": the second value must not be smaller than the first [item 0]');
		expect(result.error?.description).toBe('Check the "conditions" field of this item');
	});

	it('rules given by expressions are read for each item', async () => {
		const f = fixture('check-item.json');
		const conditions = { condition: [{ field: 'totalSpent', numberOperator: 'gt', number: '={{ $json.contact ? 100 : 1000 }}' }] };
		const result = await runWorkflow(f, { parameters: { 'VIP Recent Buyers': { conditions } } });
		expect(result.error).toBeUndefined();
		expect(emails(result, 'VIP Recent Buyers', 0)).toEqual(['ada@example.com', 'dee@example.com']);
	});
});

describe.each(BACKENDS)('Segment with the %s contact store', (backend: Backend) => {
	let store: StoreConfig;
	let options: RunOptions;
	beforeEach(() => {
		({ store, options } = freshEngineStore(backend));
	});
	afterEach(async () => await resetStores());

	async function seed(fn: (s: ContactStore) => Promise<void>) {
		const s = await openUncachedStore(store);
		try {
			await fn(s);
		} finally {
			await s.close();
		}
	}

	const order = (email: string, id: string, at: string, total: number, extra: IDataObject = {}) => ({
		source: 'shop',
		orderId: id,
		contact: { email, ...extra },
		placedAt: Date.parse(at),
		total,
		currency: 'EUR',
		lineItems: [{ productId: 'p1', title: 'Item', quantity: 1, price: total }],
	});

	it('checks each buyer in the store after the orders are recorded (one lookup per batch)', async () => {
		const f = fixture('check-store.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(result.json('Repeat or p1 Buyers', 1)).toEqual([
			expect.objectContaining({
				contact: expect.objectContaining({ email: 'cat@example.com', orderCount: 1 }),
				segment: { matched: false, failed: ['none of: Number of Orders ≥ 2; Purchased Product ID has "p1" within the last 60 days'] },
			}),
		]);
		expect(paired(result, 'Repeat or p1 Buyers', 1)).toEqual([{ item: 3 }]);
	});

	it('an unknown contact is not matched, with the reason; a bad email fails only its item', async () => {
		await seed(async (s) => {
			await s.upsertProfile({ email: 'sub@example.com', status: 'subscribed' });
		});
		const f = fixture('check-not-found.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(result.json('Subscribers', 1)).toEqual([
			{ email: 'nobody@example.com', segment: { matched: false, found: false, reason: 'Not in the contact store' } },
			{ error: '"not an email" in "Email" is not a valid email address [item 1]' },
		]);
		expect(hints(result, 'Subscribers')).toEqual(['1 of 3 contacts matched', '1 contact was not in the contact store']);
		// Without "Add Contact Profile" the items stay as they came (a lighter query).
		const light = await runWorkflow(f, { ...options, parameters: { Subscribers: { options: { includeContact: false } } } });
		expect(light.json('Subscribers', 0)).toEqual([{ contact: { email: 'sub@example.com' }, segment: { matched: true } }]);
	});

	it('Find Contacts pages through the matching contacts with Max Contacts and a cursor', async () => {
		let ids: Record<string, number> = {};
		await seed(async (s) => {
			const spend: Array<[string, string, number]> = [
				['a@example.com', 'subscribed', 150],
				['b@example.com', 'unsubscribed', 500],
				['c@example.com', 'subscribed', 50],
				['d@example.com', 'subscribed', 200],
				['e@example.com', 'subscribed', 120],
			];
			for (const [email, status, total] of spend) {
				const r = await s.recordOrder(order(email, `O-${email}`, '2026-03-01T10:00:00Z', total, { status }));
				ids[email] = r.contact.id;
			}
		});
		const f = fixture('find-contacts.json');
		const first = await runWorkflow(f, options);
		expect(first.error).toBeUndefined();
		expectPinnedOutputs(f, first);
		expect(paired(first, 'Find Big Spenders', 0)).toEqual([{ item: 0 }, { item: 0 }]);
		expect(hints(first, 'Find Big Spenders')).toEqual([`Stopped at Max Contacts (2): more contacts may match. To continue, run with "Start After Contact ID" = ${ids['d@example.com']}`]);
		const next = await runWorkflow(f, { ...options, parameters: { 'Find Big Spenders': { options: { startAfterId: ids['d@example.com'], referenceTime: '2026-03-15T12:00:00Z' } } } });
		expect(emails(next, 'Find Big Spenders', 0)).toEqual(['e@example.com']);
		expect(hints(next, 'Find Big Spenders')).toEqual(['1 contact found']);
	});

	it('scores RFM against every customer and predicts next orders from each purchase cycle', async () => {
		await seed(async (s) => {
			const orders: Record<string, Array<[string, number]>> = {
				'a@example.com': [['2025-06-01', 10]],
				'b@example.com': [['2025-08-01', 200], ['2025-09-01', 200]],
				'c@example.com': [['2026-01-01', 20], ['2026-02-01', 20], ['2026-03-01', 10]],
				'd@example.com': [['2025-09-01', 25], ['2025-10-01', 25], ['2025-11-01', 25], ['2025-12-01', 25]],
				'e@example.com': [['2025-11-10', 100], ['2025-12-10', 100], ['2026-01-09', 100], ['2026-02-08', 100], ['2026-03-10', 100]],
			};
			for (const [email, list] of Object.entries(orders)) {
				for (const [k, [day, total]] of list.entries()) await s.recordOrder(order(email, `${email}-${k}`, `${day}T10:00:00Z`, total));
			}
			await s.upsertProfile({ email: 'f@example.com' });
		});
		const f = fixture('rfm-cycle.json');
		const result = await runWorkflow(f, options);
		expect(result.error).toBeUndefined();
		expectPinnedOutputs(f, result);
		expect(result.json('RFM')[0].rfm).toMatchObject({ daysSinceLastOrder: 310, orderCount: 1, totalSpent: 10 });
		expect(hints(result, 'RFM')).toEqual([
			'RFM groups: Lost: 1, At Risk: 1, Potential: 1, Loyal: 1, Champions: 1, Not scored: 1 (compared with 5 customers)',
			'1 contact was not in the contact store',
		]);
		expect(hints(result, 'Next Order')).toEqual(['2 reminders due; 4 of 7 contacts with a purchase cycle', '1 contact was not in the contact store']);
		for (const node of ['RFM', 'Next Order']) expect(paired(result, node, 0)).toEqual([0, 1, 2, 3, 4, 5, 6].map((item) => ({ item })));
	});

	it('scores RFM and predicts next orders from profiles and orders in the input items', async () => {
		await seed(async (s) => {
			for (const [k, total] of [10, 20, 30, 40, 50].entries()) await s.recordOrder(order(`c${k}@example.com`, `O-${k}`, `2026-0${k + 1}-01T10:00:00Z`, total));
		});
		const f = fixture('rfm-cycle.json');
		const input = [
			{
				contact: { email: 'x@example.com', lastPurchaseAt: '2026-05-15T00:00:00Z', orderCount: 1, totalSpent: 35 },
				orders: [
					{ placedAt: '2026-01-01T10:00:00Z', counted: true },
					{ placedAt: '2026-02-01T10:00:00Z', counted: false },
					{ placedAt: '2026-03-01T10:00:00Z' },
				],
			},
		];
		const item = { contactSource: 'item' };
		const result = await runWorkflow(f, { ...options, input, parameters: { RFM: item, 'Next Order': item } });
		expect(result.error).toBeUndefined();
		expect(result.json('RFM')[0].rfm).toMatchObject({ scored: true, recency: 5, frequency: 1, monetary: 4, code: '514', customersCompared: 5 });
		expect(result.json('Next Order')[0].nextOrder).toMatchObject({ predicted: true, purchases: 2, intervalDays: 59, expectedNextOrderAt: '2026-04-29T10:00:00.000Z' });
		const bare = await runWorkflow(f, { ...options, input: [{ email: 'y@example.com' }], parameters: { RFM: item, 'Next Order': item } });
		expect(bare.error?.message).toBe('The item has no "orders" list to take purchase dates from [item 0]');
	});
});
