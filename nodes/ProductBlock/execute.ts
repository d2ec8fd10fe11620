import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { requireEmail } from '../../lib/domain/email';
import { InputError } from '../../lib/domain/errors';
import { cleanText, safeHttpUrl } from '../../lib/domain/htmlSafety';
import { buildBlock, requireLocale, supportedLocale, validTimeZone, type BlockTexts, type ProductSource } from '../../lib/domain/productBlock';
import {
	enrichProducts,
	LEFT_OUT_LABELS,
	productSet,
	selectProducts,
	type AccessoryMatch,
	type AccessoryRule,
	type LeftOutReason,
} from '../../lib/domain/products';
import { applyTheme, normalizeColor, productTemplate, type ProductTemplate } from '../../lib/domain/productTemplate';
import { isBlank, parseCurrency, parseTimeZone, tryParseTimestamp } from '../../lib/domain/values';
import { normalizeProducts } from '../../lib/sources/products';
import type { ContactStore } from '../../lib/store';
import { plural, referenceTime, runPerItem } from '../shared/execute';
import { getStore } from '../shared/store';
import { BUILT_IN_TEMPLATES, builtInTemplateSource, type BuiltInTemplate } from './builtInTemplates';
import { gatherProducts, type BasedOn } from './sources';

type WhenNoProducts = 'skip' | 'output' | 'error';

interface RunStats {
	skipped: number;
	contactMissing: number;
	nothing: Record<string, number>;
	leftOut: Partial<Record<LeftOutReason, number>>;
	couponExpired: number;
	/** Emails rendered with no unsubscribe link (no Sendable guard before, no Unsubscribe URL set). */
	noUnsubscribe: number;
	templates: Set<ProductTemplate>;
}

function optionalUrl(value: unknown, field: string): string | undefined {
	if (isBlank(value)) return undefined;
	const url = safeHttpUrl(String(value));
	if (!url) throw new InputError(`"${field}" must be an http:// or https:// link (got ${JSON.stringify(String(value)).slice(0, 80)})`, field);
	return url;
}

