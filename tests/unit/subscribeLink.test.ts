import { buildSubscribeUrl, subscribeToken, verifySubscribeLink } from '../../lib/domain/subscribeLink';
import { buildUnsubscribeUrl, verifyUnsubscribeLink } from '../../lib/domain/unsubscribeLink';

const SECRET = 'a'.repeat(64);
const BASE = 'https://n8n.example.com/webhook/ecommerce-confirm-subscription';

function paramsOf(url: string) {
	return Object.fromEntries(new URL(url).searchParams);
}

describe('signed subscribe (double opt-in) links', () => {
	it('builds a link that verifies to the same email and campaign', () => {
		const url = buildSubscribeUrl(BASE, 'ada@example.com', SECRET, 'subscription-invite');
		expect(url.startsWith(`${BASE}?e=ada%40example.com&c=subscription-invite&t=`)).toBe(true);
		expect(verifySubscribeLink(paramsOf(url), SECRET)).toEqual({ valid: true, email: 'ada@example.com', campaign: 'subscription-invite' });
		expect(paramsOf(url).t).toBe(subscribeToken('ada@example.com', SECRET, 'subscription-invite'));
	});

	it('never confirms with an unsubscribe link, nor unsubscribes with a subscribe link', () => {
		const unsubscribe = paramsOf(buildUnsubscribeUrl(BASE, 'ada@example.com', SECRET, 'welcome'));
		const subscribe = paramsOf(buildSubscribeUrl(BASE, 'ada@example.com', SECRET, 'welcome'));
		expect(subscribe.t).not.toBe(unsubscribe.t);
		expect(verifySubscribeLink(unsubscribe, SECRET)).toEqual({ valid: false, reason: 'bad_signature' });
		expect(verifyUnsubscribeLink(subscribe, SECRET)).toEqual({ valid: false, reason: 'bad_signature' });
	});

	it.each([
		['another email', (p: Record<string, string>) => ({ ...p, e: 'eve@example.com' })],
		['another campaign', (p: Record<string, string>) => ({ ...p, c: 'welcome' })],
		['a truncated token', (p: Record<string, string>) => ({ ...p, t: p.t.slice(0, 20) })],
		['a token for another secret', (p: Record<string, string>) => ({ ...p, t: subscribeToken(p.e, 'b'.repeat(64), p.c) })],
	])('rejects %s', (_name, alter) => {
		const params = paramsOf(buildSubscribeUrl(BASE, 'ada@example.com', SECRET, 'subscription-invite'));
		expect(verifySubscribeLink(alter(params), SECRET).valid).toBe(false);
	});

	it('names its own field when the base URL is wrong', () => {
		expect(() => buildSubscribeUrl('javascript:alert(1)', 'ada@example.com', SECRET)).toThrow('"Subscribe Link Base URL" must start with https:// or http://');
		expect(() => buildSubscribeUrl('nope', 'ada@example.com', SECRET)).toThrow('"Subscribe Link Base URL" is not a URL');
	});
});
