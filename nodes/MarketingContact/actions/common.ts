import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { requireEmail } from '../../../lib/domain/email';
import type { WriteOptions, WriteResult } from '../../../lib/store';
import { referenceTime } from '../../shared/execute';

export type Operation =
	| 'recordOrder'
	| 'recordCart'
	| 'recordProductView'
	| 'recordPageVisit'
	| 'recordEmailEngagement'
	| 'upsertProfile'
	| 'get'
	| 'unsubscribe'
	| 'unsubscribeFromLink'
	| 'subscribeFromLink'
	| 'delete'
	| 'issueCoupon';

export const CONTACT_EMAIL_DEFAULT = '={{ $json.contact?.email ?? $json.email }}';

export function emailProperty(operation: Operation, description: string, defaultValue = CONTACT_EMAIL_DEFAULT): INodeProperties {
	return {
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@example.com',
		default: defaultValue,
		required: true,
		description,
		displayOptions: { show: { operation: [operation] } },
	};
}

export function sourceProperty(operation: Operation, description: string, extra: Array<{ name: string; value: string; description: string }> = []): INodeProperties {
	return {
		displayName: 'Input Format',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Shopify Webhook', value: 'shopify', description: 'The payload of a Shopify webhook (e.g. from the Shopify Trigger node)' },
			{ name: 'WooCommerce Webhook', value: 'woocommerce', description: 'The payload of a WooCommerce webhook (e.g. from the WooCommerce Trigger node)' },
			...extra,
			{ name: 'Custom', value: 'custom', description: 'Map each field yourself with expressions' },
		],
		default: 'shopify',
		description,
		displayOptions: { show: { operation: [operation] } },
	};
}

export function payloadProperty(operation: Operation, sources: string[]): INodeProperties {
	return {
		displayName: 'Payload',
		name: 'payload',
		type: 'json',
		default: PAYLOAD_DEFAULT,
		description:
			'The webhook payload. The default takes the whole input item; items from a Webhook node are unwrapped from their "body" automatically.',
		displayOptions: { show: { operation: [operation], source: sources } },
	};
}

/** The Options collection every write operation shares. */
/** The clicked link's query parameters (e, c, t), for the From Link operations. */
export function linkParametersProperty(operation: Operation): INodeProperties {
	return {
		displayName: 'Link Parameters',
		name: 'linkParameters',
		type: 'json',
		default: '={{ $json.query }}',
		description: 'The query parameters of the clicked link (e, c and t). From a Webhook node they are in "query".',
		displayOptions: { show: { operation: [operation] } },
	};
}

export function writeOptionsProperty(operation: Operation, extra: INodeProperties[] = []): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { operation: [operation] } },
		options: [
			{
				displayName: 'Event Key',
				name: 'eventKey',
				type: 'string',
				default: '',
				description:
					'Idempotency key of this event: a second event with the same key changes nothing. By default it is derived from the payload (order ID and update time, checkout token…). Map a webhook ID header here for exact de-duplication.',
			},
			...extra,
			{
				displayName: 'Reference Time',
				name: 'referenceTime',
				type: 'dateTime',
				default: '',
				description: 'Treat this as "now" (for replays, backfills and tests). Empty means the current time.',
			},
		],
	};
}

/** Unwraps an item from n8n's Webhook node ({ headers, params, query, body }) to its body. */
export function unwrapPayload(value: unknown): unknown {
	if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
		const v = value as IDataObject;
		if ('body' in v && 'headers' in v && typeof v.headers === 'object') return v.body;
	}
	return value;
}

/** The Payload parameter's default: the whole input item. */
export const PAYLOAD_DEFAULT = '={{ $json }}';

/**
 * The payload of an item. Left at its default (the whole input item), it is read from the input
 * directly: evaluating `{{ $json }}` copies the whole webhook payload (a Shopify order is ~15 kB)
 * through n8n's expression sandbox for every item, a large share of a queue-mode worker's time.
 */
export function getPayload(ctx: IExecuteFunctions, itemIndex: number): unknown {
	const raw = ctx.getNode().parameters.payload;
	if (raw === undefined || (typeof raw === 'string' && raw.trim() === PAYLOAD_DEFAULT)) {
		return unwrapPayload(ctx.getInputData()[itemIndex]?.json);
	}
	return unwrapPayload(ctx.getNodeParameter('payload', itemIndex));
}

export function getEmail(ctx: IExecuteFunctions, itemIndex: number): string {
	return requireEmail(ctx.getNodeParameter('email', itemIndex, ''), 'Email');
}

export function writeOptions(ctx: IExecuteFunctions, itemIndex: number, derivedKey?: string): WriteOptions & { now: number } {
	const explicit = String(ctx.getNodeParameter('options.eventKey', itemIndex, '') ?? '').trim();
	const key = explicit || derivedKey;
	return { now: referenceTime(ctx, itemIndex), ...(key ? { eventKey: key } : {}) };
}

/** Every write operation outputs the updated profile, what changed, and whether it was a replay. */
export function writeOutput(result: WriteResult, extra: IDataObject = {}): IDataObject {
	return {
		contact: result.contact as unknown as IDataObject,
		changes: result.changes,
		duplicate: result.duplicate,
		...extra,
	};
}
