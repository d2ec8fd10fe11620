/**
 * Is an email's HTML safe to send? It is parsed as a browser (and a webmail) parses it, with
 * parse5 (the WHATWG HTML parsing algorithm), and every element and attribute is checked:
 * - only the elements an MJML email is made of (no script, iframe, object, embed, form, svg,
 *   math, base, link, frame…; no meta refresh);
 * - no event handler attribute (on…), no srcdoc;
 * - every link-carrying attribute (href, src, background, action, poster, srcset…) is empty or
 *   an absolute http(s) URL, judged after entity decoding and after removing the whitespace and
 *   control characters browsers ignore in a scheme ("java\tscript:", "&#106;avascript:");
 * - no script in CSS (style attributes and <style>: expression(), javascript:, behavior…);
 * - Outlook's conditional comments (<!--[if mso]>…<![endif]-->), which Outlook renders, are
 *   parsed and checked the same way.
 */
import { parse, parseFragment } from 'parse5';

interface Node {
	nodeName: string;
	tagName?: string;
	attrs?: Array<{ name: string; value: string }>;
	childNodes?: Node[];
	content?: Node;
	value?: string;
	data?: string;
}

/** What an MJML email is made of (and the extra markup of the built-in templates). */
const ALLOWED_ELEMENTS = new Set([
	'html', 'head', 'title', 'meta', 'style', 'body', 'div', 'span', 'p', 'a', 'img', 'br', 'hr', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th',
	'center', 'font', 's', 'strike', 'del', 'strong', 'b', 'em', 'i', 'u', 'small', 'sup', 'sub', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li',
	'blockquote', 'pre', 'code', 'col', 'colgroup', 'caption', 'label',
	// Outlook's own (VML and Office) elements inside conditional comments.
	'noscript', 'xml', 'o:officedocumentsettings', 'o:allowpng', 'o:pixelsperinch',
]);

const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'background', 'poster', 'lowsrc', 'dynsrc', 'srcset', 'xlink:href', 'data', 'cite', 'longdesc', 'usemap', 'manifest', 'codebase', 'profile', 'ping']);
const DANGEROUS_CSS = /expression\s*\(|javascript:|vbscript:|-moz-binding|behavior\s*:|@import|url\s*\(\s*['"]?\s*(?!https?:)[a-z]+:/i;

/** A URL as a browser reads its scheme: ASCII whitespace and controls anywhere are ignored. */
function schemeView(value: string): string {
	return value.replace(/[\u0000-\u0020\u007F]+/g, '').toLowerCase();
}

function isSafeLink(value: string): boolean {
	const v = schemeView(value);
	return v === '' || v.startsWith('http://') || v.startsWith('https://');
}

function checkCss(css: string, where: string, problems: string[]) {
	if (DANGEROUS_CSS.test(css)) problems.push(`${where}: script in CSS: ${JSON.stringify(css.slice(0, 120))}`);
}

function walk(node: Node, problems: string[], path: string) {
	if (node.nodeName === '#comment') {
		const text = node.data ?? '';
		// Conditional comments are markup for Outlook: check what they hold as HTML.
		if (/^\s*\[if\b/i.test(text)) {
			const inner = text.replace(/^\s*\[if[^\]]*\]>/i, '').replace(/<!\[endif\]\s*$/i, '');
			walk(parseFragment(inner) as unknown as Node, problems, `${path}/<!--[if]-->`);
		} else if (/<\s*script|javascript:/i.test(text)) {
			problems.push(`${path}: a comment holds markup or a script: ${JSON.stringify(text.slice(0, 120))}`);
		}
		return;
	}
	if (node.tagName) {
		const tag = node.tagName.toLowerCase();
		const here = `${path}/${tag}`;
		if (!ALLOWED_ELEMENTS.has(tag) && !tag.startsWith('v:')) problems.push(`${here}: element <${tag}> is not allowed in an email`);
		for (const { name, value } of node.attrs ?? []) {
			const attr = name.toLowerCase();
			if (attr.startsWith('on')) problems.push(`${here}: event handler attribute ${attr}=${JSON.stringify(value.slice(0, 80))}`);
			if (attr === 'srcdoc') problems.push(`${here}: srcdoc attribute`);
			if (URL_ATTRIBUTES.has(attr) && !isSafeLink(attr === 'srcset' ? value.split(/\s+/)[0] ?? '' : value)) {
				problems.push(`${here}: ${attr} is not an http(s) link: ${JSON.stringify(value.slice(0, 120))}`);
			}
			if (attr === 'style') checkCss(value, `${here}[style]`, problems);
			if (tag === 'meta' && attr === 'http-equiv' && value.toLowerCase() === 'refresh') problems.push(`${here}: meta refresh`);
		}
		if (tag === 'style') checkCss((node.childNodes ?? []).map((c) => c.value ?? '').join(''), here, problems);
	}
	for (const child of node.childNodes ?? []) walk(child, problems, node.tagName ? `${path}/${node.tagName}` : path);
	if (node.content) walk(node.content, problems, `${path}/template`);
}

/** Everything unsafe in an email's HTML, in words (empty: safe). */
export function htmlProblems(html: string): string[] {
	const problems: string[] = [];
	walk(parse(html) as unknown as Node, problems, '');
	return problems;
}

/** The visible text of an email's HTML (entities decoded), for checking what data it shows. */
export function htmlText(html: string): string {
	const parts: string[] = [];
	const collect = (node: Node) => {
		if (node.nodeName === '#text') parts.push(node.value ?? '');
		if (node.tagName && ['style', 'script', 'title'].includes(node.tagName)) return;
		for (const child of node.childNodes ?? []) collect(child);
	};
	collect(parse(html) as unknown as Node);
	return parts.join('');
}

/** Attribute values of the document (decoded): all of them, or those of the named attributes. */
export function htmlAttributeValues(html: string, names?: string[]): string[] {
	const values: string[] = [];
	const collect = (node: Node) => {
		for (const { name, value } of node.attrs ?? []) if (!names || names.includes(name.toLowerCase())) values.push(value);
		for (const child of node.childNodes ?? []) collect(child);
	};
	collect(parse(html) as unknown as Node);
	return values;
}

const SCHEME_IN_TEXT = /(?:^|[\s<("'])((?:[a-z][a-z0-9+.-]*):\S+)/gi;

/**
 * What is unsafe in an email's plain-text part: a link-like token (scheme:…) that is not an
 * absolute http(s) URL (mail clients turn those into links), or a control character other
 * than a line break.
 */
export function textProblems(text: string): string[] {
	const problems: string[] = [];
	for (const match of text.matchAll(SCHEME_IN_TEXT)) {
		const token = match[1];
		const scheme = schemeView(token.split(':')[0]);
		if (['javascript', 'vbscript', 'data', 'file'].includes(scheme)) problems.push(`a ${scheme}: link in the text: ${JSON.stringify(token.slice(0, 80))}`);
	}
	if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/.test(text)) problems.push('a control or bidi override character in the text');
	return problems;
}
