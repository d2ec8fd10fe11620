import { buildBlock, formatDate, formatMoney, plainText, requireLocale, supportedLocale, type BlockInput } from '../../lib/domain/productBlock';
import type { Product } from '../../lib/domain/products';

const NOW = Date.parse('2026-05-20T10:00:00Z');

function input(overrides: Partial<BlockInput> = {}): BlockInput {
	return {
		source: 'cart',
		products: [
			{ title: 'Trail shoe', variantTitle: 'Blue / 42', price: 89.9, compareAtPrice: 119, quantity: 1, imageUrl: 'https://cdn.example.com/shoe.png', url: 'https://shop.example.com/products/trail-shoe', stock: 2 },
			{ title: 'Socks', price: 5, quantity: 3, imageUrl: 'https://cdn.example.com/socks.png' },
		],
		columns: 1,
		locale: 'en-US',
		currency: 'USD',
		timeZone: 'America/New_York',
		now: NOW,
		contact: { email: 'ada@example.com', firstName: 'Ada' },
		buttonUrl: 'https://shop.example.com/cart/recover?key=1',
		brand: { name: 'Example Shop', address: '1 Main Street', url: 'https://shop.example.com' },
		unsubscribeUrl: 'https://shop.example.com/unsubscribe?e=ada%40example.com',
		lowStockAt: 5,
		...overrides,
	};
}

describe('formatting', () => {
	it('formats prices for the currency and locale', () => {
		expect(formatMoney(1234.5, 'USD', 'en-US')).toBe('$1,234.50');
		expect(formatMoney(1234.5, 'EUR', 'de-DE')).toBe('1.234,50\u00A0€');
		expect(formatMoney(1234, 'JPY', 'ja-JP')).toBe('￥1,234');
		expect(formatMoney(19.9, 'CHF', 'de-CH')).toBe('CHF\u00A019.90');
		expect(formatMoney(5, 'EGP', 'ar-EG')).toMatch(/[٠-٩]/);
	});
	it('formats dates in the locale and time zone', () => {
		// 03:30 UTC on 1 June is still 31 May in New York.
		const ms = Date.parse('2026-06-01T03:30:00Z');
		expect(formatDate(ms, 'en-US', 'America/New_York')).toBe('May 31, 2026');
		expect(formatDate(ms, 'de-DE', 'Europe/Berlin')).toBe('1. Juni 2026');
	});
	it('accepts locales ICU knows', () => {
		expect(supportedLocale('de_DE')).toBe('de-DE');
		expect(supportedLocale('en')).toBe('en');
		expect(supportedLocale('xx-not-a-locale!')).toBeUndefined();
		expect(() => requireLocale('nope!', 'Locale')).toThrow('"Locale" is not a locale such as en-US or de-DE');
	});
});

