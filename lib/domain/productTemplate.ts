/**
 * Product Block templates: MJML with a tiny, always-escaping placeholder language,
 * compiled by MJML once per shape and then filled per email by plain string joins.
 *
 * The language
 * - `{{heading}}`, `{{product.title}}`: a value, HTML-escaped. Allowed in the text of
 *   <mj-text>, <mj-button>, <mj-title>, <mj-preview>, <mj-raw>, <mj-table>… and in the
 *   href, src, alt, title (and lang) attributes. In href and src a placeholder at the
 *   start of the value must hold an http(s) URL (anything else becomes empty); after
 *   other text it is URL-encoded.
 * - `{{#products}}…{{/products}}`: repeated for each product, which is `{{product.…}}`
 *   inside. `{{#rows}}…{{/rows}}` repeats per row of the grid; inside it `{{#products}}`
 *   loops over that row's products.
 * - `{{#name}}…{{/name}}` shows its content when the value is not empty,
 *   `{{^name}}…{{/name}}` when it is. `{{! comment }}` is dropped.
 * - `{{theme.color}}` is the brand colour, put into the template before MJML sees it
 *   (so it may go in any attribute).
 * There is no raw output: data can never add markup.
 *
 * Compiled once, filled per email
 * For one email's data, a walk of the template records its shape (which sections
 * are taken, how many times loops run, which attributes and text blocks are empty
 * where MJML renders emptiness differently) and its slots: every escaped attribute
 * value and every text block (the content of an <mj-text>, <mj-button>… holding
 * placeholders, rendered and trimmed as MJML trims it). The first email of a shape
 * has its MJML written with a token per slot, compiled by mjml2html and split at the
 * tokens; every email of that shape is then the split HTML joined with its slots.
 * MJML copies text-block content and these attribute values verbatim, so the result
 * is byte-identical to running mjml2html on the MJML filled with the same values —
 * the tests and `npm run bench productBlock` check this. Text inside blocks (coupon,
 * variant, compare-at price, badges) never makes a new shape; the product count and
 * a missing image do, so a built-in template has about one shape per product count.
 * Templates with inline CSS (<mj-style inline="inline">) or <mj-html-attributes>
 * post-process the whole HTML: they are filled before MJML, one compile per email.
 */
import mjml2html from 'mjml';
import { InputError } from './errors';
import { escapeHtml, safeHttpUrl } from './htmlSafety';

// ------------------------------------------------------------------ the data a template sees

export interface ProductView {
	title: string;
	variant?: string;
	price?: string;
	compareAtPrice?: string;
	quantity?: string;
	quantityText?: string;
	imageUrl?: string;
	url?: string;
	lowStock?: string;
	productType?: string;
	vendor?: string;
	sku?: string;
	position: string;
}

export interface RowView {
	products: ProductView[];
	position: string;
}

export interface TemplateView {
	lang: string;
	subject: string;
	preheader: string;
	heading: string;
	intro?: string;
	productCount: string;
	products: ProductView[];
	rows: RowView[];
	button?: { text: string; url: string };
	coupon?: { code: string; text?: string; expires?: string };
	brand: { name?: string; logoUrl?: string; url?: string; address?: string };
	unsubscribe?: { url: string; text: string };
	contact: { firstName?: string; lastName?: string; email?: string };
}

export interface TemplateTheme {
	/** Buttons, links and the coupon frame: #rgb, #rrggbb or a CSS colour name. */
	color: string;
}

type Field = 'text' | 'url';
type ListOf = { list: 'product' | 'row' };
type Shape = { [name: string]: Field | ListOf | Shape };

function isList(value: Field | ListOf | Shape): value is ListOf {
	return typeof value !== 'string' && typeof (value as ListOf).list === 'string';
}

const PRODUCT: Shape = {
	title: 'text',
	variant: 'text',
	price: 'text',
	compareAtPrice: 'text',
	quantity: 'text',
	quantityText: 'text',
	imageUrl: 'url',
	url: 'url',
	lowStock: 'text',
	productType: 'text',
	vendor: 'text',
	sku: 'text',
	position: 'text',
};
const ROW: Shape = { products: { list: 'product' }, position: 'text' };
const TOP: Shape = {
	lang: 'text',
	subject: 'text',
	preheader: 'text',
	heading: 'text',
	intro: 'text',
	productCount: 'text',
	products: { list: 'product' },
	rows: { list: 'row' },
	button: { text: 'text', url: 'url' },
	coupon: { code: 'text', text: 'text', expires: 'text' },
	brand: { name: 'text', logoUrl: 'url', url: 'url', address: 'text' },
	unsubscribe: { url: 'url', text: 'text' },
	contact: { firstName: 'text', lastName: 'text', email: 'text' },
};

