import { InputError } from '../domain/errors';
import { optionalId, optionalString, parseTimestamp } from '../domain/values';
import type { EngagementEvent, EngagementType } from '../store/types';
import { emailFrom, first, obj, type Json, type Parsed } from './common';

/**
 * Email providers' event webhooks → engagement events. One payload may hold
 * several events (SendGrid posts a list). Events that say nothing about
 * engagement (processed, deferred…) come back as `skipped` with the reason.
 */
export type EmailProvider = 'auto' | 'sendgrid' | 'mailgun' | 'postmark';

export interface ParsedEngagement {
	events: Array<Parsed<EngagementEvent>>;
	skipped: Array<{ index: number; reason: string }>;
}

export function detectProvider(payload: unknown): Exclude<EmailProvider, 'auto'> | undefined {
	const list = Array.isArray(payload) ? payload : [payload];
	const head = obj(list[0]);
	if (!head) return undefined;
	if (obj(head['event-data'])) return 'mailgun';
	if (typeof head.RecordType === 'string') return 'postmark';
	if (typeof head.event === 'string' && ('sg_event_id' in head || 'sg_message_id' in head || 'email' in head)) return 'sendgrid';
	return undefined;
}

export function parseProviderEvents(raw: unknown, provider: EmailProvider): ParsedEngagement {
	let payload = raw;
	if (typeof payload === 'string') {
		try {
			payload = JSON.parse(payload);
		} catch {
			throw new InputError('The email event payload is text that is not JSON', 'payload');
		}
	}
	const which = provider === 'auto' ? detectProvider(payload) : provider;
	if (!which) {
		throw new InputError(
			'Could not tell which email provider sent this event',
			'payload',
			'Choose the provider (SendGrid, Mailgun, Postmark) or use "Custom" and map the fields',
		);
	}
	const list = Array.isArray(payload) ? payload : [payload];
	const result: ParsedEngagement = { events: [], skipped: [] };
	list.forEach((entry, index) => {
		const item = obj(entry);
		if (!item) throw new InputError(`Event ${index} of the payload is not an object`, `payload[${index}]`);
		const parsed = which === 'sendgrid' ? sendgrid(item) : which === 'mailgun' ? mailgun(item) : postmark(item);
		if ('skip' in parsed) result.skipped.push({ index, reason: parsed.skip });
		else result.events.push(parsed);
	});
	return result;
}

type Outcome = Parsed<EngagementEvent> | { skip: string };

function build(
	provider: string,
	type: EngagementType,
	email: string,
	occurredAt: number,
	id: string | undefined,
	extra: Partial<EngagementEvent>,
): Parsed<EngagementEvent> {
	const event: EngagementEvent = { contact: { email }, type, occurredAt, provider, ...extra };
	if (id) event.providerEventId = id;
	for (const key of Object.keys(event) as Array<keyof EngagementEvent>) if (event[key] === undefined) delete event[key];
	return { event, eventKey: id ? `${provider}:${id}` : `${provider}:${type}:${email}:${occurredAt}:${extra.campaign ?? ''}:${extra.url ?? ''}` };
}

function sendgrid(e: Json): Outcome {
	const kind = String(e.event ?? '');
	const map: Record<string, EngagementType> = {
		delivered: 'delivered',
		open: 'open',
		click: 'click',
		bounce: e.type === 'blocked' ? 'soft_bounce' : 'bounce',
		spamreport: 'complaint',
		unsubscribe: 'unsubscribe',
		group_unsubscribe: 'unsubscribe',
		deferred: 'soft_bounce',
	};
	const type = map[kind];
	if (!type) return { skip: `SendGrid "${kind}" events are not engagement` };
	const category = Array.isArray(e.category) ? e.category[0] : e.category;
	return build('sendgrid', type, emailFrom('email', e.email), parseTimestamp(e.timestamp, 'timestamp'), optionalId(e.sg_event_id, 'sg_event_id'), {
		campaign: optionalString(first(e.campaign, category), 'category', 200),
		url: optionalString(e.url, 'url', 2000),
		reason: optionalString(e.reason, 'reason', 1000),
	});
}

function mailgun(payload: Json): Outcome {
	const e = obj(payload['event-data']) ?? payload;
	const kind = String(e.event ?? '');
	const permanent = e.severity === 'permanent';
	const map: Record<string, EngagementType> = {
		delivered: 'delivered',
		opened: 'open',
		clicked: 'click',
		failed: permanent ? 'bounce' : 'soft_bounce',
		complained: 'complaint',
		unsubscribed: 'unsubscribe',
	};
	const type = map[kind];
	if (!type) return { skip: `Mailgun "${kind}" events are not engagement` };
	const vars = obj(e['user-variables']);
	const tags = Array.isArray(e.tags) ? e.tags : [];
	const status = obj(obj(e['delivery-status']));
	return build('mailgun', type, emailFrom('event-data.recipient', e.recipient), parseTimestamp(e.timestamp, 'event-data.timestamp'), optionalId(e.id, 'event-data.id'), {
		campaign: optionalString(first(vars?.campaign, tags[0]), 'event-data.user-variables.campaign', 200),
		url: optionalString(e.url, 'event-data.url', 2000),
		reason: optionalString(first(status?.description, status?.message, e.reason), 'event-data.reason', 1000),
	});
}

function postmark(e: Json): Outcome {
	const kind = String(e.RecordType ?? '');
	let type: EngagementType | undefined;
	if (kind === 'Delivery') type = 'delivered';
	else if (kind === 'Open') type = 'open';
	else if (kind === 'Click') type = 'click';
	else if (kind === 'SpamComplaint') type = 'complaint';
	else if (kind === 'Bounce') type = ['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated', 'SpamNotification'].includes(String(e.Type)) ? 'bounce' : 'soft_bounce';
	else if (kind === 'SubscriptionChange') {
		if (e.SuppressSending !== true) return { skip: 'Postmark subscription change that re-activates the address' };
		type = String(e.SuppressionReason) === 'SpamComplaint' ? 'complaint' : 'unsubscribe';
	}
	if (!type) return { skip: `Postmark "${kind}" events are not engagement` };
	const metadata = obj(e.Metadata);
	return build(
		'postmark',
		type,
		emailFrom('Recipient', e.Recipient, e.Email),
		parseTimestamp(first(e.ReceivedAt, e.BouncedAt, e.DeliveredAt, e.ChangedAt), 'ReceivedAt'),
		optionalId(first(e.ID, kind === 'Bounce' ? undefined : undefined), 'ID') ?? optionalId(e.MessageID, 'MessageID')?.concat(`:${kind}:${String(first(e.ReceivedAt, e.ChangedAt) ?? '')}`),
		{
			campaign: optionalString(first(metadata?.campaign, e.Tag), 'Tag', 200),
			url: optionalString(e.OriginalLink, 'OriginalLink', 2000),
			reason: optionalString(first(e.Description, e.Details, e.SuppressionReason), 'Description', 1000),
		},
	);
}
