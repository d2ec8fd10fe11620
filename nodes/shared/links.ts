import type { IExecuteFunctions } from 'n8n-workflow';
import type { ContactStore } from '../../lib/store';
import { STORE_CREDENTIAL } from './store';

/**
 * The secret that signs unsubscribe links: the credential's "Link Signing Secret" when set,
 * otherwise the random secret the store keeps (so it works with no setup and is shared by every
 * n8n process using the same store).
 */
export async function linkSecret(ctx: IExecuteFunctions, store: ContactStore): Promise<string> {
	if (ctx.getNode().credentials?.[STORE_CREDENTIAL]) {
		const data = await ctx.getCredentials(STORE_CREDENTIAL);
		const secret = typeof data?.linkSecret === 'string' ? data.linkSecret.trim() : '';
		if (secret) return secret;
	}
	return await store.getLinkSecret();
}

/** Where the shipped "Unsubscribe" workflow listens, relative to n8n's webhook base URL. */
export const UNSUBSCRIBE_WEBHOOK_PATH = 'ecommerce-unsubscribe';

/** Where the shipped "Subscription and Welcome" workflow receives clicks on signed subscribe links. */
export const SUBSCRIBE_WEBHOOK_PATH = 'ecommerce-confirm-subscription';
