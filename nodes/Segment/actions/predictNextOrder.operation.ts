import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { profileOf } from '../../../lib/domain/contactFacts';
import { InputError } from '../../../lib/domain/errors';
import { predictNextOrder, type IntervalMethod, type PredictOptions } from '../../../lib/domain/purchaseCycle';
import { tryParseTimestamp } from '../../../lib/domain/values';
import type { ContactProfile, ContactStore } from '../../../lib/store';
import { plural, referenceTime } from '../../shared/execute';
import {
	chunks,
	contactSourceProperty,
	emailProperty,
	emailReader,
	errorItem,
	includeContactOption,
	LOOKUP_BATCH,
	referenceTimeOption,
	withFields,
	type ContactSource,
} from './common';

const show = { operation: ['predictNextOrder'] };

export const description: INodeProperties[] = [
	contactSourceProperty(
		['predictNextOrder'],
		'The contact\'s orders from the contact store, by email. A contact not in the store gets nextOrder.predicted: false with found: false.',
	),
	emailProperty(['predictNextOrder']),
	{
		displayName: 'Interval',
		name: 'method',
		type: 'options',
		options: [
			{ name: 'Median', value: 'median', description: 'The middle interval between purchases: one unusual gap does not move it' },
			{ name: 'Mean', value: 'mean', description: 'The average interval between purchases' },
		],
		default: 'median',
		description: 'How the contact\'s intervals between purchases become one purchase cycle',
		displayOptions: { show },
	},
	{
		displayName: 'Reminder Lead Time (Days)',
		name: 'leadDays',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 3,
		description: 'A reminder is due from this many days before the expected order date (until one full cycle after it)',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			includeContactOption,
			referenceTimeOption,
			{
				displayName: 'Use Last N Purchases',
				name: 'maxPurchases',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Only the most recent purchases count, so a changed habit shows sooner; 0 means all',
			},
		],
	},
];

function predictOptions(ctx: IExecuteFunctions, i: number): PredictOptions {
	const method = ctx.getNodeParameter('method', i, 'median') as IntervalMethod;
	if (method !== 'median' && method !== 'mean') throw new InputError(`"Interval" must be median or mean, got ${JSON.stringify(method)}`, 'method');
	const leadDays = Number(ctx.getNodeParameter('leadDays', i, 3));
	if (!Number.isFinite(leadDays) || leadDays < 0) throw new InputError('"Reminder Lead Time (Days)" must be 0 or more', 'leadDays');
	const maxPurchases = Number(ctx.getNodeParameter('options.maxPurchases', i, 0));
	if (!Number.isInteger(maxPurchases) || maxPurchases < 0) throw new InputError('"Use Last N Purchases" must be a whole number (0 = all)', 'options.maxPurchases');
	return { now: referenceTime(ctx, i), method, leadDays, maxPurchases };
}

/** Order times from an item: `orders` beside or inside the profile (Marketing Contact "Get" with orders). */
function orderTimesFromItem(json: IDataObject): number[] {
	const profile = profileOf(json);
	const orders = json.orders ?? profile.orders;
	if (!Array.isArray(orders)) {
		throw new InputError(
			'The item has no "orders" list to take purchase dates from',
			'contactSource',
			'Use Contact Source "From the Contact Store", or a Marketing Contact "Get" with Include: Orders before this node',
		);
	}
	const times: number[] = [];
	orders.forEach((order: IDataObject, k) => {
		if (!order || typeof order !== 'object' || order.counted === false) return;
		const at = tryParseTimestamp(order.placedAt ?? order.created_at);
		if (at === undefined) throw new InputError(`orders[${k}].placedAt is not a date: ${JSON.stringify(order.placedAt)?.slice(0, 60)}`, 'contactSource');
		times.push(at);
	});
	return times;
}

/** Predict Next Order: the expected next order date from the contact's own purchase intervals. */
export async function execute(this: IExecuteFunctions, store: ContactStore | undefined): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const source = this.getNodeParameter('contactSource', 0, 'store') as ContactSource;
	const results: INodeExecutionData[] = new Array(items.length);
	let due = 0;
	let predicted = 0;
	let checked = 0;
	let unknown = 0;

	const done = (i: number, extra: IDataObject) => {
		const next = extra.nextOrder as IDataObject;
		checked++;
		if (next.predicted) predicted++;
		if (next.predicted && next.reminderDue) due++;
		results[i] = withFields(items[i], i, extra);
	};

	if (source === 'item') {
		for (let i = 0; i < items.length; i++) {
			try {
				const options = predictOptions(this, i);
				done(i, { nextOrder: predictNextOrder(orderTimesFromItem(items[i].json), options) as unknown as IDataObject });
			} catch (error) {
				results[i] = errorItem(this, error, i);
			}
		}
	} else {
		if (!store) throw new InputError('No contact store', 'contactSource');
		const emailOf = emailReader(this);
		const entries: Array<{ i: number; email: string; options: PredictOptions; includeContact: boolean }> = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const includeContact = this.getNodeParameter('options.includeContact', i, true) !== false;
				entries.push({ i, email: emailOf(i), options: predictOptions(this, i), includeContact });
			} catch (error) {
				results[i] = errorItem(this, error, i);
			}
		}
		for (const batch of chunks(entries, LOOKUP_BATCH)) {
			let found: Map<string, ContactProfile>;
			let dates: Map<number, number[]>;
			try {
				found = await store.getContactsByEmail([...new Set(batch.map((e) => e.email))], batch[0].options.now);
				dates = await store.getOrderDates([...found.values()].map((c) => c.id));
			} catch (error) {
				for (const { i } of batch) results[i] = errorItem(this, error, i);
				continue;
			}
			for (const { i, email, options, includeContact } of batch) {
				const contact = found.get(email);
				if (!contact) {
					unknown++;
					done(i, { found: false, nextOrder: { predicted: false, purchases: 0, reason: 'Not in the contact store' } });
					continue;
				}
				const nextOrder = predictNextOrder(dates.get(contact.id) ?? [], options) as unknown as IDataObject;
				done(i, { ...(includeContact ? { contact: contact as unknown as IDataObject } : {}), nextOrder });
			}
		}
	}

	this.addExecutionHints({
		message: `${plural(due, 'reminder')} due; ${predicted} of ${plural(checked, 'contact')} with a purchase cycle`,
		type: 'info',
		location: 'outputPane',
	});
	if (unknown > 0) {
		this.addExecutionHints({ message: `${plural(unknown, 'contact was', 'contacts were')} not in the contact store`, type: 'warning', location: 'outputPane' });
	}
	return [results.filter(Boolean)];
}