/** Every placeholder name, for error messages and documentation. */
export const PLACEHOLDER_NAMES: string[] = (() => {
	const names: string[] = [];
	const walk = (shape: Shape, prefix: string) => {
		for (const [key, value] of Object.entries(shape)) {
			if (typeof value === 'string') names.push(prefix + key);
			else if (isList(value)) names.push(`#${prefix}${key}`);
			else walk(value as Shape, `${prefix}${key}.`);
		}
	};
	walk(TOP, '');
	walk(PRODUCT, 'product.');
	return names;
})();

// ------------------------------------------------------------------ syntax tree

/** Where a value lands: HTML text, an attribute, a whole URL, or a part of a URL. */
type Context = 'text' | 'attr' | 'url' | 'urlPart';

interface TextNode {
	kind: 'text';
	text: string;
}
interface VarNode {
	kind: 'var';
	name: string;
	frame: number;
	path: string[];
	context: Context;
}
interface SectionNode {
	kind: 'section';
	name: string;
	frame: number;
	path: string[];
	inverted: boolean;
	loop?: 'product' | 'row';
	children: TemplateNode[];
}
/** The content of a text block (<mj-text>…): rendered at fill time, as MJML copies it verbatim. */
interface BlockNode {
	kind: 'block';
	/** MJML renders this element the same whether its content is empty or not (checked by the tests). */
	emptySafe: boolean;
	children: TemplateNode[];
}
type TemplateNode = TextNode | VarNode | SectionNode | BlockNode;

/** MJML elements whose content is raw HTML, copied into the output as written (trimmed). */
const ENDING_TAGS = new Set([
	'mj-breakpoint',
	'mj-preview',
	'mj-style',
	'mj-title',
	'mj-button',
	'mj-raw',
	'mj-text',
	'mj-table',
	'mj-social-element',
	'mj-navbar-link',
	'mj-accordion-text',
	'mj-accordion-title',
	'mj-carousel-image',
]);
/** Of those, the ones whose content may hold placeholders. */
const TEXT_BLOCK_TAGS = new Set([
	'mj-preview',
	'mj-title',
	'mj-button',
	'mj-raw',
	'mj-text',
	'mj-table',
	'mj-social-element',
	'mj-navbar-link',
	'mj-accordion-text',
	'mj-accordion-title',
]);
/** Text blocks whose empty content renders like a filled one (an empty <mj-preview> or <mj-title> does not). */
export const EMPTY_SAFE_BLOCKS = new Set(['mj-text', 'mj-button', 'mj-table', 'mj-raw', 'mj-navbar-link', 'mj-accordion-text']);
const URL_ATTRIBUTES = new Set(['href', 'src']);
const TEXT_ATTRIBUTES = new Set(['alt', 'title', 'lang']);
const NAME_RE = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

export const THEME_DEFAULTS: TemplateTheme = { color: '#1f6feb' };
const COLOR_RE = /^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[a-zA-Z]{3,20})$/;

export function normalizeColor(value: unknown, field: string): string | undefined {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
	const text = String(value).trim();
	if (!COLOR_RE.test(text)) throw new InputError(`"${field}" must be a colour such as #1f6feb (got ${JSON.stringify(text).slice(0, 40)})`, field);
	return text;
}

// ------------------------------------------------------------------ parser

interface Scope {
	name: string;
	shape: Shape;
}

interface MustacheTag {
	type: 'var' | 'open' | 'inverted' | 'close' | 'comment';
	name: string;
	start: number;
	end: number;
}

class TemplateParser {
	private pos = 0;
	/** Loop scopes: index 0 is the whole view; each loop adds one. */
	private readonly scopes: Scope[][] = [[{ name: '', shape: TOP }]];
	private elementIds: number[] = [0];
	private nextElementId = 1;

	constructor(
		private readonly src: string,
		private readonly field: string,
	) {}

	parse(): TemplateNode[] {
		const root = this.parseMjml(this.src.length);
		if (!/<mjml[\s>]/.test(this.src)) this.fail('it has no <mjml> root element', 0);
		return root;
	}