describe('buildBlock', () => {
	it('turns a cart into template data, text, subject and preheader', () => {
		const block = buildBlock(input());
		expect(block.subject).toBe('Ada, you left something in your cart');
		expect(block.preheader).toBe('Trail shoe and Socks');
		expect(block.button).toEqual({ text: 'Return to your cart', url: 'https://shop.example.com/cart/recover?key=1' });
		expect(block.view.products[0]).toEqual({
			title: 'Trail shoe',
			variant: 'Blue / 42',
			price: '$89.90',
			compareAtPrice: '$119.00',
			quantity: '1',
			quantityText: 'Qty 1',
			imageUrl: 'https://cdn.example.com/shoe.png',
			url: 'https://shop.example.com/products/trail-shoe',
			lowStock: 'Only 2 left',
			position: '1',
		});
		// No link of its own: the button's link.
		expect(block.view.products[1].url).toBe('https://shop.example.com/cart/recover?key=1');
		expect(block.products[0]).toMatchObject({ title: 'Trail shoe', price: 89.9, formattedPrice: '$89.90', formattedCompareAtPrice: '$119.00' });
		expect(block.view.rows).toHaveLength(2);
		expect(block.text).toBe(
			[
				'You left something in your cart',
				'',
				'* Trail shoe (Blue / 42)',
				'  $89.90 (was $119.00) · Qty 1 · Only 2 left',
				'  https://shop.example.com/products/trail-shoe',
				'',
				'* Socks',
				'  $5.00 · Qty 3',
				'  https://shop.example.com/cart/recover?key=1',
				'',
				'Return to your cart: https://shop.example.com/cart/recover?key=1',
				'',
				'--',
				'Example Shop',
				'1 Main Street',
				'Unsubscribe: https://shop.example.com/unsubscribe?e=ada%40example.com',
				'',
			].join('\n'),
		);
	});

	it('shows a valid coupon with its expiry in the contact’s time zone, and drops an expired one', () => {
		const expiresAt = Date.parse('2026-06-01T03:30:00Z');
		const block = buildBlock(input({ coupon: { code: 'SAVE-AB12', expiresAt }, locale: 'en-US' }));
		expect(block.view.coupon).toEqual({ code: 'SAVE-AB12', text: 'Use this code at checkout', expires: 'Valid until May 31, 2026' });
		expect(block.coupon).toEqual({ code: 'SAVE-AB12', expiresAt: '2026-06-01T03:30:00.000Z' });
		expect(block.preheader).toBe('Trail shoe and Socks · Use code SAVE-AB12 (valid until May 31, 2026)');
		expect(block.text).toContain('Use this code at checkout: SAVE-AB12 (Valid until May 31, 2026)');
		const expired = buildBlock(input({ coupon: { code: 'SAVE-AB12', expiresAt }, now: expiresAt }));
		expect(expired.view.coupon).toBeUndefined();
		expect(expired.couponExpired).toBe(true);
		expect(buildBlock(input({ coupon: { code: 'FOREVER' } })).view.coupon).toEqual({ code: 'FOREVER', text: 'Use this code at checkout' });
	});

	it('speaks the contact’s language for prices and dates, and uses the texts given', () => {
		const block = buildBlock(
			input({
				locale: 'de-DE',
				currency: 'EUR',
				timeZone: 'Europe/Berlin',
				coupon: { code: 'SPAR10', expiresAt: Date.parse('2026-06-01T03:30:00Z') },
				texts: {
					heading: 'Noch da?',
					buttonText: 'Zum Warenkorb',
					couponText: 'Dein Code {code}',
					couponExpiry: 'Gültig bis {date}',
					quantity: '{quantity} Stück',
					lowStock: 'Nur noch {count}',
					unsubscribe: 'Abmelden',
					subject: 'Dein Warenkorb wartet',
					preheader: 'Jetzt abschließen',
				},
			}),
		);
		expect(block.view.lang).toBe('de-DE');
		expect(block.view.products[0]).toMatchObject({ price: '89,90\u00A0€', compareAtPrice: '119,00\u00A0€', quantityText: '1 Stück', lowStock: 'Nur noch 2' });
		expect(block.view.coupon).toEqual({ code: 'SPAR10', text: 'Dein Code SPAR10', expires: 'Gültig bis 1. Juni 2026' });
		expect(block.view).toMatchObject({ heading: 'Noch da?', button: { text: 'Zum Warenkorb' }, unsubscribe: { text: 'Abmelden' }, subject: 'Dein Warenkorb wartet', preheader: 'Jetzt abschließen' });
	});

	it('suggests a subject and heading for each source', () => {
		const products: Product[] = [{ title: 'Lens cap', price: 9, imageUrl: 'https://cdn.example.com/cap.png' }];
		const subject = (o: Partial<BlockInput>) => buildBlock(input({ products, ...o })).subject;
		expect(subject({ source: 'order' })).toBe('Thank you for your order, Ada');
		expect(subject({ source: 'input', contact: {} })).toBe('Picked for you: Lens cap');
		expect(subject({ source: 'accessories', basisTitle: 'X100 camera' })).toBe('Goes well with your X100 camera');
		expect(subject({ source: 'crossSell', basisTitle: 'X100 camera' })).toBe('Customers who bought X100 camera also bought');
		expect(subject({ source: 'crossSell' })).toBe('Picked for you, based on your orders');
		expect(buildBlock(input({ products, source: 'crossSell' })).view.heading).toBe('Customers also bought');
		expect(buildBlock(input({ products, source: 'input' })).button?.text).toBe('Shop now');
	});

	it('groups products in rows for grids', () => {
		const products = Array.from({ length: 5 }, (_, i) => ({ title: `P${i}`, price: i }));
		const block = buildBlock(input({ products, columns: 3 }));
		expect(block.view.rows.map((r) => r.products.map((p) => p.title))).toEqual([['P0', 'P1', 'P2'], ['P3', 'P4']]);
		expect(block.view.productCount).toBe('5');
	});

	it('cleans every value and keeps only http(s) links', () => {
		const block = buildBlock(
			input({
				products: [{ title: ' <b>Bold</b>\n\nname ', variantTitle: 'Default Title', price: 1, url: 'javascript:alert(1)', imageUrl: 'data:image/png;base64,AAAA', stock: 0 }],
				buttonUrl: 'javascript:alert(1)',
				brand: { name: 'Shop', logoUrl: 'vbscript:x', url: 'https://shop.example.com' },
				unsubscribeUrl: '//evil.example/u',
			}),
		);
		const p = block.view.products[0];
		expect(p.title).toBe('<b>Bold</b> name');
		expect(p.variant).toBeUndefined();
		expect(p.imageUrl).toBeUndefined();
		expect(p.url).toBe('https://shop.example.com/');
		expect(p.lowStock).toBeUndefined();
		expect(block.button).toBeUndefined();
		expect(block.view.brand.logoUrl).toBeUndefined();
		expect(block.view.unsubscribe).toBeUndefined();
	});

	it('writes a text part for an empty block too', () => {
		const block = buildBlock(input({ products: [], brand: {}, unsubscribeUrl: undefined, buttonUrl: undefined }));
		expect(block.preheader).toBe('You left something in your cart');
		expect(plainText(block.view)).toBe('You left something in your cart\n');
	});
});
