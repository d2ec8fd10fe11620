import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { factsFromItem } from '../../../lib/domain/contactFacts';
import { scoreRfm, type RfmBoundaries, type RfmInput } from '../../../lib/domain/rfm';
import { DAY_MS } from '../../../lib/domain/segmentRules';
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
	summarizeCounts,
	withFields,
	type ContactSource,
} from './common';

const show = { operation: ['rfm'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Scores each input contact 1–5 on recency, frequency and monetary value, compared with every customer in the store, and names its group (Champions, Loyal, Potential, New, At Risk, Can\'t Lose, Hibernating, Lost). To score everyone, put Find Contacts before this node.',
		name: 'rfmNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	contactSourceProperty(['rfm'], 'Look the contact up by email in the contact store. A contact not in the store gets rfm: null with found: false.'),
	emailProperty(['rfm']),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			includeContactOption,
			{ ...referenceTimeOption, description: 'Treat this as "now" for "days since last order" in the output. Empty means the current time.' },
		],
	},
];

function rfmOutput(input: RfmInput, boundaries: RfmBoundaries, now: number): IDataObject {
	const result = scoreRfm(input, boundaries);
	const daysSinceLastOrder = input.lastPurchaseAt === null ? null : Math.floor((now - input.lastPurchaseAt) / DAY_MS);
	return { ...result, daysSinceLastOrder, orderCount: input.orderCount, totalSpent: input.totalSpent } as IDataObject;
}

function inputOf(contact: ContactProfile): RfmInput {
	return {
		lastPurchaseAt: contact.lastPurchaseAt === null ? null : Date.parse(contact.lastPurchaseAt),
		orderCount: contact.orderCount,
		totalSpent: contact.totalSpent,
	};
}

/** RFM Score: the cut values are computed once per run in the store (one ordered index scan per dimension). */
export async function execute(this: IExecuteFunctions, store: ContactStore): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const source = this.getNodeParameter('contactSource', 0, 'store') as ContactSource;
	const results: INodeExecutionData[] = new Array(items.length);
	const groups = new Map<string, number>();
	let unknown = 0;
	const boundaries = await store.getRfmBoundaries();

	const done = (i: number, extra: IDataObject) => {
		const rfm = extra.rfm as IDataObject | null;
		if (rfm) groups.set(rfm.scored ? String(rfm.group) : 'Not scored', (groups.get(rfm.scored ? String(rfm.group) : 'Not scored') ?? 0) + 1);
		results[i] = withFields(items[i], i, extra);
	};

	if (source === 'item') {
		for (let i = 0; i < items.length; i++) {
			try {
				const facts = factsFromItem(items[i].json, new Set());
				const now = referenceTime(this, i);
				done(i, { rfm: rfmOutput({ lastPurchaseAt: facts.lastPurchaseAt, orderCount: facts.orderCount, totalSpent: facts.totalSpent }, boundaries, now) });
			} catch (error) {
				results[i] = errorItem(this, error, i);
			}
		}
	} else {
		const emailOf = emailReader(this);
		const entries: Array<{ i: number; email: string; now: number; includeContact: boolean }> = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const includeContact = this.getNodeParameter('options.includeContact', i, true) !== false;
				entries.push({ i, email: emailOf(i), now: referenceTime(this, i), includeContact });
			} catch (error) {
				results[i] = errorItem(this, error, i);
			}
		}
		for (const batch of chunks(entries, LOOKUP_BATCH)) {
			let found: Map<string, ContactProfile>;
			try {
				found = await store.getContactsByEmail([...new Set(batch.map((e) => e.email))], batch[0].now);
			} catch (error) {
				for (const { i } of batch) results[i] = errorItem(this, error, i);
				continue;
			}
			for (const { i, email, now, includeContact } of batch) {
				const contact = found.get(email);
				if (!contact) {
					unknown++;
					done(i, { rfm: null, found: false, reason: 'Not in the contact store' });
					continue;
				}
				done(i, { ...(includeContact ? { contact: contact as unknown as IDataObject } : {}), rfm: rfmOutput(inputOf(contact), boundaries, now) });
			}
		}
	}

	if (groups.size > 0) {
		this.addExecutionHints({ message: `RFM groups: ${summarizeCounts(groups)} (compared with ${plural(boundaries.customers, 'customer')})`, type: 'info', location: 'outputPane' });
	}
	if (unknown > 0) {
		this.addExecutionHints({ message: `${plural(unknown, 'contact was', 'contacts were')} not in the contact store`, type: 'warning', location: 'outputPane' });
	}
	return [results.filter(Boolean)];
}