function idList(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

function accessoryRules(ctx: IExecuteFunctions, i: number, shopUrl: string | undefined): AccessoryRule[] {
	const raw = ctx.getNodeParameter('accessoryRules.rule', i, []) as IDataObject[];
	return raw.map((rule, r) => {
		const field = `Accessory Rules, rule ${r + 1}`;
		const matchBy = (rule.matchBy as AccessoryMatch) ?? 'productType';
		const values = idList(rule.values);
		if (matchBy !== 'any' && values.length === 0) throw new InputError(`${field}: "Values" is empty`, `${field}.values`);
		return { matchBy, values, accessories: normalizeProducts(rule.accessories, `${field}: Accessories`, { shopUrl }) };
	});
}

type TemplateChoice = { template: ProductTemplate; columns: number };

function template(ctx: IExecuteFunctions, i: number, color: string | undefined, seen: Map<string, TemplateChoice>): TemplateChoice {
	const choice = ctx.getNodeParameter('template', i, 'list') as BuiltInTemplate | 'custom';
	const theme = color ? { color } : {};
	const source = choice === 'custom' ? String(ctx.getNodeParameter('customTemplate', i, '') ?? '') : '';
	const columns = choice === 'custom' ? Number(ctx.getNodeParameter('options.columns', i, 2)) : (BUILT_IN_TEMPLATES[choice]?.columns ?? 1);
	// Items of one run almost always share the template: resolve it once.
	const key = `${choice}|${color ?? ''}|${columns}|${source}`;
	const known = seen.get(key);
	if (known) return known;
	let resolved: TemplateChoice;
	if (choice === 'custom') {
		if (!source.trim()) throw new InputError('"Custom Template" is empty', 'Custom Template');
		resolved = { template: productTemplate(applyTheme(source, theme), { field: 'Custom Template' }), columns };
	} else {
		if (!BUILT_IN_TEMPLATES[choice]) throw new InputError(`Unknown template "${String(choice)}"`, 'Template');
		resolved = { template: productTemplate(applyTheme(builtInTemplateSource(choice), theme), { field: `Template (${choice})` }), columns };
	}
	seen.set(key, resolved);
	return resolved;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	let store: Promise<ContactStore> | undefined;
	const ctx = this;
	const openStore = () => (store ??= getStore.call(ctx));
	const stats: RunStats = { skipped: 0, contactMissing: 0, nothing: {}, leftOut: {}, couponExpired: 0, noUnsubscribe: 0, templates: new Set() };
	const templates = new Map<string, TemplateChoice>();

	const output = await runPerItem.call(this, async function (this: IExecuteFunctions, i: number) {
		const source = this.getNodeParameter('source', i) as ProductSource;
		const emailValue = this.getNodeParameter('email', i, '') as unknown;
		const email = isBlank(emailValue) ? undefined : requireEmail(emailValue, 'Email');
		const now = referenceTime(this, i);
		const brand = this.getNodeParameter('brand', i, {}) as IDataObject;
		const shopUrl = optionalUrl(brand.shopUrl, 'Shop URL');
		const logoUrl = optionalUrl(brand.logoUrl, 'Logo URL');
		// Empty: the signed one-click link the Sendable guard put on the item.
		const itemUnsubscribeUrl = this.getInputData()[i]?.json?.unsubscribeUrl;
		const unsubscribeUrl = optionalUrl(isBlank(brand.unsubscribeUrl) && typeof itemUnsubscribeUrl === 'string' ? itemUnsubscribeUrl : brand.unsubscribeUrl, 'Unsubscribe URL');
		const color = normalizeColor(brand.color, 'Brand Color');
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const opt = <T>(name: string, fallback: T): T => (options[name] === undefined ? fallback : (options[name] as T));
		const maxProducts = Math.floor(Number(this.getNodeParameter('maxProducts', i, 6)));
		if (!(maxProducts >= 1 && maxProducts <= 12)) throw new InputError('"Max Products" must be from 1 to 12', 'Max Products');
		const excludeAlreadyBought = opt('excludeAlreadyBought', true);
		const recommendation = source === 'accessories' || source === 'crossSell';
		const { template: emailTemplate, columns } = template(this, i, color, templates);

		const gathered = await gatherProducts(openStore, {
			source,
			...(email ? { email } : {}),
			now,
			...(source === 'input' ? { inputProducts: normalizeProducts(this.getNodeParameter('products', i, []), 'Products', { shopUrl }) } : {}),
			cartId: cleanText(opt('cartId', '')) || undefined,
			orderId: cleanText(opt('orderId', '')) || undefined,
			...(recommendation
				? {
						basedOn: this.getNodeParameter('basedOn', i) as BasedOn,
						basisProductIds: idList(this.getNodeParameter('basisProductIds', i, '')),
					}
				: {}),
			...(source === 'accessories' ? { accessoryRules: accessoryRules(this, i, shopUrl) } : {}),
			candidateLimit: Math.min(100, maxProducts * 3 + 10),
			includePurchased: !excludeAlreadyBought,
		});

		const catalog = normalizeProducts(opt<unknown>('catalog', []), 'Product Catalog', { shopUrl, limit: 10000 });
		const candidates = enrichProducts(gathered.candidates, catalog);
		let bought;
		if (excludeAlreadyBought && email && (source === 'input' || source === 'accessories')) {
			bought = productSet([], await (await openStore()).purchasedProductIds(email));
		}
		const selection = selectProducts(candidates, {
			excludeOutOfStock: opt('excludeOutOfStock', true),
			excludeWithoutImage: opt('excludeWithoutImage', true),
			...(bought ? { bought } : {}),
			...(recommendation && gathered.basis && opt('excludeTriggerItems', true) ? { trigger: productSet(gathered.basis) } : {}),
			byVariant: source === 'cart' || source === 'order',
			max: maxProducts,
		});

		if (selection.products.length === 0) {
			const why = gathered.contactMissing
				? `no contact with the email "${email}" in the store`
				: gathered.nothing
					? gathered.nothing
					: candidates.length === 0
						? 'no products to start from'
						: `all ${plural(candidates.length, 'product')} left out (${describeLeftOut(selection.leftOut)})`;
			const when = opt<WhenNoProducts>('whenNoProducts', 'skip');
			if (when === 'error') {
				throw new InputError(`No products to show: ${why}`, undefined, 'Check the source and the filters, or set "When No Products" to skip the item');
			}
			if (when === 'skip') {
				count(stats, gathered, selection.leftOut);
				stats.skipped++;
				return [];
			}
		}

		const contact = gathered.contact;
		const localeOption = cleanText(opt('locale', ''));
		const locale = localeOption ? requireLocale(localeOption, 'Locale') : (supportedLocale(contact?.locale) ?? 'en-US');
		const zoneOption = cleanText(opt('timeZone', ''));
		const timeZone = zoneOption ? parseTimeZone(zoneOption, 'Time Zone')! : (validTimeZone(contact?.timeZone) ?? validTimeZone(this.getTimezone()) ?? 'UTC');
		const currency =
			parseCurrency(cleanText(opt('currency', '')), 'Currency') ??
			gathered.currency ??
			selection.products.find((p) => p.currency)?.currency ??
			contact?.currency ??
			'USD';
		const couponCode = cleanText(this.getNodeParameter('couponCode', i, ''), 100);
		const expiresValue = this.getNodeParameter('couponExpiresAt', i, '') as unknown;
		let expiresAt: number | undefined;
		if (couponCode && !isBlank(expiresValue)) {
			expiresAt = tryParseTimestamp(expiresValue);
			if (expiresAt === undefined) throw new InputError(`"Coupon Expires At" is not a date: ${JSON.stringify(expiresValue)}`, 'Coupon Expires At');
		}
		const texts: Partial<BlockTexts> = {
			heading: opt('heading', ''),
			intro: opt('intro', ''),
			buttonText: opt('buttonText', ''),
			subject: opt('subject', ''),
			preheader: opt('preheader', ''),
			couponText: opt('couponText', ''),
			couponExpiry: opt('couponExpiryText', ''),
			quantity: opt('quantityText', ''),
			lowStock: opt('lowStockText', ''),
			unsubscribe: opt('unsubscribeText', ''),
		};
		const buttonUrl = optionalUrl(opt('buttonUrl', ''), 'Button URL') ?? safeHttpUrl(gathered.buttonUrl) ?? shopUrl;
		const lowStockAt = Number(opt('lowStockAt', 0));
		const block = buildBlock({
			source,
			products: selection.products,
			columns,
			locale,
			currency,
			timeZone,
			now,
			contact: {
				...(email ? { email } : {}),
				...(contact?.firstName ? { firstName: contact.firstName } : {}),
				...(contact?.lastName ? { lastName: contact.lastName } : {}),
			},
			...(buttonUrl ? { buttonUrl } : {}),
			...(couponCode ? { coupon: { code: couponCode, ...(expiresAt !== undefined ? { expiresAt } : {}) } } : {}),
			brand: {
				name: cleanText(brand.name),
				...(logoUrl ? { logoUrl } : {}),
				...(shopUrl ? { url: shopUrl } : {}),
				address: cleanText(brand.address),
			},
			...(unsubscribeUrl ? { unsubscribeUrl } : {}),
			...(Number.isFinite(lowStockAt) && lowStockAt > 0 ? { lowStockAt } : {}),
			...(gathered.basisTitle ? { basisTitle: gathered.basisTitle } : {}),
			texts,
		});
		const html = await emailTemplate.render(block.view);
		stats.templates.add(emailTemplate);
		count(stats, gathered, selection.leftOut);
		if (block.couponExpired) stats.couponExpired++;
		if (!unsubscribeUrl) stats.noUnsubscribe++;

		const input = items[i].json;
		const result: IDataObject = {
			...input,
			...(email ? { email } : {}),
			subject: block.subject,
			preheader: block.preheader,
			html,
			text: block.text,
			products: block.products as unknown as IDataObject[],
			productCount: block.products.length,
			productSource: source,
		};
		if (block.button) result.button = block.button;
		if (block.coupon) result.coupon = block.coupon;
		else if (block.couponExpired) {
			// Never hand an expired code on to the email step (it may map {{ $json.coupon.code }}).
			result.coupon = null;
			result.couponExpired = true;
		}
		if (Object.keys(selection.leftOut).length > 0) result.leftOut = selection.leftOut;
		return result;
	});

	addHints(this, stats);
	return [output];
}

function count(stats: RunStats, gathered: { contactMissing?: boolean; nothing?: string }, leftOut: Partial<Record<LeftOutReason, number>>) {
	if (gathered.contactMissing) stats.contactMissing++;
	if (gathered.nothing) stats.nothing[gathered.nothing] = (stats.nothing[gathered.nothing] ?? 0) + 1;
	for (const [reason, n] of Object.entries(leftOut) as Array<[LeftOutReason, number]>) stats.leftOut[reason] = (stats.leftOut[reason] ?? 0) + n;
}

function describeLeftOut(leftOut: Partial<Record<LeftOutReason, number>>): string {
	return (Object.keys(LEFT_OUT_LABELS) as LeftOutReason[])
		.filter((reason) => (leftOut[reason] ?? 0) > 0)
		.map((reason) => `${leftOut[reason]} ${LEFT_OUT_LABELS[reason]}`)
		.join(', ');
}

function addHints(ctx: IExecuteFunctions, stats: RunStats) {
	const hint = (message: string, type: 'info' | 'warning' = 'info') => ctx.addExecutionHints({ message, type, location: 'outputPane' });
	if (stats.skipped > 0) hint(`${plural(stats.skipped, 'item was', 'items were')} skipped: no products left to show ("When No Products" is Skip)`);
	if (stats.contactMissing > 0) hint(`${plural(stats.contactMissing, 'contact was', 'contacts were')} not found in the contact store`);
	for (const [why, n] of Object.entries(stats.nothing)) hint(`${plural(n, 'contact', 'contacts')}: ${why}`);
	const leftOut = describeLeftOut(stats.leftOut);
	if (leftOut) hint(`Products left out: ${leftOut}`);
	if (stats.noUnsubscribe > 0) {
		hint(
			`${plural(stats.noUnsubscribe, 'email has', 'emails have')} no unsubscribe link: put the Segment node's Sendable guard before this node (it adds a signed one-click link to each item), or set Brand → Unsubscribe URL`,
			'warning',
		);
	}
	if (stats.couponExpired > 0) hint(`${plural(stats.couponExpired, 'coupon had', 'coupons had')} expired: the coupon banner was left out`, 'warning');
	for (const t of stats.templates) {
		if (t.warnings.length > 0) hint(`MJML: ${t.warnings[0]}${t.warnings.length > 1 ? ` (and ${t.warnings.length - 1} more)` : ''}`, 'warning');
		if (!t.compiledOnce) hint('This template uses inline CSS or mj-html-attributes, so each email is compiled on its own (slower)', 'warning');
	}
}
