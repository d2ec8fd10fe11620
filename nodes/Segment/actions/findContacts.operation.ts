import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../lib/domain/errors';
import type { ContactStore } from '../../../lib/store';
import { plural } from '../../shared/execute';
import { abandonedCartOption, errorItem, evalContext, referenceTimeOption } from './common';
import { ruleSetProperties, rulesFromParameters } from './rules';

const show = { operation: ['findContacts'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Finds every contact in the store that matches, for scheduled campaigns. The rules run as one query per batch in the store, so this works on millions of contacts; one item comes out per contact.',
		name: 'findContactsNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	...ruleSetProperties(show),
	{
		displayName: 'Max Contacts',
		name: 'maxContacts',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1000,
		description: 'Most contacts one run returns. To go through more, run again with "Start After Contact ID" set to the last contact\'s ID (the hint says which).',
		displayOptions: { show },
	},
	{
		displayName: 'Batch Size',
		name: 'batchSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 10000 },
		default: 1000,
		description: 'Contacts read from the store per query',
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
			abandonedCartOption,
			referenceTimeOption,
			{
				displayName: 'Start After Contact ID',
				name: 'startAfterId',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Only contacts with a larger ID (contacts come in ID order): the cursor for paging through a large segment over several runs',
			},
		],
	},
];

function wholeNumber(value: unknown, label: string, field: string, min: number, max: number): number {
	const n = typeof value === 'string' ? Number(value.trim()) : value;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
		throw new InputError(`"${label}" must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`, field);
	}
	return n;
}

/** Find Contacts: for each input item (normally one, from a Schedule Trigger), every matching contact. */
export async function execute(this: IExecuteFunctions, store: ContactStore): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		let found = 0;
		try {
			const rules = rulesFromParameters(this.getNodeParameter('combinator', i, 'and'), this.getNodeParameter('conditions', i, {}), 'Conditions', 'conditions');
			const max = wholeNumber(this.getNodeParameter('maxContacts', i, 1000), 'Max Contacts', 'maxContacts', 1, 10_000_000);
			const batchSize = wholeNumber(this.getNodeParameter('batchSize', i, 1000), 'Batch Size', 'batchSize', 1, 10_000);
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			let cursor = wholeNumber(options.startAfterId ?? 0, 'Start After Contact ID', 'options.startAfterId', 0, Number.MAX_SAFE_INTEGER);
			const context = evalContext(this, i);
			let full = false;
			while (found < max) {
				const limit = Math.min(batchSize, max - found);
				const batch = await store.findSegmentContacts(rules, { afterId: cursor, limit, context });
				for (const contact of batch) output.push({ json: { contact: contact as unknown as IDataObject }, pairedItem: { item: i } });
				found += batch.length;
				full = batch.length === limit;
				if (!full) break;
				cursor = batch[batch.length - 1].id;
			}
			this.addExecutionHints({
				message:
					found >= max && full
						? `Stopped at Max Contacts (${max}): more contacts may match. To continue, run with "Start After Contact ID" = ${cursor}`
						: `${plural(found, 'contact')} found`,
				type: 'info',
				location: 'outputPane',
			});
		} catch (error) {
			output.push(errorItem(this, error, i));
		}
	}
	return [output];
}