	private line(at: number): number {
		let n = 1;
		for (let i = 0; i < at && i < this.src.length; i++) if (this.src.charCodeAt(i) === 10) n++;
		return n;
	}

	private fail(message: string, at: number, hint?: string): never {
		throw new InputError(
			`${this.field}, line ${this.line(at)}: ${message}`,
			this.field,
			hint ??
				'Placeholders go in text (<mj-text>, <mj-button>…) and in href, src, alt or title attributes; sections ({{#…}}…{{/…}}) wrap whole elements or text',
		);
	}

	private readMustache(at: number): MustacheTag {
		if (this.src.startsWith('{{{', at)) this.fail('{{{…}}} (unescaped output) is not supported: every value is escaped', at);
		const close = this.src.indexOf('}}', at + 2);
		if (close < 0) this.fail('a "{{" is never closed with "}}"', at);
		const inner = this.src.slice(at + 2, close).trim();
		const end = close + 2;
		const sigil = inner[0];
		if (sigil === '!') return { type: 'comment', name: '', start: at, end };
		if (sigil === '&' || sigil === '>' || sigil === '=' || sigil === '{') {
			this.fail(`"{{${inner}}}" is not supported: use {{name}}, {{#name}}…{{/name}} or {{^name}}…{{/name}}`, at);
		}
		const type = sigil === '#' ? 'open' : sigil === '^' ? 'inverted' : sigil === '/' ? 'close' : 'var';
		const name = (type === 'var' ? inner : inner.slice(1)).trim();
		if (!NAME_RE.test(name)) this.fail(`"{{${inner}}}" is not a placeholder name`, at);
		return { type, name, start: at, end };
	}

	/** Resolves a name against the scopes in force; returns the frame index, path and what it names. */
	private resolve(name: string, at: number): { frame: number; path: string[]; target: Field | ListOf | Shape } {
		const path = name.split('.');
		if (path[0] === 'theme') this.fail(`{{${name}}} is not a theme setting (use {{theme.color}})`, at);
		const frames = this.scopes;
		for (let f = frames.length - 1; f >= 0; f--) {
			for (const scope of frames[f]) {
				let target: Field | ListOf | Shape | undefined;
				if (scope.name === '') target = scope.shape[path[0]];
				else if (scope.name === path[0]) target = scope.shape;
				else continue;
				if (target === undefined) continue;
				for (let i = 1; i < path.length; i++) {
					if (typeof target === 'string' || isList(target)) {
						target = undefined;
						break;
					}
					target = (target as Shape)[path[i]];
					if (target === undefined) break;
				}
				if (target === undefined) break;
				return { frame: f, path, target };
			}
		}
		const inLoop = frames.length > 1;
		this.fail(
			`unknown placeholder {{${name}}}`,
			at,
			`Known names: ${PLACEHOLDER_NAMES.filter((n) => inLoop || !n.startsWith('product.')).join(', ')}${inLoop ? '' : ' (product.… inside {{#products}}…{{/products}})'}`,
		);
	}

	private varNode(tag: MustacheTag, context: Context): VarNode {
		const { frame, path, target } = this.resolve(tag.name, tag.start);
		if (typeof target !== 'string') {
			const list = isList(target);
			this.fail(`{{${tag.name}}} is a ${list ? 'list' : 'group'}: use {{#${tag.name}}}…{{/${tag.name}}}${list ? '' : ' or one of its fields'}`, tag.start);
		}
		return { kind: 'var', name: tag.name, frame, path, context };
	}

	private openSection(tag: MustacheTag): SectionNode {
		const { frame, path, target } = this.resolve(tag.name, tag.start);
		const node: SectionNode = { kind: 'section', name: tag.name, frame, path, inverted: tag.type === 'inverted', children: [] };
		if (isList(target)) {
			node.loop = target.list;
			if (!node.inverted) {
				this.scopes.push(
					target.list === 'product'
						? [{ name: 'product', shape: PRODUCT }]
						: [
								{ name: 'row', shape: ROW },
								{ name: '', shape: { products: { list: 'product' } } },
							],
				);
			}
		}
		return node;
	}

	private closeSection(node: SectionNode) {
		if (node.loop && !node.inverted) this.scopes.pop();
	}

