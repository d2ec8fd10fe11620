/**
 * What a product block says: the template data (prices formatted for the currency
 * and locale, coupon expiry in the contact's time zone), the plain-text part, and
 * subject and preheader suggestions. Values here are plain text; the template
 * escapes them where they land.
 */
import { DateTime } from 'luxon';
import { InputError } from './errors';
import { cleanText, safeHttpUrl } from './htmlSafety';
import type { Product } from './products';
import type { ProductView, RowView, TemplateView } from './productTemplate';

export type ProductSource = 'cart' | 'order' | 'input' | 'accessories' | 'crossSell';

/** Every text a marketer may change; `{name}` marks where a value goes. */
export interface BlockTexts {
	heading: string;
	intro: string;
	buttonText: string;
	subject: string;
	preheader: string;
	couponText: string;
	/** `{date}` */
	couponExpiry: string;
	/** `{quantity}` */
	quantity: string;
	/** `{count}` */
	lowStock: string;
	unsubscribe: string;
}

const HEADINGS: Record<ProductSource, string> = {
	cart: 'You left something in your cart',
	order: 'Thank you for your order',
	input: 'Picked for you',
	accessories: 'Goes well with your purchase',
	crossSell: 'Customers also bought',
};

export const DEFAULT_TEXTS: Omit<BlockTexts, 'heading' | 'intro' | 'buttonText' | 'subject' | 'preheader'> = {
	couponText: 'Use this code at checkout',
	couponExpiry: 'Valid until {date}',
	quantity: 'Qty {quantity}',
	lowStock: 'Only {count} left',
	unsubscribe: 'Unsubscribe',
};

export interface BlockInput {
	source: ProductSource;
	products: Product[];
	/** Products per row for grid templates (1 for the list). */
	columns: number;
	locale: string;
	currency: string;
	timeZone: string;
	/** "Now", for deciding whether the coupon has expired. */
	now: number;
	contact: { email?: string; firstName?: string; lastName?: string };
	/** Where the main button goes (cart recovery URL, shop URL…); no valid URL, no button. */
	buttonUrl?: string;
	coupon?: { code: string; expiresAt?: number };
	brand: { name?: string; logoUrl?: string; url?: string; address?: string };
	unsubscribeUrl?: string;
	/** Show "Only N left" when a product's tracked stock is at most this (and above 0). */
	lowStockAt?: number;
	/** The product the recommendation is based on, for subject lines. */
	basisTitle?: string;
	/** Overrides; empty means the default for the source. */
	texts?: Partial<BlockTexts>;
}

export interface ChosenProduct extends Product {
	formattedPrice?: string;
	formattedCompareAtPrice?: string;
}

export interface Block {
	view: TemplateView;
	text: string;
	subject: string;
	preheader: string;
	products: ChosenProduct[];
	button?: { text: string; url: string };
	coupon?: { code: string; expiresAt?: string };
	/** A coupon was given but had expired at "now": it is left out. */
	couponExpired: boolean;
}

// ------------------------------------------------------------------ formatting

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** 1234.5 → "$1,234.50" (en-US, USD), "1.234,50 €" (de-DE, EUR)… */
export function formatMoney(amount: number, currency: string, locale: string): string {
	const key = `${locale}|${currency}`;
	let format = moneyFormats.get(key);
	if (!format) {
		format = new Intl.NumberFormat(locale, { style: 'currency', currency });
		if (moneyFormats.size > 200) moneyFormats.clear();
		moneyFormats.set(key, format);
	}
	return format.format(amount);
}

/** A calendar date in the locale's long form, in the given time zone. */
export function formatDate(ms: number, locale: string, timeZone: string): string {
	return DateTime.fromMillis(ms, { zone: timeZone }).setLocale(locale).toLocaleString(DateTime.DATE_FULL);
}

/** A BCP 47 locale ICU knows (e.g. "en-US", "de", "ar-EG"), or undefined. */
export function supportedLocale(value: unknown): string | undefined {
	if (typeof value !== 'string' || !value.trim()) return undefined;
	try {
		const [canonical] = Intl.getCanonicalLocales(value.trim().replace(/_/g, '-'));
		return canonical && Intl.NumberFormat.supportedLocalesOf([canonical]).length > 0 ? canonical : undefined;
	} catch {
		return undefined;
	}
}

