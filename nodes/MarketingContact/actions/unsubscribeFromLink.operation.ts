import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { isValidEmail, normalizeEmail } from '../../../lib/domain/email';
import { verifyUnsubscribeLink } from '../../../lib/domain/unsubscribeLink';
import type { ContactStore } from '../../../lib/store';
import { linkSecret } from '../../shared/links';
import { linkParametersProperty, writeOptions, writeOptionsProperty, writeOutput } from './common';

const show = { operation: ['unsubscribeFromLink'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Put this behind a Webhook node that receives the clicked unsubscribe link (the shipped "Unsubscribe" workflow does). Links are signed: a forged or altered one changes nothing.',
		name: 'unsubscribeFromLinkNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	linkParametersProperty('unsubscribeFromLink'),
	writeOptionsProperty('unsubscribeFromLink'),
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const raw = this.getNodeParameter('linkParameters', i, {}) as unknown;
	let params: IDataObject = {};
	if (typeof raw === 'string') {
		try {
			params = JSON.parse(raw) as IDataObject;
		} catch {
			params = {};
		}
	} else if (raw && typeof raw === 'object') {
		params = raw as IDataObject;
	}
	const verified = verifyUnsubscribeLink(params, await linkSecret(this, store));
	const email = normalizeEmail(verified.email);
	if (!verified.valid || !isValidEmail(email)) {
		return { valid: false, unsubscribed: false, reason: verified.reason ?? 'bad_email' };
	}
	// Unsubscribing is idempotent: a second click finds the contact already suppressed.
	const options = writeOptions(this, i);
	const result = await store.unsubscribe(email, 'unsubscribed', { ...options, note: verified.campaign ? `link:${verified.campaign}` : 'link' });
	return { valid: true, unsubscribed: true, email, campaign: verified.campaign ?? null, ...writeOutput(result) };
}