	/** The MJML level: elements, attributes and sections around whole elements. */
	private parseMjml(end: number): TemplateNode[] {
		const root: TemplateNode[] = [];
		const stack: Array<{ nodes: TemplateNode[]; section?: SectionNode; elementId: number; at: number }> = [
			{ nodes: root, elementId: 0, at: 0 },
		];
		const out = () => stack[stack.length - 1].nodes;
		const text = (s: string) => {
			if (!s) return;
			const nodes = out();
			const last = nodes[nodes.length - 1];
			if (last?.kind === 'text') last.text += s;
			else nodes.push({ kind: 'text', text: s });
		};
		const src = this.src;
		while (this.pos < end) {
			const lt = src.indexOf('<', this.pos);
			const mu = src.indexOf('{{', this.pos);
			const next = Math.min(lt < 0 ? end : lt, mu < 0 ? end : mu, end);
			text(src.slice(this.pos, next));
			this.pos = next;
			if (next >= end) break;
			if (next === mu) {
				const tag = this.readMustache(next);
				this.pos = tag.end;
				if (tag.type === 'comment') continue;
				if (tag.type === 'var') this.fail(`{{${tag.name}}} is outside any text: put it inside an <mj-text> (or <mj-button>…) or an href, src, alt or title attribute`, tag.start);
				const elementId = this.elementIds[this.elementIds.length - 1];
				if (tag.type === 'open' || tag.type === 'inverted') {
					const section = this.openSection(tag);
					out().push(section);
					stack.push({ nodes: section.children, section, elementId, at: tag.start });
				} else {
					const top = stack[stack.length - 1];
					if (!top.section) this.fail(`{{/${tag.name}}} closes a section that was never opened`, tag.start);
					if (top.section.name !== tag.name) this.fail(`{{/${tag.name}}} closes {{#${top.section.name}}} (line ${this.line(top.at)})`, tag.start);
					if (top.elementId !== elementId) {
						this.fail(`the section {{#${tag.name}}} (line ${this.line(top.at)}) must open and close inside the same element`, tag.start);
					}
					this.closeSection(top.section);
					stack.pop();
				}
				continue;
			}
			if (src.startsWith('<!--', next)) {
				const close = src.indexOf('-->', next + 4);
				const stop = close < 0 ? end : close + 3;
				if (src.slice(next, stop).includes('{{')) this.fail('placeholders inside <!-- comments --> are not supported', next);
				text(src.slice(next, stop));
				this.pos = stop;
				continue;
			}
			if (src.startsWith('</', next)) {
				const close = src.indexOf('>', next);
				const stop = close < 0 ? end : close + 1;
				const name = /^<\/\s*([A-Za-z][\w:-]*)/.exec(src.slice(next, stop))?.[1];
				if (src.slice(next, stop).includes('{{')) this.fail('placeholder inside a closing tag', next);
				if (name && this.elementIds.length > 1) this.elementIds.pop();
				text(src.slice(next, stop));
				this.pos = stop;
				continue;
			}
			if (/[A-Za-z]/.test(src[next + 1] ?? '')) {
				const tag = this.parseTag(next, 'mjml', (s) => text(s), (n) => out().push(n));
				this.pos = tag.end;
				if (tag.selfClosing) continue;
				this.elementIds.push(this.nextElementId++);
				if (ENDING_TAGS.has(tag.name)) {
					const close = src.indexOf(`</${tag.name}`, this.pos);
					if (close < 0) this.fail(`<${tag.name}> is never closed`, next);
					const content = src.slice(this.pos, close);
					if (!TEXT_BLOCK_TAGS.has(tag.name)) {
						if (content.includes('{{')) this.fail(`placeholders are not supported inside <${tag.name}>`, this.pos);
						text(content);
					} else if (!content.includes('{{')) {
						text(content);
					} else {
						const block: BlockNode = { kind: 'block', emptySafe: EMPTY_SAFE_BLOCKS.has(tag.name), children: this.parseHtml(close) };
						out().push(block);
					}
					this.pos = close;
				}
				continue;
			}
			text('<');
			this.pos = next + 1;
		}
		if (stack.length > 1) {
			const top = stack[stack.length - 1];
			this.fail(`{{#${top.section!.name}}} is never closed with {{/${top.section!.name}}}`, top.at);
		}
		return root;
	}

