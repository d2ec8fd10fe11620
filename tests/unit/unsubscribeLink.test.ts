import { buildUnsubscribeUrl, newLinkSecret, unsubscribeToken, verifyUnsubscribeLink } from '../../lib/domain/unsubscribeLink';

const SECRET = 'a'.repeat(64);

function paramsOf(url: string) {
	return Object.fromEntries(new URL(url).searchParams);
}

describe('signed unsubscribe links', () => {
	it('builds a link that verifies to the same email and campaign', () => {
		const url = buildUnsubscribeUrl('https://n8n.example.com/webhook/unsubscribe', 'ada@example.com', SECRET, 'winback');
		expect(url.startsWith('https://n8n.example.com/webhook/unsubscribe?e=ada%40example.com&c=winback&t=')).toBe(true);
		expect(verifyUnsubscribeLink(paramsOf(url), SECRET)).toEqual({ valid: true, email: 'ada@example.com', campaign: 'winback' });
	});

	it('keeps the base URL query and works without a campaign', () => {
		const url = buildUnsubscribeUrl('http://127.0.0.1:5678/webhook/unsubscribe?lang=de', 'bob@example.com', SECRET);
		const params = paramsOf(url);
		expect(params.lang).toBe('de');
		expect(params.c).toBeUndefined();
		expect(verifyUnsubscribeLink(params, SECRET)).toEqual({ valid: true, email: 'bob@example.com' });
	});

	it.each([
		['another email', (p: Record<string, string>) => ({ ...p, e: 'eve@example.com' })],
		['another campaign', (p: Record<string, string>) => ({ ...p, c: 'welcome' })],
		['a dropped campaign', (p: Record<string, string>) => ({ e: p.e, t: p.t })],
		['a truncated token', (p: Record<string, string>) => ({ ...p, t: p.t.slice(0, 20) })],
		['a flipped token character', (p: Record<string, string>) => ({ ...p, t: (p.t[0] === 'A' ? 'B' : 'A') + p.t.slice(1) })],
		['no token', (p: Record<string, string>) => ({ e: p.e, c: p.c })],
		['a token for another secret', (p: Record<string, string>) => ({ ...p, t: unsubscribeToken(p.e, 'b'.repeat(64), p.c) })],
	])('rejects %s', (_name, alter) => {
		const params = paramsOf(buildUnsubscribeUrl('https://shop.example/u', 'ada@example.com', SECRET, 'winback'));
		expect(verifyUnsubscribeLink(alter(params), SECRET).valid).toBe(false);
	});

	it('rejects non-string parameters and empty links', () => {
		expect(verifyUnsubscribeLink({}, SECRET)).toEqual({ valid: false, reason: 'missing' });
		expect(verifyUnsubscribeLink({ e: ['ada@example.com'], t: ['x'] }, SECRET).valid).toBe(false);
	});

	it('refuses base URLs that are not http(s) and short secrets', () => {
		expect(() => buildUnsubscribeUrl('javascript:alert(1)', 'ada@example.com', SECRET)).toThrow('must start with https:// or http://');
		expect(() => buildUnsubscribeUrl('not a url', 'ada@example.com', SECRET)).toThrow('is not a URL');
		expect(() => unsubscribeToken('ada@example.com', 'short')).toThrow('at least 16 characters');
	});

	it('makes distinct random secrets', () => {
		const a = newLinkSecret();
		expect(a).toMatch(/^[0-9a-f]{64}$/);
		expect(newLinkSecret()).not.toBe(a);
	});
});
