/**
 * The template language and the compile-once renderer. The central check: for every
 * template (the three built-ins and custom ones) and data of every kind (hostile,
 * empty, RTL, 0–6 products, coupon or not), filling the compiled shape gives exactly
 * the bytes mjml2html gives on the MJML filled with the same data.
 */
import mjml2html from 'mjml';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyTheme, EMPTY_SAFE_BLOCKS, MJML_OPTIONS, PLACEHOLDER_NAMES, ProductTemplate, productTemplate, type ProductView, type TemplateView } from '../../lib/domain/productTemplate';
import { BUILT_IN_TEMPLATES, builtInTemplateSource, TEMPLATES_DIR, type BuiltInTemplate } from '../../nodes/ProductBlock/builtInTemplates';

const HOSTILE = [
	'<script>alert(1)</script>',
	'"><img src=x onerror=alert(1)>',
	"' onmouseover='alert(1)",
	'&amp; already &lt;escaped&gt;',
	'ساعة يد ذكية',
	'שעון \u202Eחכם',
	'Trail shoe 👟',
	'{{product.title}} {{#products}}',
	'$& $1 $$ $`',
	'xpbslot0z xpbslot12z',
	'true',
	'false',
];
const BAD_URLS = ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'data:text/html;base64,PHNjcmlwdD4=', 'vbscript:msgbox(1)', '//evil.example/x'];

function product(i: number, extra: Partial<ProductView> = {}): ProductView {
	return {
		title: `Product ${i}`,
		price: `$${i}.00`,
		imageUrl: `https://cdn.example.com/p/${i}.png?w=300&h=300`,
		url: `https://shop.example.com/products/p-${i}?utm_source=email&utm_medium=block`,
		position: String(i),
		...extra,
	};
}

function view(products: ProductView[], columns: number, extra: Partial<TemplateView> = {}): TemplateView {
	const rows = [];
	for (let i = 0; i < products.length; i += columns) rows.push({ products: products.slice(i, i + columns), position: String(rows.length + 1) });
	return {
		lang: 'en-US',
		subject: 'You left something in your cart',
		preheader: 'Product 1 and more',
		heading: 'You left something in your cart',
		productCount: String(products.length),
		products,
		rows,
		button: { text: 'Return to your cart', url: 'https://shop.example.com/cart/recover?key=a&b=c' },
		brand: { name: 'Example Shop', address: '1 Main Street, Springfield' },
		unsubscribe: { url: 'https://shop.example.com/unsubscribe?e=ada%40example.com', text: 'Unsubscribe' },
		contact: { firstName: 'Ada' },
		...extra,
	};
}

/** Data of every kind for one template. */
function views(columns: number): TemplateView[] {
	const out: TemplateView[] = [];
	for (let n = 0; n <= 6; n++) out.push(view(Array.from({ length: n }, (_, i) => product(i + 1)), columns));
	out.push(
		view(
			HOSTILE.map((title, i) =>
				product(i, {
					title,
					variant: HOSTILE[(i + 6) % HOSTILE.length],
					compareAtPrice: i % 2 ? '$99.00' : undefined,
					quantity: String(i + 1),
					quantityText: `Qty ${i + 1}`,
					lowStock: i % 3 === 0 ? 'Only 2 left' : undefined,
					imageUrl: i % 4 === 0 ? BAD_URLS[i % BAD_URLS.length] : `https://cdn.example.com/${encodeURIComponent(title)}.png`,
					url: i % 3 === 1 ? BAD_URLS[i % BAD_URLS.length] : `https://shop.example.com/p?q=${encodeURIComponent(title)}`,
				}),
			).slice(0, 6),
			columns,
			{
				heading: HOSTILE[0],
				intro: HOSTILE[1],
				subject: HOSTILE[2],
				preheader: HOSTILE[3],
				coupon: { code: HOSTILE[1], text: HOSTILE[0], expires: 'Valid until 3 June 2026' },
				brand: { name: HOSTILE[4], address: HOSTILE[1], logoUrl: 'https://cdn.example.com/logo.png', url: 'https://shop.example.com' },
				unsubscribe: { url: 'javascript:alert(1)', text: HOSTILE[0] },
				contact: { firstName: HOSTILE[1], email: 'ada@example.com' },
			},
		),
	);
	// Empty optional values, no button, no brand, coupon without expiry, "true"/"false" as values.
	out.push(
		view([product(1, { title: 'true', url: '', imageUrl: '' }), product(2, { title: 'false', price: '' })], columns, {
			heading: '',
			preheader: '',
			subject: '',
			button: undefined,
			brand: {},
			unsubscribe: undefined,
			coupon: { code: 'SAVE-ABCD2345' },
			lang: 'ar-EG',
		}),
	);
	return out;
}