	/** The content of a text block: HTML text, tags and sections, up to `end`. */
	private parseHtml(end: number): TemplateNode[] {
		const root: TemplateNode[] = [];
		const stack: Array<{ nodes: TemplateNode[]; section?: SectionNode; at: number }> = [{ nodes: root, at: this.pos }];
		const out = () => stack[stack.length - 1].nodes;
		const text = (s: string) => {
			if (!s) return;
			const nodes = out();
			const last = nodes[nodes.length - 1];
			if (last?.kind === 'text') last.text += s;
			else nodes.push({ kind: 'text', text: s });
		};
		const src = this.src;
		while (this.pos < end) {
			const lt = src.indexOf('<', this.pos);
			const mu = src.indexOf('{{', this.pos);
			const next = Math.min(lt < 0 || lt > end ? end : lt, mu < 0 || mu > end ? end : mu);
			text(src.slice(this.pos, next));
			this.pos = next;
			if (next >= end) break;
			if (next === mu) {
				const tag = this.readMustache(next);
				if (tag.end > end) this.fail('a placeholder runs past the end of its text block', next);
				this.pos = tag.end;
				if (tag.type === 'comment') continue;
				if (tag.type === 'var') {
					out().push(this.varNode(tag, 'text'));
				} else if (tag.type === 'open' || tag.type === 'inverted') {
					const section = this.openSection(tag);
					out().push(section);
					stack.push({ nodes: section.children, section, at: tag.start });
				} else {
					const top = stack[stack.length - 1];
					if (!top.section) this.fail(`{{/${tag.name}}} closes a section that was not opened in this text block`, tag.start);
					if (top.section.name !== tag.name) this.fail(`{{/${tag.name}}} closes {{#${top.section.name}}} (line ${this.line(top.at)})`, tag.start);
					this.closeSection(top.section);
					stack.pop();
				}
				continue;
			}
			if (src.startsWith('<!--', next)) {
				const close = src.indexOf('-->', next + 4);
				const stop = close < 0 || close + 3 > end ? end : close + 3;
				if (src.slice(next, stop).includes('{{')) this.fail('placeholders inside <!-- comments --> are not supported', next);
				text(src.slice(next, stop));
				this.pos = stop;
				continue;
			}
			if (src[next + 1] === '/' || /[A-Za-z]/.test(src[next + 1] ?? '')) {
				if (src[next + 1] === '/') {
					const close = src.indexOf('>', next);
					const stop = close < 0 || close >= end ? end : close + 1;
					if (src.slice(next, stop).includes('{{')) this.fail('placeholder inside a closing tag', next);
					text(src.slice(next, stop));
					this.pos = stop;
					continue;
				}
				const tag = this.parseTag(next, 'html', (s) => text(s), (n) => out().push(n));
				if (tag.end > end) this.fail(`<${tag.name}> runs past the end of its text block`, next);
				this.pos = tag.end;
				if (!tag.selfClosing && (tag.name === 'style' || tag.name === 'script')) {
					const close = src.toLowerCase().indexOf(`</${tag.name}`, this.pos);
					const stop = close < 0 || close > end ? end : close;
					if (src.slice(this.pos, stop).includes('{{')) this.fail(`placeholders are not supported inside <${tag.name}>`, this.pos);
					text(src.slice(this.pos, stop));
					this.pos = stop;
				}
				continue;
			}
			text('<');
			this.pos = next + 1;
		}
		if (stack.length > 1) {
			const top = stack[stack.length - 1];
			this.fail(`{{#${top.section!.name}}} must be closed inside the same text block`, top.at);
		}
		return root;
	}

