import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import {
	parseSendEmail,
	parseSendKey,
	parseSendPolicy,
	summarizeReasons,
	type NotSendableReason,
	type SendDecision,
} from '../../../lib/domain/sendable';
import { toIso } from '../../../lib/domain/values';
import type { ContactStore, SendOutcome, SendRequest } from '../../../lib/store';
import { SEND_BATCH_SIZE } from '../../../lib/store/sendsQueries';
import { buildUnsubscribeUrl, parseBaseUrl } from '../../../lib/domain/unsubscribeLink';
import { buildSubscribeUrl } from '../../../lib/domain/subscribeLink';
import { plural, referenceTime, toNodeError } from '../../shared/execute';
import { linkSecret, SUBSCRIBE_WEBHOOK_PATH, UNSUBSCRIBE_WEBHOOK_PATH } from '../../shared/links';

/**
 * Sendable: the guard before an email sender. Two outputs: "Sendable" (the item,
 * plus `sendable: true` and the claimed send) and "Not Sendable" (the item, plus
 * `sendable: false`, `reason`, `reasonText` and, for frequency cap and quiet
 * hours, `sendAfter`).
 */

const show = { operation: ['sendable'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Contacts who may get this email now go to "Sendable" (connect your email sender there); the others go to "Not Sendable" with the reason, and with "sendAfter" when waiting helps (quiet hours, frequency cap)',
		name: 'sendableNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		required: true,
		placeholder: 'name@example.com',
		default: '={{ $json.contact?.email ?? $json.email }}',
		description:
			'Email of the contact to check. The default works on the output of the Marketing Contact and Segment nodes and on items with an "email" field.',
		displayOptions: { show },
	},
	{
		displayName: 'Campaign',
		name: 'campaign',
		type: 'string',
		required: true,
		placeholder: 'abandoned-cart',
		default: '',
		description:
			'The flow this email belongs to. With Step it names one email, which each contact gets at most once. When a flow can run again for the same person, add what makes each run unique, e.g. abandoned-cart-{{ $json.cart.cartId }} or birthday-{{ $now.year }}.',
		displayOptions: { show },
	},
	{
		displayName: 'Step',
		name: 'step',
		type: 'string',
		required: true,
		placeholder: '1h',
		default: '1',
		description: 'Which email of the campaign, e.g. 1h, 24h and 72h for three cart reminders',
		displayOptions: { show },
	},
	{
		displayName: 'Only Subscribed Contacts',
		name: 'requireSubscribed',
		type: 'boolean',
		default: true,
		description:
			'Whether only contacts who opted in to marketing email (status subscribed) get through. On by default: marketing email needs consent in many countries (EU, UK, Canada), and a spam complaint costs more than a missed email. Turn off for service-like emails to customers who neither opted in nor out, e.g. cart reminders or review requests where your store\'s terms allow them. Unsubscribed, bounced, complained and suppressed contacts are held back either way.',
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
			{
				displayName: 'Add Subscribe Link',
				name: 'addSubscribeLink',
				type: 'boolean',
				default: false,
				description:
					'Whether to add a signed "yes, subscribe me" link (subscribeUrl) to each Sendable item, for invitation and double opt-in emails. A Marketing Contact "Subscribe From Link" step behind the link\'s webhook sets the contact to subscribed.',
			},
			{
				displayName: 'Fallback Time Zone',
				name: 'fallbackTimeZone',
				type: 'string',
				default: '',
				placeholder: 'Europe/Berlin',
				description: 'IANA time zone for quiet hours when the contact has none. Empty means the workflow\'s time zone.',
			},
			{
				displayName: 'Frequency Cap (Emails)',
				name: 'maxEmails',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 1000 },
				default: 3,
				description:
					'At most this many emails per contact within the window, counting every campaign\'s emails marked as sent; 0 turns the cap off',
			},
			{
				displayName: 'Frequency Cap Window (Hours)',
				name: 'capWindowHours',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 24,
			},
			{
				displayName: 'Mark as Sent',
				name: 'markAsSent',
				type: 'boolean',
				default: true,
				description:
					'Whether to record the email as sent for contacts that pass, in the same transaction as the checks, so it never goes twice, even when two executions run at once. It counts as sent from then on, also if the sender fails. Turn off to only check (e.g. a preview).',
			},
			{
				displayName: 'Quiet Hours',
				name: 'quietHours',
				type: 'boolean',
				default: true,
				description:
					'Whether to hold emails back while it is night for the contact (in their time zone). "sendAfter" then says when they may go: a Wait node set to it can retry.',
			},
			{
				displayName: 'Quiet Hours End (Local Hour)',
				name: 'quietHoursEnd',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 23 },
				default: 8,
				description: 'Hour (0–23) of the contact\'s day from which emails may go again',
			},
			{
				displayName: 'Quiet Hours Start (Local Hour)',
				name: 'quietHoursStart',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 23 },
				default: 21,
				description: 'Hour (0–23) of the contact\'s day from which emails are held back',
			},
			{
				displayName: 'Reference Time',
				name: 'referenceTime',
				type: 'dateTime',
				default: '',
				description: 'Treat this as "now" (for replays, backfills and tests). Empty means the current time.',
			},
			{
				displayName: 'Subscribe Link Base URL',
				name: 'subscribeBaseUrl',
				type: 'string',
				default: '',
				placeholder: 'https://n8n.example.com/webhook/ecommerce-confirm-subscription',
				description: `Where the links of "Add Subscribe Link" point. Empty: this n8n's URL + /webhook/${SUBSCRIBE_WEBHOOK_PATH}, where the shipped "Subscription and Welcome" workflow listens.`,
			},
			{
				displayName: 'Unsubscribe Link Base URL',
				name: 'unsubscribeBaseUrl',
				type: 'string',
				default: '',
				placeholder: 'https://n8n.example.com/webhook/ecommerce-unsubscribe',
				description: `Sendable items get a signed one-click unsubscribe link (unsubscribeUrl) for the email footer. Empty: this n8n's URL + /webhook/${UNSUBSCRIBE_WEBHOOK_PATH}, where the shipped "Unsubscribe" workflow listens.`,
			},
		],
	},
];