const builtIns = Object.keys(BUILT_IN_TEMPLATES) as BuiltInTemplate[];

describe('built-in templates: compiled once, filled per email, byte-identical to mjml2html per email', () => {
	it.each(builtIns)('%s', async (name) => {
		const template = new ProductTemplate(applyTheme(builtInTemplateSource(name), { color: '#c2185b' }), { validationLevel: 'strict' });
		const data = views(BUILT_IN_TEMPLATES[name].columns);
		for (const v of data) {
			const filled = await template.render(v);
			const reference = (await mjml2html(template.toMjml(v), { ...MJML_OPTIONS, validationLevel: 'strict' })).html;
			expect(filled).toBe(reference);
		}
		expect(template.warnings).toEqual([]);
		// Rendering the same data again compiles nothing new.
		const compiles = template.stats.compiles;
		for (const v of data) await template.render(v);
		expect(template.stats.compiles).toBe(compiles);
		expect(template.stats.fills).toBeGreaterThanOrEqual(data.length);
	});

	it('keeps hostile values as text and emits only http(s) links', async () => {
		const template = new ProductTemplate(applyTheme(builtInTemplateSource('list')));
		const html = await template.render(views(1)[7]);
		expect(html).not.toMatch(/<script/i);
		expect(html).not.toMatch(/<img src=x/);
		// The hostile text is there, but only as text: no tag carries an event handler.
		const tagsOnly = html.replace(/"[^"]*"/g, '""');
		expect(tagsOnly).not.toMatch(/<[^>]*\son\w+=/);
		expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
		expect(html).toContain('&amp;amp; already &amp;lt;escaped&amp;gt;');
		expect(html).toContain('{{product.title}} {{#products}}');
		expect(html).toContain('$&amp; $1 $$ $`');
		expect(html).toContain('ساعة يد ذكية');
		expect(html).toContain('xpbslot0z xpbslot12z');
		for (const match of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
			expect(match[1]).toMatch(/^(https?:\/\/|$)/);
		}
		expect(html).not.toMatch(/javascript:|vbscript:|data:text/i);
	});

	it('compiles a new shape only when the structure changes (product count, an image missing)', async () => {
		const template = new ProductTemplate(applyTheme(builtInTemplateSource('grid3')));
		for (let k = 0; k < 3; k++) {
			for (let n = 1; n <= 3; n++) await template.render(view(Array.from({ length: n }, (_, i) => product(i + 10 * k)), 3));
		}
		expect(template.stats.compiles).toBe(3);
		// Text inside blocks (coupon banner, variant, compare-at price, badge, quantity) needs no new compile.
		await template.render(view([product(7, { variant: 'Red', compareAtPrice: '$9', lowStock: 'Only 1 left', quantityText: 'Qty 2' })], 3, { coupon: { code: 'X', text: 'Use it' } }));
		expect(template.stats.compiles).toBe(3);
		await template.render(view([product(1, { imageUrl: undefined })], 3));
		expect(template.stats.compiles).toBe(4);
	});

	it.each([...EMPTY_SAFE_BLOCKS])('%s renders the same empty as with content that is then removed (so emptiness is not part of the shape)', async (tag) => {
		const body = (content: string) => {
			const element = `<${tag}${tag === 'mj-navbar-link' ? ' href="https://a.example/"' : ''}>${content}</${tag}>`;
			if (tag === 'mj-navbar-link') return `<mj-navbar>${element}</mj-navbar>`;
			if (tag === 'mj-accordion-text') return `<mj-accordion><mj-accordion-element><mj-accordion-title>t</mj-accordion-title>${element}</mj-accordion-element></mj-accordion>`;
			return element;
		};
		const doc = (content: string) => `<mjml><mj-body><mj-section><mj-column>${body(content)}</mj-column></mj-section></mj-body></mjml>`;
		const empty = (await mjml2html(doc(''), MJML_OPTIONS)).html;
		const filled = (await mjml2html(doc('TOKEN'), MJML_OPTIONS)).html;
		expect(filled.split('TOKEN').join('')).toBe(empty);
	});

	it('the loader reads the templates beside the node, and the build copies them to the same place under dist', async () => {
		expect(TEMPLATES_DIR).toBe(join(__dirname, '..', '..', 'nodes', 'ProductBlock', 'templates'));
		expect(readdirSync(TEMPLATES_DIR).sort()).toEqual(Object.values(BUILT_IN_TEMPLATES).map((t) => t.file).sort());
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const gulpfile = require('../../gulpfile.js') as { copyTemplatesTo(dir: string): () => NodeJS.ReadWriteStream };
		const out = mkdtempSync(join(tmpdir(), 'ecm-dist-'));
		const stream = gulpfile.copyTemplatesTo(out)();
		await new Promise((resolve, reject) => stream.on('finish', resolve).on('end', resolve).on('error', reject));
		const dist = join(out, 'nodes', 'ProductBlock', 'templates');
		expect(readdirSync(dist).sort()).toEqual(readdirSync(TEMPLATES_DIR).sort());
		for (const name of builtIns) expect(builtInTemplateSource(name, dist)).toBe(builtInTemplateSource(name));
	});
});