	/** A start tag: its text, with placeholders in attribute values turned into value nodes. */
	private parseTag(
		at: number,
		level: 'mjml' | 'html',
		text: (s: string) => void,
		push: (node: TemplateNode) => void,
	): { name: string; end: number; selfClosing: boolean } {
		const src = this.src;
		const nameMatch = /^<([A-Za-z][\w:-]*)/.exec(src.slice(at, at + 100));
		const name = nameMatch![1].toLowerCase();
		let i = at + nameMatch![0].length;
		let literalStart = at;
		const flush = (upTo: number) => {
			text(src.slice(literalStart, upTo));
			literalStart = upTo;
		};
		for (;;) {
			while (i < src.length && /\s/.test(src[i])) i++;
			if (i >= src.length) this.fail(`<${name}> is never closed with ">"`, at);
			if (src[i] === '>') {
				flush(i + 1);
				return { name, end: i + 1, selfClosing: level === 'html' && VOID_ELEMENTS.has(name) };
			}
			if (src.startsWith('/>', i)) {
				flush(i + 2);
				return { name, end: i + 2, selfClosing: true };
			}
			if (src.startsWith('{{', i)) this.fail(`a placeholder inside <${name}> must be an attribute value`, i);
			const attrMatch = /^[^\s=>/"'{]+/.exec(src.slice(i, i + 200));
			if (!attrMatch) {
				i++;
				continue;
			}
			const attr = attrMatch[0].toLowerCase();
			i += attrMatch[0].length;
			while (i < src.length && /\s/.test(src[i])) i++;
			if (src[i] !== '=') continue;
			i++;
			while (i < src.length && /\s/.test(src[i])) i++;
			const quote = src[i];
			if (quote !== '"' && quote !== "'") {
				const unquoted = /^[^\s>]*/.exec(src.slice(i))![0];
				if (unquoted.includes('{{')) this.fail(`put the value of "${attr}" in quotes`, i);
				i += unquoted.length;
				continue;
			}
			const valueStart = i + 1;
			const valueEnd = src.indexOf(quote, valueStart);
			if (valueEnd < 0) this.fail(`the value of "${attr}" in <${name}> is never closed`, i);
			let j = valueStart;
			for (;;) {
				const mu = src.indexOf('{{', j);
				if (mu < 0 || mu >= valueEnd) break;
				const tag = this.readMustache(mu);
				if (tag.end > valueEnd) this.fail(`a placeholder in "${attr}" runs past the closing quote`, mu);
				if (tag.type !== 'var' && tag.type !== 'comment') {
					this.fail(`sections cannot go inside an attribute ("${attr}" of <${name}>): wrap the whole element in the section`, mu);
				}
				flush(mu);
				literalStart = tag.end;
				j = tag.end;
				if (tag.type === 'comment') continue;
				let context: Context;
				if (URL_ATTRIBUTES.has(attr)) context = mu === valueStart ? 'url' : 'urlPart';
				else if (TEXT_ATTRIBUTES.has(attr)) context = 'attr';
				else {
					this.fail(`placeholders are not allowed in the "${attr}" attribute of <${name}>, only in href, src, alt, title and lang`, mu);
				}
				push(this.varNode(tag, context));
			}
			i = valueEnd + 1;
		}
	}
}

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

// ------------------------------------------------------------------ rendering

type Frame = Record<string, unknown>;

function lookup(frames: Frame[], frame: number, path: string[]): unknown {
	let value: unknown = frames[frame];
	for (const key of path) {
		if (value === null || typeof value !== 'object') return undefined;
		value = Object.prototype.hasOwnProperty.call(value, key) ? (value as Frame)[key] : undefined;
	}
	return value;
}

function truthy(value: unknown): boolean {
	if (Array.isArray(value)) return value.length > 0;
	return value !== undefined && value !== null && value !== '' && value !== false;
}

function frameFor(loop: 'product' | 'row', item: unknown): Frame {
	if (loop === 'product') return { product: item };
	return { row: item, products: (item as RowView | undefined)?.products ?? [] };
}

/** The escaped text a value node puts into the HTML. */
function valueText(node: VarNode, frames: Frame[]): string {
	const raw = lookup(frames, node.frame, node.path);
	const text = raw === undefined || raw === null || typeof raw === 'object' ? '' : String(raw);
	switch (node.context) {
		case 'url':
			return escapeHtml(safeHttpUrl(text) ?? '');
		case 'urlPart':
			return escapeHtml(encodeURIComponent(text));
		default:
			return escapeHtml(text);
	}
}

function eachSection(node: SectionNode, frames: Frame[], body: () => void) {
	const value = lookup(frames, node.frame, node.path);
	if (node.inverted) {
		if (!truthy(value)) body();
		return;
	}
	if (!truthy(value)) return;
	if (node.loop) {
		for (const item of value as unknown[]) {
			frames.push(frameFor(node.loop, item));
			body();
			frames.pop();
		}
		return;
	}
	body();
}

/** How many times a section's content is written for this data. */
function sectionCount(node: SectionNode, frames: Frame[]): number {
	const value = lookup(frames, node.frame, node.path);
	if (node.inverted) return truthy(value) ? 0 : 1;
	if (!truthy(value)) return 0;
	return node.loop ? (value as unknown[]).length : 1;
}

/** A text block's content for this email (values escaped). */
function renderHtml(nodes: TemplateNode[], frames: Frame[]): string {
	let html = '';
	for (const node of nodes) {
		if (node.kind === 'text') html += node.text;
		else if (node.kind === 'var') html += valueText(node, frames);
		else if (node.kind === 'block') html += renderHtml(node.children, frames);
		else {
			const count = sectionCount(node, frames);
			if (count === 0) continue;
			if (!node.loop || node.inverted) html += renderHtml(node.children, frames);
			else {
				const items = lookup(frames, node.frame, node.path) as unknown[];
				for (let i = 0; i < count; i++) {
					frames.push(frameFor(node.loop, items[i]));
					html += renderHtml(node.children, frames);
					frames.pop();
				}
			}
		}
	}
	return html;
}

function renderBlock(node: BlockNode, frames: Frame[]): string {
	return renderHtml(node.children, frames);
}

/** The MJML one email's data makes, every value in place (what a per-email mjml2html compiles). */
function fillMjml(nodes: TemplateNode[], frames: Frame[], out: string[]) {
	for (const node of nodes) {
		if (node.kind === 'text') out.push(node.text);
		else if (node.kind === 'var') out.push(valueText(node, frames));
		else if (node.kind === 'section') eachSection(node, frames, () => fillMjml(node.children, frames, out));
		else out.push(renderBlock(node, frames));
	}
}

/**
 * One email's shape and values. `shape` records every decision that changes what
 * MJML sees (sections taken, loop lengths, empty attributes, empty blocks whose
 * emptiness MJML renders differently) in walk order: equal shapes give equal
 * token-filled MJML. `slots` are the escaped values and trimmed text blocks (MJML
 * trims a block's content), in token order. With `out`, the token-filled MJML is
 * written too (only needed to compile a new shape).
 */
function shapeOf(nodes: TemplateNode[], frames: Frame[], shape: number[], slots: string[], out: string[] | null, token: (i: number) => string) {
	for (const node of nodes) {
		switch (node.kind) {
			case 'text':
				out?.push(node.text);
				break;
			case 'var': {
				const value = valueText(node, frames);
				// MJML treats an empty attribute specially (e.g. an image without a link): emptiness is part of the shape.
				if (value === '') {
					shape.push(0);
				} else {
					shape.push(1);
					slots.push(value);
					out?.push(token(slots.length - 1));
				}
				break;
			}
			case 'section':
				// Recorded before the content, so that the shape reads as a walk of the template.
				shape.push(sectionCount(node, frames));
				eachSection(node, frames, () => shapeOf(node.children, frames, shape, slots, out, token));
				break;
			case 'block': {
				const content = renderBlock(node, frames).trim();
				if (content === '' && !node.emptySafe) {
					shape.push(0);
				} else {
					shape.push(1);
					slots.push(content);
					out?.push(token(slots.length - 1));
				}
				break;
			}
		}
	}
}

// ------------------------------------------------------------------ compile once, fill per email

/** The options every compile uses (the per-email reference too): no web-font links, no includes. */
export const MJML_OPTIONS = { fonts: {}, keepComments: true, ignoreIncludes: true, minify: false, beautify: false } as const;

interface Skeleton {
	parts: string[];
	slots: number[];
}

const MAX_SHAPES = 512;
const MAX_TEMPLATES = 64;

export interface TemplateStats {
	/** Distinct shapes compiled by MJML so far. */
	compiles: number;
	/** Emails filled from an already compiled shape. */
	fills: number;
}

export class ProductTemplate {
	private readonly ast: TemplateNode[];
	private readonly tokenRe: RegExp;
	private readonly token: (i: number) => string;
	/** Compiled shapes, by shape key. */
	private readonly compiled = new Map<string, Skeleton>();
	/** Shapes being compiled (concurrent emails of a new shape wait for one compile). */
	private readonly compiling = new Map<string, Promise<Skeleton>>();
	/** Whole-document post-processing (inline CSS, html attributes) defeats filling: compile per email instead. */
	readonly compiledOnce: boolean;
	/** MJML validation messages of the compiled shapes. */
	readonly warnings: string[] = [];
	readonly stats: TemplateStats = { compiles: 0, fills: 0 };

