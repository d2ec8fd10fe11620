import { cleanText, decodeEntities, escapeHtml, safeHttpUrl } from '../../lib/domain/htmlSafety';

describe('escapeHtml', () => {
	it('escapes the five characters that matter in text and quoted attributes', () => {
		expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
		expect(escapeHtml('"><img src=x onerror=alert(1)>')).toBe('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
		expect(escapeHtml('&amp;')).toBe('&amp;amp;');
		expect(escapeHtml('plain text ساعة')).toBe('plain text ساعة');
	});
});

describe('cleanText', () => {
	it('drops control characters, collapses whitespace and keeps every script', () => {
		expect(cleanText('  Trail\tshoe\n\n  size 42 \u0000\u0007')).toBe('Trail shoe size 42');
		expect(cleanText('ساعة يد ذكية')).toBe('ساعة يد ذكية');
		expect(cleanText('שעון חכם 👟')).toBe('שעון חכם 👟');
		expect(cleanText(12.5)).toBe('12.5');
		expect(cleanText(undefined)).toBe('');
		expect(cleanText({ a: 1 })).toBe('');
	});
	it('cuts long text on a code point, with an ellipsis', () => {
		expect(cleanText('abcdef', 3)).toBe('abc…');
		expect(cleanText('👟👟👟👟', 2)).toBe('👟👟…');
	});
});

describe('safeHttpUrl', () => {
	it('keeps absolute http(s) links, normalized', () => {
		expect(safeHttpUrl('https://shop.example.com/products/ipod-nano?variant=1&x=2')).toBe('https://shop.example.com/products/ipod-nano?variant=1&x=2');
		expect(safeHttpUrl('  HTTP://Shop.Example.com  ')).toBe('http://shop.example.com/');
		expect(safeHttpUrl('https://shop.example.com/a"b')).toBe('https://shop.example.com/a%22b');
		expect(safeHttpUrl('https://xn--mnchen-3ya.example/ü')).toBe('https://xn--mnchen-3ya.example/%C3%BC');
	});
	it.each([
		'javascript:alert(1)',
		' JaVaScRiPt:alert(1)',
		'java\nscript:alert(1)',
		'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
		'vbscript:msgbox(1)',
		'//evil.example/x',
		'/relative/path',
		'https:evil.example',
		'https:\\\\evil.example',
		'https://user:secret@evil.example/',
		'https://exa mple.com/',
		'mailto:someone@example.com',
		'ftp://files.example.com/',
		'',
	])('rejects %j', (url) => {
		expect(safeHttpUrl(url)).toBeUndefined();
	});
	it('rejects links over 2000 characters and what is not text', () => {
		expect(safeHttpUrl(`https://example.com/${'a'.repeat(2001)}`)).toBeUndefined();
		expect(safeHttpUrl(42)).toBeUndefined();
		expect(safeHttpUrl(null)).toBeUndefined();
	});
});

describe('decodeEntities', () => {
	it('turns WordPress entities into text, leaving unknown ones as they are', () => {
		expect(decodeEntities('Ship Your Idea &ndash; Color: Black')).toBe('Ship Your Idea \u2013 Color: Black');
		expect(decodeEntities('Tom&#8217;s mug &amp; saucer &#x2014; &lt;b&gt;')).toBe('Tom\u2019s mug & saucer \u2014 <b>');
		expect(decodeEntities('&bogus; &#0; &#xD800; AT&T')).toBe('&bogus; &#0; &#xD800; AT&T');
	});
});
