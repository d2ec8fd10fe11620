import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../lib/domain/errors';
import { requireEmail } from '../../../lib/domain/email';
import type { EvalContext } from '../../../lib/domain/segmentRules';
import { referenceTime, toNodeError } from '../../shared/execute';

export type Operation = 'check' | 'findContacts' | 'rfm' | 'predictNextOrder' | 'sendable';
export type ContactSource = 'store' | 'item';

/** Emails looked up per store query. */
export const LOOKUP_BATCH = 1000;

export const CONTACT_EMAIL_DEFAULT = '={{ $json.contact?.email ?? $json.email }}';

export function contactSourceProperty(operations: Operation[], storeDescription: string): INodeProperties {
	return {
		displayName: 'Contact Source',
		name: 'contactSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'From the Contact Store',
				value: 'store',
				description: storeDescription,
			},
			{
				name: 'From Input Item',
				value: 'item',
				description:
					'The item is the profile: its "contact" field (as the Marketing Contact node outputs it) or the item itself. Rules on orders, carts or views need that history in the item (Marketing Contact "Get" with Include).',
			},
		],
		default: 'store',
		displayOptions: { show: { operation: operations } },
	};
}

export function emailProperty(operations: Operation[]): INodeProperties {
	return {
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@example.com',
		default: CONTACT_EMAIL_DEFAULT,
		required: true,
		description: 'Email of the contact to look up. The default works on the output of the Marketing Contact and Segment nodes and on items with an "email" field.',
		displayOptions: { show: { operation: operations, contactSource: ['store'] } },
	};
}

export const referenceTimeOption: INodeProperties = {
	displayName: 'Reference Time',
	name: 'referenceTime',
	type: 'dateTime',
	default: '',
	description: 'Treat this as "now" for every "days since" and "within the last" test (for replays, backfills and tests). Empty means the current time.',
};

export const abandonedCartOption: INodeProperties = {
	displayName: 'Cart Abandoned After (Minutes)',
	name: 'abandonedCartMinutes',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 60,
	description: 'A cart not turned into an order this long after its last update counts as abandoned',
};

export const includeContactOption: INodeProperties = {
	displayName: 'Add Contact Profile',
	name: 'includeContact',
	type: 'boolean',
	default: true,
	description: 'Whether to put the contact\'s current profile from the store in the item\'s "contact" field (Contact Source: From the Contact Store)',
};

/** Whether a node parameter (or any value inside it) is an expression. */
export function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

/** True when none of these parameters holds an expression: they are the same for every item. */
export function parametersAreStatic(ctx: IExecuteFunctions, names: string[]): boolean {
	const parameters = ctx.getNode().parameters;
	return names.every((name) => !hasExpression(parameters[name]));
}

/**
 * Reads each item's email. The default expression is resolved without the expression
 * engine (same result, much faster on large batches); any other value goes through it.
 */
export function emailReader(ctx: IExecuteFunctions): (itemIndex: number) => string {
	const raw = ctx.getNode().parameters.email;
	if (raw === CONTACT_EMAIL_DEFAULT) {
		const items = ctx.getInputData();
		return (i) => {
			const json = items[i].json;
			const contact = json.contact as IDataObject | null | undefined;
			const value = (contact !== null && contact !== undefined ? (contact as IDataObject).email : undefined) ?? json.email;
			return requireEmail(value, 'Email');
		};
	}
	return (i) => requireEmail(ctx.getNodeParameter('email', i, ''), 'Email');
}

export function evalContext(ctx: IExecuteFunctions, itemIndex: number): EvalContext {
	const minutes = ctx.getNodeParameter('options.abandonedCartMinutes', itemIndex, 60) as unknown;
	const n = typeof minutes === 'string' ? Number(minutes) : minutes;
	if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
		throw new InputError(`"Cart Abandoned After (Minutes)" must be a number of minutes, got ${JSON.stringify(minutes)}`, 'options.abandonedCartMinutes');
	}
	return { now: referenceTime(ctx, itemIndex), abandonedAfterMs: Math.round(n * 60_000) };
}

/** An item that failed, for Continue On Fail: the input item with the error and hint. */
export function errorItem(ctx: IExecuteFunctions, error: unknown, itemIndex: number): INodeExecutionData {
	const nodeError = toNodeError(ctx, error, itemIndex);
	if (!ctx.continueOnFail()) throw nodeError;
	const item = ctx.getInputData()[itemIndex];
	return {
		json: { ...item.json, error: nodeError.message, ...(nodeError.description ? { hint: nodeError.description } : {}) },
		error: nodeError,
		pairedItem: { item: itemIndex },
	};
}

/** The output item for an input item: its JSON with `extra` added, binary kept, paired. */
export function withFields(item: INodeExecutionData, itemIndex: number, extra: IDataObject): INodeExecutionData {
	const out: INodeExecutionData = { json: { ...item.json, ...extra }, pairedItem: { item: itemIndex } };
	if (item.binary) out.binary = item.binary;
	return out;
}

/** Splits a list into chunks of `size`. */
export function chunks<T>(list: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

/** "Champions: 3, Loyal: 1" from counts, largest first. */
export function summarizeCounts(counts: Map<string, number>): string {
	return [...counts.entries()]
		.sort((a, b) => b[1] - a[1])
		.map(([name, n]) => `${name}: ${n}`)
		.join(', ');
}