	constructor(
		readonly source: string,
		private readonly options: { field?: string; validationLevel?: 'soft' | 'strict' } = {},
	) {
		this.ast = new TemplateParser(source, options.field ?? 'Template').parse();
		let prefix = 'xpbslot';
		while (source.includes(prefix)) prefix += 'x';
		this.tokenRe = new RegExp(`${prefix}(\\d+)z`, 'g');
		this.token = (i: number) => `${prefix}${i}z`;
		this.compiledOnce = !/<mj-style[^>]*\binline\s*=\s*["']inline["']/i.test(source) && !/<mj-html-attributes/i.test(source);
	}

	/** The MJML for one email, every value filled in (what a per-email mjml2html compiles). */
	toMjml(view: TemplateView): string {
		const out: string[] = [];
		fillMjml(this.ast, [view as unknown as Frame], out);
		return out.join('');
	}

	/** The email's HTML: from the compiled shape when there is one, compiling it on first use. */
	async render(view: TemplateView): Promise<string> {
		if (!this.compiledOnce) return await this.compileOne(this.toMjml(view));
		const frames = [view as unknown as Frame];
		const shape: number[] = [];
		const slots: string[] = [];
		shapeOf(this.ast, frames, shape, slots, null, this.token);
		const key = shape.join(',');
		let skeleton = this.compiled.get(key);
		if (skeleton) this.stats.fills++;
		else {
			let pending = this.compiling.get(key);
			if (!pending) {
				const out: string[] = [];
				shapeOf(this.ast, [view as unknown as Frame], [], [], out, this.token);
				pending = this.compileShape(out.join(''), slots.length);
				this.compiling.set(key, pending);
			}
			try {
				skeleton = await pending;
			} finally {
				this.compiling.delete(key);
			}
			if (this.compiled.size >= MAX_SHAPES) this.compiled.delete(this.compiled.keys().next().value!);
			this.compiled.set(key, skeleton);
		}
		const { parts, slots: order } = skeleton;
		let html = parts[0];
		for (let k = 0; k < order.length; k++) html += slots[order[k]] + parts[k + 1];
		return html;
	}

	/** The reference path: mjml2html on this email's filled MJML (used by tests and the benchmark). */
	async renderPerEmail(view: TemplateView): Promise<string> {
		return await this.compileOne(this.toMjml(view));
	}

	private async mjml(source: string) {
		let result;
		try {
			result = await mjml2html(source, { ...MJML_OPTIONS, validationLevel: this.options.validationLevel ?? 'soft' });
		} catch (error) {
			throw new InputError(`${this.options.field ?? 'Template'}: MJML could not compile it: ${(error as Error).message}`, this.options.field);
		}
		for (const e of result.errors ?? []) {
			const message = (e as { formattedMessage?: string; message?: string }).formattedMessage ?? String((e as { message?: string }).message);
			if (!this.warnings.includes(message) && this.warnings.length < 20) this.warnings.push(message);
		}
		this.stats.compiles++;
		return result.html;
	}

	private async compileOne(source: string): Promise<string> {
		return await this.mjml(source);
	}

	private async compileShape(key: string, slotCount: number): Promise<Skeleton> {
		const html = await this.mjml(key);
		const parts: string[] = [];
		const slots: number[] = [];
		let last = 0;
		for (const match of html.matchAll(this.tokenRe)) {
			parts.push(html.slice(last, match.index));
			slots.push(Number(match[1]));
			last = match.index! + match[0].length;
		}
		parts.push(html.slice(last));
		const seen = new Set(slots);
		for (let i = 0; i < slotCount; i++) {
			if (!seen.has(i)) {
				throw new InputError(
					`${this.options.field ?? 'Template'}: MJML dropped or rewrote a placeholder's value (slot ${i}); keep placeholders in text and in the href, src, alt or title of elements that have them`,
					this.options.field,
				);
			}
		}
		return { parts, slots };
	}
}

/** Puts the theme into the template text (validated colours only). */
export function applyTheme(source: string, theme: Partial<TemplateTheme> = {}): string {
	const color = theme.color ?? THEME_DEFAULTS.color;
	if (!COLOR_RE.test(color)) throw new InputError(`"${color}" is not a colour such as #1f6feb`, 'Brand Color');
	return source.replace(/\{\{\s*theme\.color\s*\}\}/g, color);
}

const templates = new Map<string, ProductTemplate>();

/** The compiled template for a source text: parsed and compiled once per distinct text, then reused. */
export function productTemplate(source: string, options: { field?: string; validationLevel?: 'soft' | 'strict' } = {}): ProductTemplate {
	const key = `${options.field ?? ''}\u0000${options.validationLevel ?? ''}\u0000${source}`;
	let template = templates.get(key);
	if (!template) {
		template = new ProductTemplate(source, options);
		if (templates.size >= MAX_TEMPLATES) templates.delete(templates.keys().next().value!);
		templates.set(key, template);
	}
	return template;
}
