import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { isValidEmail, normalizeEmail } from '../../../lib/domain/email';
import { verifySubscribeLink } from '../../../lib/domain/subscribeLink';
import type { ContactStore } from '../../../lib/store';
import { linkSecret } from '../../shared/links';
import { linkParametersProperty, writeOptions, writeOptionsProperty, writeOutput } from './common';

const show = { operation: ['subscribeFromLink'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Put this behind a Webhook node that receives the clicked "yes, subscribe me" link (the Segment node\'s Sendable guard adds one with "Add Subscribe Link"). Links are signed: a forged or altered one changes nothing. Bounced and spam-complaint addresses stay suppressed.',
		name: 'subscribeFromLinkNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	linkParametersProperty('subscribeFromLink'),
	writeOptionsProperty('subscribeFromLink'),
];

function linkParameters(raw: unknown): IDataObject {
	if (typeof raw === 'string') {
		try {
			const parsed = JSON.parse(raw) as unknown;
			return parsed && typeof parsed === 'object' ? (parsed as IDataObject) : {};
		} catch {
			return {};
		}
	}
	return raw && typeof raw === 'object' ? (raw as IDataObject) : {};
}

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const verified = verifySubscribeLink(linkParameters(this.getNodeParameter('linkParameters', i, {})), await linkSecret(this, store));
	const email = normalizeEmail(verified.email);
	if (!verified.valid || !isValidEmail(email)) {
		return { valid: false, subscribed: false, reason: verified.reason ?? 'bad_email' };
	}
	// A click on the link is fresh, explicit consent: it may lift an earlier unsubscribe (never a bounce or complaint).
	const result = await store.upsertProfile({ email, status: 'subscribed', liftSuppression: true }, writeOptions(this, i));
	const subscribed = result.contact.status === 'subscribed' && !result.contact.suppressed;
	return { valid: true, subscribed, email, campaign: verified.campaign ?? null, ...writeOutput(result) };
}