export function requireLocale(value: unknown, field: string): string {
	const locale = supportedLocale(value);
	if (!locale) throw new InputError(`"${field}" is not a locale such as en-US or de-DE (got ${JSON.stringify(value)})`, field);
	return locale;
}

export function validTimeZone(value: unknown): string | undefined {
	if (typeof value !== 'string' || !value.trim()) return undefined;
	return DateTime.now().setZone(value.trim()).isValid ? value.trim() : undefined;
}

function fill(template: string, values: Record<string, string>): string {
	return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? values[key] : whole));
}

function listTitles(titles: string[]): string {
	if (titles.length === 0) return '';
	if (titles.length === 1) return titles[0];
	if (titles.length === 2) return `${titles[0]} and ${titles[1]}`;
	return `${titles[0]}, ${titles[1]} and ${titles.length - 2} more`;
}

// ------------------------------------------------------------------ the block

function defaultSubject(input: BlockInput, firstTitle: string | undefined): string {
	const name = cleanText(input.contact.firstName, 100);
	const basis = cleanText(input.basisTitle, 120);
	switch (input.source) {
		case 'cart':
			return name ? `${name}, you left something in your cart` : 'You left something in your cart';
		case 'order':
			return name ? `Thank you for your order, ${name}` : 'Thank you for your order';
		case 'accessories':
			return basis ? `Goes well with your ${basis}` : 'Goes well with your purchase';
		case 'crossSell':
			return basis ? `Customers who bought ${basis} also bought` : 'Picked for you, based on your orders';
		default:
			return firstTitle ? `Picked for you: ${firstTitle}` : 'Picked for you';
	}
}