/** The base of unsubscribe links: the option, or this n8n's own webhook URL for the shipped Unsubscribe workflow. */
function unsubscribeBase(ctx: IExecuteFunctions, option: unknown): string {
	if (typeof option === 'string' && option.trim()) return parseBaseUrl(option.trim()).toString();
	const base = ctx.getInstanceBaseUrl().replace(/\/+$/, '');
	return `${base}/webhook/${UNSUBSCRIBE_WEBHOOK_PATH}`;
}

/** The base of subscribe links when "Add Subscribe Link" is on: the option, or this n8n's webhook for the shipped recipe. */
function subscribeBase(ctx: IExecuteFunctions, add: unknown, option: unknown): string | undefined {
	if (add !== true) return undefined;
	if (typeof option === 'string' && option.trim()) return parseBaseUrl(option.trim(), 'Subscribe Link Base URL').toString();
	const base = ctx.getInstanceBaseUrl().replace(/\/+$/, '');
	return `${base}/webhook/${SUBSCRIBE_WEBHOOK_PATH}`;
}

/** Fields this operation adds; an item coming round again (after a Wait) loses the old ones first. */
const OWN_FIELDS = ['sendable', 'reason', 'reasonText', 'sendAfter', 'sentAt', 'send', 'unsubscribeUrl', 'subscribeUrl'];

function baseJson(json: IDataObject): IDataObject {
	if (typeof json.sendable !== 'boolean') return { ...json };
	const copy = { ...json };
	for (const field of OWN_FIELDS) delete copy[field];
	return copy;
}

interface Checked {
	index: number;
	request: SendRequest & { unsubscribeBase: string; subscribeBase?: string };
}

type Routed = { output: 0 | 1; item: INodeExecutionData; reason?: NotSendableReason };

/**
 * Runs the operation on every input item and returns the two outputs. Every
 * item's settings are read and checked before anything is written, so bad input
 * stops the node (without Continue On Fail) with no send claimed.
 */