describe('custom templates', () => {
	const custom = `<mjml lang="{{lang}}">
  <mj-head><mj-title>{{subject}}</mj-title><mj-preview>{{preheader}}</mj-preview></mj-head>
  <mj-body>
    {{! a comment }}
    <mj-section><mj-column><mj-text>{{heading}}{{^products}} Nothing today.{{/products}}</mj-text></mj-column></mj-section>
    {{#rows}}
    <mj-section>
      {{#products}}
      <mj-column>
        <mj-image src="{{product.imageUrl}}" href="{{product.url}}" alt="{{product.title}}" title="{{product.title}}" />
        <mj-text><a href="{{product.url}}" title="{{product.variant}}">{{product.title}}</a> {{#product.lowStock}}<b>{{product.lowStock}}</b>{{/product.lowStock}}</mj-text>
        <mj-button href="https://shop.example.com/search?q={{product.title}}&amp;from=email">Find {{product.title}}</mj-button>
      </mj-column>
      {{/products}}
    </mj-section>
    {{/rows}}
    <mj-section><mj-column>
      <mj-text><ul>{{#products}}<li>{{product.position}}. {{product.title}}</li>{{/products}}</ul></mj-text>
      {{#coupon}}<mj-text>{{coupon.code}}</mj-text>{{/coupon}}
      <mj-button background-color="{{theme.color}}" href="{{button.url}}">{{button.text}}</mj-button>
    </mj-column></mj-section>
  </mj-body>
</mjml>`;

	it('is byte-identical to mjml2html per email on the same data, with every placeholder kind', async () => {
		const template = new ProductTemplate(applyTheme(custom, { color: 'teal' }), { validationLevel: 'strict' });
		for (const v of views(2)) {
			expect(await template.render(v)).toBe(await template.renderPerEmail(v));
		}
		const html = await template.render(view([product(1, { title: 'Blue & "red" mug' })], 2));
		expect(html).toContain('href="https://shop.example.com/search?q=Blue%20%26%20%22red%22%20mug&amp;from=email"');
		expect(html).toContain('<li>1. Blue &amp; &quot;red&quot; mug</li>');
		expect(html).toContain('background:teal');
		const empty = await template.render(view([], 2));
		expect(empty).toContain('Nothing today.');
	});

	it('is cached per distinct text', () => {
		const themed = applyTheme(custom);
		expect(productTemplate(themed)).toBe(productTemplate(themed));
		expect(productTemplate(`${themed} `)).not.toBe(productTemplate(themed));
	});

	it('with inline CSS is filled before MJML (one compile per email), still identical', async () => {
		const inline = custom.replace('<mj-head>', '<mj-head><mj-style inline="inline">.x { color: red; }</mj-style>');
		const template = new ProductTemplate(applyTheme(inline));
		expect(template.compiledOnce).toBe(false);
		const v = view([product(1), product(2)], 2);
		expect(await template.render(v)).toBe(await template.renderPerEmail(v));
		expect(template.stats.compiles).toBe(2);
	});

	it('reports MJML warnings without failing', async () => {
		const template = new ProductTemplate('<mjml><mj-body><mj-section><mj-column><mj-text foo="bar">{{heading}}</mj-text></mj-column></mj-section></mj-body></mjml>');
		await template.render(view([], 1));
		expect(template.warnings.join('\n')).toMatch(/foo/);
	});

	it.each([
		['<mj-body></mj-body>', /no <mjml> root element/],
		['<mjml><mj-body>{{heading}}</mj-body></mjml>', /line 1: \{\{heading\}\} is outside any text/],
		['<mjml><mj-body><mj-section><mj-column><mj-text>{{product.title}}</mj-text></mj-column></mj-section></mj-body></mjml>', /unknown placeholder \{\{product\.title\}\}/],
		['<mjml><mj-body><mj-section><mj-column><mj-text>{{titel}}</mj-text></mj-column></mj-section></mj-body></mjml>', /unknown placeholder \{\{titel\}\}/],
		['<mjml><mj-body><mj-section><mj-column><mj-text>{{{heading}}}</mj-text></mj-column></mj-section></mj-body></mjml>', /unescaped output\) is not supported/],
		['<mjml><mj-body><mj-section><mj-column><mj-text>{{&heading}}</mj-text></mj-column></mj-section></mj-body></mjml>', /is not supported/],
		['<mjml><mj-body><mj-section><mj-column><mj-text>{{products}}</mj-text></mj-column></mj-section></mj-body></mjml>', /\{\{products\}\} is a list: use \{\{#products\}\}/],
		['<mjml><mj-body><mj-section><mj-column><mj-text>{{button}}</mj-text></mj-column></mj-section></mj-body></mjml>', /\{\{button\}\} is a group/],
		['<mjml><mj-body>{{#products}}<mj-section></mj-body></mjml>', /never closed|must open and close inside the same element/],
		['<mjml><mj-body><mj-section>{{#coupon}}<mj-column></mj-column></mj-section>{{/coupon}}</mj-body></mjml>', /must open and close inside the same element/],
		['<mjml><mj-body><mj-section><mj-column><mj-text>{{#coupon}}x</mj-text></mj-column></mj-section>{{/coupon}}</mj-body></mjml>', /must be closed inside the same text block/],
		['<mjml><mj-body><mj-section><mj-column><mj-text>{{#coupon}}x{{/button}}</mj-text></mj-column></mj-section></mj-body></mjml>', /closes \{\{#coupon\}\}/],
		['<mjml><mj-body><mj-section padding="{{heading}}"></mj-section></mj-body></mjml>', /not allowed in the "padding" attribute/],
		['<mjml><mj-body><mj-section><mj-column><mj-text><span style="color:{{heading}}">x</span></mj-text></mj-column></mj-section></mj-body></mjml>', /not allowed in the "style" attribute/],
		['<mjml><mj-body><mj-section><mj-column><mj-text><a onclick="{{heading}}">x</a></mj-text></mj-column></mj-section></mj-body></mjml>', /not allowed in the "onclick" attribute/],
		['<mjml><mj-body><mj-section><mj-column><mj-image src={{brand.logoUrl}} /></mj-column></mj-section></mj-body></mjml>', /put the value of "src" in quotes/],
		['<mjml><mj-body><mj-section><mj-column><mj-image {{brand.logoUrl}} /></mj-column></mj-section></mj-body></mjml>', /must be an attribute value/],
		['<mjml><mj-body><mj-section><mj-column><mj-image src="{{#brand.logoUrl}}x{{/brand.logoUrl}}" /></mj-column></mj-section></mj-body></mjml>', /sections cannot go inside an attribute/],
		['<mjml><mj-head><mj-style>.a { color: {{heading}} }</mj-style></mj-head><mj-body></mj-body></mjml>', /not supported inside <mj-style>/],
		['<mjml><mj-body><mj-section><mj-column><mj-text><style>{{heading}}</style></mj-text></mj-column></mj-section></mj-body></mjml>', /not supported inside <style>/],
		['<mjml><mj-body><!-- {{heading}} --></mj-body></mjml>', /inside <!-- comments -->/],
		['<mjml><mj-body><mj-section><mj-column><mj-text>{{heading</mj-text></mj-column></mj-section></mj-body></mjml>', /never closed with "\}\}"/],
		['<mjml><mj-body><mj-section><mj-column><mj-text>{{theme.font}}</mj-text></mj-column></mj-section></mj-body></mjml>', /not a theme setting/],
	])('rejects %s', (source, message) => {
		expect(() => new ProductTemplate(source, { field: 'Custom Template' })).toThrow(message);
	});

	it('names the field and the line of a problem, and lists the known names', () => {
		try {
			new ProductTemplate('<mjml>\n<mj-body>\n<mj-section><mj-column><mj-text>{{product.name}}</mj-text></mj-column></mj-section>\n</mj-body></mjml>', { field: 'Custom Template' });
			throw new Error('no error');
		} catch (error) {
			expect((error as Error).message).toBe('Custom Template, line 3: unknown placeholder {{product.name}}');
			expect((error as { hint?: string }).hint).toContain('heading');
			expect((error as { hint?: string }).hint).toContain('product.… inside {{#products}}');
		}
		expect(PLACEHOLDER_NAMES).toEqual(expect.arrayContaining(['heading', 'button.url', '#products', '#rows', 'product.title', 'product.compareAtPrice', 'coupon.expires']));
	});

	it('turns MJML compile failures into an input error', async () => {
		const template = new ProductTemplate('<mjml><mj-head></mj-head></mjml>', { field: 'Custom Template' });
		await expect(template.render(view([], 1))).rejects.toThrow(/Custom Template: MJML could not compile it/);
	});

	it('refuses a brand colour that is not a colour', () => {
		expect(() => applyTheme('{{theme.color}}', { color: 'red;background:url(x)' })).toThrow(/not a colour/);
		expect(applyTheme('a {{ theme.color }} b', { color: '#abc' })).toBe('a #abc b');
	});
});