export function buildBlock(input: BlockInput): Block {
	const texts = input.texts ?? {};
	const pick = (key: keyof BlockTexts, fallback: string) => cleanText(texts[key], 1000) || fallback;
	const { locale, currency } = input;
	const money = (amount: number | undefined, own?: string) => (amount === undefined ? undefined : formatMoney(amount, own ?? currency, locale));

	const buttonUrl = safeHttpUrl(input.buttonUrl);
	const brandUrl = safeHttpUrl(input.brand.url);
	const chosen: ChosenProduct[] = [];
	const views: ProductView[] = input.products.map((p, i) => {
		const title = cleanText(p.title, 300);
		const url = safeHttpUrl(p.url) ?? buttonUrl ?? brandUrl;
		const price = money(p.price, p.currency);
		const compareAt = p.compareAtPrice !== undefined && p.price !== undefined && p.compareAtPrice > p.price ? money(p.compareAtPrice, p.currency) : undefined;
		const view: ProductView = { title, position: String(i + 1) };
		const variant = cleanText(p.variantTitle, 300);
		if (variant && variant.toLowerCase() !== 'default title') view.variant = variant;
		if (price) view.price = price;
		if (compareAt) view.compareAtPrice = compareAt;
		if (p.quantity !== undefined) {
			view.quantity = String(p.quantity);
			view.quantityText = fill(pick('quantity', DEFAULT_TEXTS.quantity), { quantity: String(p.quantity) });
		}
		const image = safeHttpUrl(p.imageUrl);
		if (image) view.imageUrl = image;
		if (url) view.url = url;
		if (input.lowStockAt !== undefined && input.lowStockAt > 0 && p.stock !== undefined && p.stock > 0 && p.stock <= input.lowStockAt && p.inStock !== false) {
			view.lowStock = fill(pick('lowStock', DEFAULT_TEXTS.lowStock), { count: String(p.stock) });
		}
		const type = cleanText(p.productType, 200);
		if (type) view.productType = type;
		const vendor = cleanText(p.vendor, 200);
		if (vendor) view.vendor = vendor;
		const sku = cleanText(p.sku, 200);
		if (sku) view.sku = sku;
		chosen.push({
			...p,
			...(image ? { imageUrl: image } : {}),
			...(url ? { url } : {}),
			...(price ? { formattedPrice: price } : {}),
			...(compareAt ? { formattedCompareAtPrice: compareAt } : {}),
		});
		return view;
	});
	const columns = Math.max(1, Math.floor(input.columns));
	const rows: RowView[] = [];
	for (let i = 0; i < views.length; i += columns) rows.push({ products: views.slice(i, i + columns), position: String(rows.length + 1) });

	const titles = views.map((v) => v.title);
	let coupon: TemplateView['coupon'];
	let couponOut: Block['coupon'];
	let couponExpired = false;
	const code = cleanText(input.coupon?.code, 100);
	if (code) {
		const expiresAt = input.coupon?.expiresAt;
		if (expiresAt !== undefined && expiresAt <= input.now) couponExpired = true;
		else {
			coupon = { code, text: fill(pick('couponText', DEFAULT_TEXTS.couponText), { code }) };
			couponOut = { code };
			if (expiresAt !== undefined) {
				coupon.expires = fill(pick('couponExpiry', DEFAULT_TEXTS.couponExpiry), { date: formatDate(expiresAt, locale, input.timeZone) });
				couponOut.expiresAt = new Date(expiresAt).toISOString();
			}
		}
	}
	const button = buttonUrl ? { text: pick('buttonText', input.source === 'cart' ? 'Return to your cart' : 'Shop now'), url: buttonUrl } : undefined;
	const heading = pick('heading', HEADINGS[input.source]);
	const intro = cleanText(texts.intro, 2000) || undefined;
	const subject = pick('subject', defaultSubject(input, titles[0]));
	const couponLine = coupon ? `Use code ${coupon.code}${coupon.expires ? ` (${coupon.expires.charAt(0).toLowerCase()}${coupon.expires.slice(1)})` : ''}` : '';
	const preheader = pick('preheader', [listTitles(titles), couponLine].filter(Boolean).join(' · ') || heading);
	const unsubscribeUrl = safeHttpUrl(input.unsubscribeUrl);
	const brand: TemplateView['brand'] = {};
	const brandName = cleanText(input.brand.name, 200);
	if (brandName) brand.name = brandName;
	const logo = safeHttpUrl(input.brand.logoUrl);
	if (logo) brand.logoUrl = logo;
	if (brandUrl) brand.url = brandUrl;
	const address = cleanText(input.brand.address, 500);
	if (address) brand.address = address;
	const contact: TemplateView['contact'] = {};
	for (const key of ['email', 'firstName', 'lastName'] as const) {
		const value = cleanText(input.contact[key], 200);
		if (value) contact[key] = value;
	}

	const view: TemplateView = {
		lang: locale,
		subject,
		preheader,
		heading,
		productCount: String(views.length),
		products: views,
		rows,
		brand,
		contact,
	};
	if (intro) view.intro = intro;
	if (button) view.button = button;
	if (coupon) view.coupon = coupon;
	if (unsubscribeUrl) view.unsubscribe = { url: unsubscribeUrl, text: pick('unsubscribe', DEFAULT_TEXTS.unsubscribe) };

	return {
		view,
		text: plainText(view),
		subject,
		preheader,
		products: chosen,
		...(button ? { button } : {}),
		...(couponOut ? { coupon: couponOut } : {}),
		couponExpired,
	};
}

/** The plain-text alternative: the same content, readable in any mail client. */
export function plainText(view: TemplateView): string {
	const lines: string[] = [view.heading, ''];
	if (view.intro) lines.push(view.intro, '');
	for (const p of view.products) {
		lines.push(`* ${p.title}${p.variant ? ` (${p.variant})` : ''}`);
		const details = [
			p.price ? `${p.price}${p.compareAtPrice ? ` (was ${p.compareAtPrice})` : ''}` : '',
			p.quantityText ?? '',
			p.lowStock ?? '',
		].filter(Boolean);
		if (details.length > 0) lines.push(`  ${details.join(' · ')}`);
		if (p.url) lines.push(`  ${p.url}`);
		lines.push('');
	}
	if (view.coupon) {
		lines.push(`${view.coupon.text ? `${view.coupon.text}: ` : ''}${view.coupon.code}${view.coupon.expires ? ` (${view.coupon.expires})` : ''}`, '');
	}
	if (view.button) lines.push(`${view.button.text}: ${view.button.url}`, '');
	const footer = [view.brand.name, view.brand.address, view.unsubscribe ? `${view.unsubscribe.text}: ${view.unsubscribe.url}` : undefined].filter(
		(s): s is string => !!s,
	);
	if (footer.length > 0) lines.push('--', ...footer);
	while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
	return `${lines.join('\n')}\n`;
}
