import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../lib/domain/errors';
import { optionalString, optionalTimestamp } from '../../../lib/domain/values';
import { parseProviderEvents, type EmailProvider } from '../../../lib/sources/emailProviders';
import { ENGAGEMENT_TYPES, type ContactStore, type EngagementType } from '../../../lib/store';
import { getEmail, getPayload, writeOptions, writeOptionsProperty, writeOutput } from './common';

const op = 'recordEmailEngagement';
const custom = { operation: [op], provider: ['custom'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Detect Automatically', value: 'auto', description: 'SendGrid, Mailgun or Postmark, told apart by the payload' },
			{ name: 'SendGrid Event Webhook', value: 'sendgrid' },
			{ name: 'Mailgun Webhook', value: 'mailgun' },
			{ name: 'Postmark Webhook', value: 'postmark' },
			{ name: 'Custom', value: 'custom', description: 'Map the email, event type and time yourself' },
		],
		default: 'auto',
		description:
			'Opens and clicks update the last engagement date; bounces, spam complaints and unsubscribes suppress the contact from marketing email',
		displayOptions: { show: { operation: [op] } },
	},
	{
		displayName: 'Payload',
		name: 'payload',
		type: 'json',
		default: '={{ $json }}',
		description: 'The provider\'s webhook payload (a single event or a list, as SendGrid sends). Items from a Webhook node are unwrapped from their "body".',
		displayOptions: { show: { operation: [op], provider: ['auto', 'sendgrid', 'mailgun', 'postmark'] } },
	},
	{ displayName: 'Email', name: 'email', type: 'string', required: true, default: '={{ $json.email }}', displayOptions: { show: custom } },
	{
		displayName: 'Event Type',
		name: 'eventType',
		type: 'options',
		options: [
			{ name: 'Bounce (Permanent)', value: 'bounce' },
			{ name: 'Click', value: 'click' },
			{ name: 'Delivered', value: 'delivered' },
			{ name: 'Open', value: 'open' },
			{ name: 'Soft Bounce', value: 'soft_bounce' },
			{ name: 'Spam Complaint', value: 'complaint' },
			{ name: 'Unsubscribe', value: 'unsubscribe' },
		],
		default: 'open',
		displayOptions: { show: custom },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add field',
		default: {},
		displayOptions: { show: custom },
		options: [
			{ displayName: 'Campaign', name: 'campaign', type: 'string', default: '', description: 'Which campaign the email belonged to' },
			{ displayName: 'Event ID', name: 'eventId', type: 'string', default: '', description: 'The provider\'s event ID; replays of the same ID change nothing' },
			{ displayName: 'Occurred At', name: 'occurredAt', type: 'string', default: '', description: 'When (ISO 8601); empty means now' },
			{ displayName: 'Reason', name: 'reason', type: 'string', default: '' },
			{ displayName: 'URL', name: 'url', type: 'string', default: '', description: 'The link clicked' },
		],
	},
	writeOptionsProperty(op),
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject[]> {
	const provider = this.getNodeParameter('provider', i) as EmailProvider | 'custom';
	if (provider === 'custom') {
		const email = getEmail(this, i);
		const extra = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
		const type = this.getNodeParameter('eventType', i) as EngagementType;
		if (!ENGAGEMENT_TYPES.includes(type)) throw new InputError(`"Event Type" must be one of ${ENGAGEMENT_TYPES.join(', ')}`, 'Event Type');
		const occurredAt = optionalTimestamp(extra.occurredAt, 'Occurred At');
		const eventId = optionalString(extra.eventId, 'Event ID', 200);
		const options = writeOptions(this, i, eventId ? `custom:${eventId}` : occurredAt ? `custom:${type}:${email}:${occurredAt}` : undefined);
		const result = await store.recordEngagement(
			{
				contact: { email },
				type,
				occurredAt: occurredAt ?? options.now,
				provider: 'custom',
				campaign: optionalString(extra.campaign, 'Campaign', 200),
				url: optionalString(extra.url, 'URL', 2000),
				reason: optionalString(extra.reason, 'Reason', 1000),
			},
			options,
		);
		return [writeOutput(result, { event: { type, provider: 'custom' } })];
	}
	const parsed = parseProviderEvents(getPayload(this, i), provider);
	// Validate everything before writing anything, so a bad list leaves the store unchanged.
	const outputs: IDataObject[] = [];
	for (const { event, eventKey } of parsed.events) {
		const options = writeOptions(this, i, eventKey);
		if (parsed.events.length > 1 && options.eventKey && options.eventKey !== eventKey) options.eventKey = `${options.eventKey}:${outputs.length}`;
		const result = await store.recordEngagement(event, options);
		outputs.push(writeOutput(result, { event: { type: event.type, provider: event.provider, campaign: event.campaign ?? null } }));
	}
	for (const skip of parsed.skipped) outputs.push({ skipped: true, reason: skip.reason, eventIndex: skip.index });
	return outputs;
}