export async function execute(this: IExecuteFunctions, store: ContactStore): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const routed: Array<Routed | undefined> = new Array(items.length);

	const fail = (index: number, error: unknown) => {
		const nodeError = toNodeError(this, error, index);
		if (!this.continueOnFail()) throw nodeError;
		routed[index] = {
			output: 1,
			// On "Not Sendable", never towards the sender. n8n shows an error item as { error: message }.
			item: {
				json: { error: nodeError.message },
				error: nodeError,
				pairedItem: { item: index },
			},
		};
	};

	const notSendable = (index: number, json: IDataObject, decision: Extract<SendDecision, { sendable: false }>, send: IDataObject) => {
		routed[index] = {
			output: 1,
			reason: decision.reason,
			item: {
				json: {
					...baseJson(json),
					sendable: false,
					reason: decision.reason,
					reasonText: decision.reasonText,
					...(decision.sendAfter ? { sendAfter: decision.sendAfter } : {}),
					...(decision.alreadySentAt !== undefined ? { sentAt: toIso(decision.alreadySentAt) } : {}),
					send,
				},
				...(items[index].binary ? { binary: items[index].binary } : {}),
				pairedItem: { item: index },
			},
		};
	};

	// 1. Read and check every item's settings.
	const checked: Checked[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const { email, valid } = parseSendEmail(this.getNodeParameter('email', i, ''));
			const campaign = parseSendKey(this.getNodeParameter('campaign', i, ''), 'Campaign');
			const step = parseSendKey(this.getNodeParameter('step', i, ''), 'Step');
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			const policy = parseSendPolicy({
				requireSubscribed: this.getNodeParameter('requireSubscribed', i, true),
				maxEmails: options.maxEmails,
				capWindowHours: options.capWindowHours,
				quietHours: options.quietHours,
				quietHoursStart: options.quietHoursStart,
				quietHoursEnd: options.quietHoursEnd,
				fallbackTimeZone: (options.fallbackTimeZone as string) || this.getTimezone(),
			});
			const now = referenceTime(this, i);
			if (!valid) {
				notSendable(
					i,
					items[i].json,
					{ sendable: false, reason: 'invalid_email', reasonText: `"${email.slice(0, 80)}" is not a valid email address` },
					{ email, campaign, step, claimed: false, claimedAt: null },
				);
				continue;
			}
			const unsubscribeBaseUrl = unsubscribeBase(this, options.unsubscribeBaseUrl);
			const subscribeBaseUrl = subscribeBase(this, options.addSubscribeLink, options.subscribeBaseUrl);
			checked.push({
				index: i,
				request: {
					email,
					campaign,
					step,
					now,
					policy,
					claim: options.markAsSent !== false,
					unsubscribeBase: unsubscribeBaseUrl,
					...(subscribeBaseUrl ? { subscribeBase: subscribeBaseUrl } : {}),
				},
			});
		} catch (error) {
			fail(i, error);
		}
	}

	// 2. Decide and claim, a batch per transaction.
	const secret = checked.length > 0 ? await linkSecret(this, store) : '';
	for (let start = 0; start < checked.length; start += SEND_BATCH_SIZE) {
		const batch = checked.slice(start, start + SEND_BATCH_SIZE);
		let outcomes: SendOutcome[];
		try {
			outcomes = await store.checkAndClaimSends(batch.map((c) => c.request));
		} catch (error) {
			for (const c of batch) fail(c.index, error);
			continue;
		}
		batch.forEach(({ index, request }, k) => {
			const outcome = outcomes[k];
			const send: IDataObject = {
				email: request.email,
				campaign: request.campaign,
				step: request.step,
				claimed: outcome.claimed,
				claimedAt: toIso(outcome.claimedAt),
				...(outcome.timeZone ? { timeZone: outcome.timeZone } : {}),
			};
			if (!outcome.sendable) {
				notSendable(index, items[index].json, outcome, send);
				return;
			}
			routed[index] = {
				output: 0,
				item: {
					json: {
						...baseJson(items[index].json),
						sendable: true,
						send,
						unsubscribeUrl: buildUnsubscribeUrl(request.unsubscribeBase, request.email, secret, request.campaign),
						...(request.subscribeBase ? { subscribeUrl: buildSubscribeUrl(request.subscribeBase, request.email, secret, request.campaign) } : {}),
					},
					...(items[index].binary ? { binary: items[index].binary } : {}),
					pairedItem: { item: index },
				},
			};
		});
	}

	const outputs: INodeExecutionData[][] = [[], []];
	const reasons: NotSendableReason[] = [];
	for (const r of routed) {
		if (!r) continue;
		outputs[r.output].push(r.item);
		if (r.reason) reasons.push(r.reason);
	}
	if (reasons.length > 0) {
		this.addExecutionHints({
			message: `${plural(reasons.length, 'contact')} held back: ${summarizeReasons(reasons)}`,
			type: 'info',
			location: 'outputPane',
		});
	}
	return outputs;
}
