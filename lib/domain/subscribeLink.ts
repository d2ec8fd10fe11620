import { buildSignedLink, signedLinkToken, verifySignedLink, type VerifiedLink } from './unsubscribeLink';

/**
 * Signed double opt-in links: "yes, subscribe me" links for invitation and confirmation
 * emails. Same scheme as unsubscribe links (the email and optional campaign, HMAC-SHA256 with
 * the store's link-signing secret), with their own purpose: an unsubscribe link never confirms
 * a subscription, and a confirm link never unsubscribes.
 */

const PURPOSE = 'subscribe.v1';

export function subscribeToken(email: string, secret: string, campaign = ''): string {
	return signedLinkToken(PURPOSE, email, secret, campaign);
}

/** Adds `e` (email), `c` (campaign, when given) and `t` (token) to the base URL's query string. */
export function buildSubscribeUrl(baseUrl: string, email: string, secret: string, campaign = ''): string {
	return buildSignedLink(PURPOSE, baseUrl, email, secret, campaign, 'Subscribe Link Base URL');
}

/** Checks the parameters of a clicked confirm link (`e`, `c`, `t`), in constant time. */
export function verifySubscribeLink(params: { e?: unknown; c?: unknown; t?: unknown }, secret: string): VerifiedLink {
	return verifySignedLink(PURPOSE, params, secret);
}
