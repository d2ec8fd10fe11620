import type { INodeProperties } from 'n8n-workflow';

export const CONTACT_EMAIL_DEFAULT = '={{ $json.contact?.email ?? $json.email }}';

const recommendation = { source: ['accessories', 'crossSell'] };

const CUSTOM_TEMPLATE_EXAMPLE = `<mjml lang="{{lang}}">
  <mj-head>
    <mj-title>{{subject}}</mj-title>
    <mj-preview>{{preheader}}</mj-preview>
  </mj-head>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text font-size="22px">{{heading}}</mj-text>
      </mj-column>
    </mj-section>
    {{#products}}
    <mj-section>
      <mj-column width="40%">
        <mj-image src="{{product.imageUrl}}" href="{{product.url}}" alt="{{product.title}}" />
      </mj-column>
      <mj-column width="60%">
        <mj-text><a href="{{product.url}}">{{product.title}}</a><br />{{#product.compareAtPrice}}<s>{{product.compareAtPrice}}</s> {{/product.compareAtPrice}}{{product.price}}</mj-text>
      </mj-column>
    </mj-section>
    {{/products}}
    {{#coupon}}
    <mj-section>
      <mj-column>
        <mj-text align="center">{{coupon.text}}: <strong>{{coupon.code}}</strong> {{coupon.expires}}</mj-text>
      </mj-column>
    </mj-section>
    {{/coupon}}
    {{#button}}
    <mj-section>
      <mj-column>
        <mj-button background-color="{{theme.color}}" href="{{button.url}}">{{button.text}}</mj-button>
      </mj-column>
    </mj-section>
    {{/button}}
    {{#unsubscribe}}
    <mj-section>
      <mj-column>
        <mj-text align="center" font-size="12px"><a href="{{unsubscribe.url}}">{{unsubscribe.text}}</a></mj-text>
      </mj-column>
    </mj-section>
    {{/unsubscribe}}
  </mj-body>
</mjml>`;

const basedOnOptions = [
	{ name: 'All Purchases', value: 'allPurchases', description: 'Everything the contact has ordered' },
	{ name: 'Latest Order', value: 'latestOrder', description: "The contact's most recent order" },
	{ name: 'Open Cart', value: 'openCart', description: "The contact's latest cart that was not turned into an order" },
	{ name: 'Product IDs', value: 'productIds', description: 'Product IDs you give' },
];

export const properties: INodeProperties[] = [
	{
		displayName: 'Products From',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Accessories',
				value: 'accessories',
				description: 'Accessories for what the contact bought or left in the cart, from your own rules',
			},
			{
				name: 'Bought Together',
				value: 'crossSell',
				description: 'Products most often bought in the same order as what the contact bought (cross-sell, from the order history)',
			},
			{ name: 'Cart', value: 'cart', description: "The items of the contact's open cart, with a button back to it (abandoned cart)" },
			{ name: 'Order', value: 'order', description: "The line items of one of the contact's orders (thank-you, review request)" },
			{
				name: 'Product List',
				value: 'input',
				description: 'Products from this item, e.g. from the Shopify or WooCommerce node (new arrivals, best sellers)',
			},
		],
		default: 'cart',
		description: 'Which products the email shows',
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@example.com',
		default: CONTACT_EMAIL_DEFAULT,
		description:
			'The contact the email is for. Needed for Cart, Order and recommendations; with a Product List it is used to leave out what they already bought, and may be empty.',
	},
	{
		displayName: 'Products',
		name: 'products',
		type: 'json',
		default: '={{ $json.products }}',
		description:
			'A list of products: Shopify product JSON, WooCommerce product JSON, or objects with title, price, imageUrl and url (optionally compareAtPrice, stock, productId). To use every item of an earlier node, combine them first with the Aggregate node.',
		displayOptions: { show: { source: ['input'] } },
	},
	{
		displayName: 'Based On',
		name: 'basedOn',
		type: 'options',
		options: basedOnOptions,
		default: 'latestOrder',
		description: 'What the accessories are for: they are the accessories of every rule that matches one of these products',
		displayOptions: { show: { source: ['accessories'] } },
	},
	{
		displayName: 'Based On',
		name: 'basedOn',
		type: 'options',
		options: basedOnOptions,
		default: 'allPurchases',
		description: 'What the recommendations go with: products bought in the same orders as these, by every customer',
		displayOptions: { show: { source: ['crossSell'] } },
	},
	{
		displayName: 'Product IDs',
		name: 'basisProductIds',
		type: 'string',
		default: '',
		placeholder: '632910392, 921728736',
		description: 'Comma-separated product IDs, as in your shop',
		displayOptions: { show: { ...recommendation, basedOn: ['productIds'] } },
	},
	{
		displayName: 'Accessory Rules',
		name: 'accessoryRules',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Rule',
		default: {},
		description: 'When a product matches a rule, its accessories are shown (rules in order, at most Max Products in all)',
		displayOptions: { show: { source: ['accessories'] } },
		options: [
			{
				displayName: 'Rule',
				name: 'rule',
				values: [
					{
						displayName: 'Match By',
						name: 'matchBy',
						type: 'options',
						options: [
							{ name: 'Any Product', value: 'any', description: 'Always applies (e.g. care products for everyone)' },
							{ name: 'Product ID or SKU', value: 'productId' },
							{ name: 'Product Type', value: 'productType', description: "Shopify's product type or WooCommerce's first category" },
							{ name: 'Tag', value: 'tag' },
						],
						default: 'productType',
					},
					{
						displayName: 'Values',
						name: 'values',
						type: 'string',
						default: '',
						placeholder: 'Cameras, Lenses',
						description: 'Comma-separated; types and tags ignore upper and lower case',
						displayOptions: { hide: { matchBy: ['any'] } },
					},
					{
						displayName: 'Accessories',
						name: 'accessories',
						type: 'json',
						default: '[]',
						description: 'The products to show: a list in any of the Product List shapes (title, price, imageUrl, url…)',
					},
				],
			},
		],
	},
	{
		displayName: 'Template',
		name: 'template',
		type: 'options',
		options: [
			{ name: 'List', value: 'list', description: 'One product per row: image left, details right' },
			{ name: 'Grid (2 Columns)', value: 'grid2' },
			{ name: 'Grid (3 Columns)', value: 'grid3' },
			{ name: 'Custom MJML', value: 'custom', description: 'Your own design, with placeholders' },
		],
		default: 'list',
		description: 'The email design (MJML, responsive, with brand header and footer)',
	},
	{
		displayName: 'Custom Template',
		name: 'customTemplate',
		type: 'string',
		typeOptions: { rows: 16 },
		default: CUSTOM_TEMPLATE_EXAMPLE,
		description:
			'MJML with placeholders (keep this field Fixed, not an expression). Values: {{heading}}, {{intro}}, {{subject}}, {{preheader}}, {{lang}}, {{productCount}}, {{button.text}}, {{button.url}}, {{coupon.code}}, {{coupon.text}}, {{coupon.expires}}, {{brand.name}}, {{brand.logoUrl}}, {{brand.url}}, {{brand.address}}, {{unsubscribe.url}}, {{unsubscribe.text}}, {{contact.firstName}}, {{contact.lastName}}, {{contact.email}}. {{#products}}…{{/products}} repeats per product, with {{product.title}}, {{product.variant}}, {{product.price}}, {{product.compareAtPrice}}, {{product.quantity}}, {{product.quantityText}}, {{product.imageUrl}}, {{product.url}}, {{product.lowStock}}, {{product.productType}}, {{product.vendor}}, {{product.sku}}, {{product.position}}. {{#rows}}{{#products}}…{{/products}}{{/rows}} makes a grid of Columns products per row. {{#name}}…{{/name}} shows its content when the value is not empty, {{^name}}…{{/name}} when it is. {{theme.color}} is the Brand Color. Every value is HTML-escaped; placeholders go in text and in href, src, alt and title attributes, and links must be http(s).',
		displayOptions: { show: { template: ['custom'] } },
	},
	{
		displayName: 'Max Products',
		name: 'maxProducts',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 12 },
		default: 6,
		description: 'Max number of products to show, after the filters',
	},
	{
		displayName: 'Coupon Code',
		name: 'couponCode',
		type: 'string',
		default: '={{ $json.coupon?.code ?? "" }}',
		description: 'Shows a coupon banner when set (the default takes the code from a Marketing Contact "Issue Coupon" step). An expired coupon is never shown.',
	},
	{
		displayName: 'Coupon Expires At',
		name: 'couponExpiresAt',
		type: 'string',
		default: '={{ $json.coupon?.expiresAt ?? "" }}',
		description: 'When the coupon stops working (ISO 8601); shown as a date in the contact\'s language and time zone',
	},
	{
		displayName: 'Brand',
		name: 'brand',
		type: 'collection',
		placeholder: 'Add brand detail',
		default: {},
		description: 'Header and footer of the email',
		options: [
			{ displayName: 'Address', name: 'address', type: 'string', default: '', description: 'Your postal address, shown in the footer (required by anti-spam laws in many countries)' },
			{ displayName: 'Brand Color', name: 'color', type: 'color', default: '#1f6feb', description: 'Buttons and the coupon frame' },
			{ displayName: 'Logo URL', name: 'logoUrl', type: 'string', default: '', placeholder: 'https://shop.example.com/logo.png', description: 'An http(s) image for the header; without it the store name is shown' },
			{ displayName: 'Shop URL', name: 'shopUrl', type: 'string', default: '', placeholder: 'https://shop.example.com', description: 'Your shop: the logo links here, the "Shop now" button goes here, and Shopify products link to <shop>/products/<handle>' },
			{ displayName: 'Store Name', name: 'name', type: 'string', default: '' },
			{
				displayName: 'Unsubscribe URL',
				name: 'unsubscribeUrl',
				type: 'string',
				default: '',
				placeholder: '=https://shop.example.com/unsubscribe?email={{ encodeURIComponent($json.contact?.email ?? $json.email) }}',
				description: 'The footer link to unsubscribe (http or https). Empty: the signed one-click link that the Segment node\'s Sendable guard adds to each item (unsubscribeUrl).',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{ displayName: 'Button Text', name: 'buttonText', type: 'string', default: '', description: 'Empty: "Return to your cart" for a cart, "Shop now" otherwise' },
			{
				displayName: 'Button URL',
				name: 'buttonUrl',
				type: 'string',
				default: '',
				description: "Empty: the cart's recovery link for a cart, the Shop URL otherwise. Without any link there is no button.",
			},
			{ displayName: 'Cart ID', name: 'cartId', type: 'string', default: '', description: "Which of the contact's carts (Cart only); empty means the latest open one" },
			{
				displayName: 'Columns',
				name: 'columns',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 4 },
				default: 2,
				description: 'Products per {{#rows}} row in a custom template',
			},
			{ displayName: 'Coupon Expiry Text', name: 'couponExpiryText', type: 'string', default: 'Valid until {date}', description: '{date} is replaced by the date' },
			{ displayName: 'Coupon Text', name: 'couponText', type: 'string', default: 'Use this code at checkout', description: 'Shown above the coupon code' },
			{
				displayName: 'Currency',
				name: 'currency',
				type: 'string',
				default: '',
				placeholder: 'EUR',
				description: "ISO 4217 code for prices; empty: the cart's or order's, else the contact's, else USD",
			},
			{ displayName: 'Heading', name: 'heading', type: 'string', default: '', description: 'Empty: a heading that fits the source, e.g. "You left something in your cart"' },
			{ displayName: 'Intro Text', name: 'intro', type: 'string', typeOptions: { rows: 3 }, default: '', description: 'A short paragraph under the heading' },
			{ displayName: 'Leave Out Already Bought', name: 'excludeAlreadyBought', type: 'boolean', default: true, description: 'Whether products the contact has already ordered are left out (Product List and recommendations)' },
			{ displayName: 'Leave Out Basis Products', name: 'excludeTriggerItems', type: 'boolean', default: true, description: 'Whether recommendations leave out the products they are based on (e.g. what is in the cart)' },
			{ displayName: 'Leave Out Out of Stock', name: 'excludeOutOfStock', type: 'boolean', default: true, description: 'Whether products known to be sold out or unavailable are left out' },
			{ displayName: 'Leave Out Without Image', name: 'excludeWithoutImage', type: 'boolean', default: true, description: 'Whether products without an http(s) image are left out' },
			{
				displayName: 'Locale',
				name: 'locale',
				type: 'string',
				default: '',
				placeholder: 'de-DE',
				description: "Language and region for prices and dates; empty: the contact's locale, else en-US",
			},
			{
				displayName: 'Low Stock Badge At',
				name: 'lowStockAt',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 5,
				description: 'Shows "Only N left" when a product has this many units or fewer (and the shop tracks stock); 0 hides the badge',
			},
			{ displayName: 'Low Stock Text', name: 'lowStockText', type: 'string', default: 'Only {count} left', description: '{count} is replaced by the units left' },
			{ displayName: 'Order ID', name: 'orderId', type: 'string', default: '', description: 'Which order (Order only): its ID or number; empty means the latest' },
			{ displayName: 'Preheader', name: 'preheader', type: 'string', default: '', description: 'The preview line in the inbox; empty: the product names and the coupon' },
			{
				displayName: 'Product Catalog',
				name: 'catalog',
				type: 'json',
				default: '[]',
				description:
					'Products (Shopify, WooCommerce or plain) to fill in images, links, stock and compare-at prices that carts and orders lack, matched by product ID, SKU or URL',
			},
			{ displayName: 'Quantity Text', name: 'quantityText', type: 'string', default: 'Qty {quantity}', description: '{quantity} is replaced by the number of units (Cart and Order)' },
			{
				displayName: 'Reference Time',
				name: 'referenceTime',
				type: 'dateTime',
				default: '',
				description: 'Treat this as "now" when deciding whether the coupon has expired (for replays and tests). Empty means the current time.',
			},
			{ displayName: 'Subject', name: 'subject', type: 'string', default: '', description: 'Empty: a suggestion that fits the source, output as "subject"' },
			{ displayName: 'Time Zone', name: 'timeZone', type: 'string', default: '', placeholder: 'Europe/Berlin', description: "For the coupon's expiry date; empty: the contact's, else the workflow's" },
			{ displayName: 'Unsubscribe Text', name: 'unsubscribeText', type: 'string', default: 'Unsubscribe' },
			{
				displayName: 'When No Products',
				name: 'whenNoProducts',
				type: 'options',
				options: [
					{ name: 'Skip the Item', value: 'skip', description: 'No email for this contact (nothing to show)' },
					{ name: 'Output Anyway', value: 'output', description: 'The email without a product list' },
					{ name: 'Stop With an Error', value: 'error' },
				],
				default: 'skip',
				description: 'What to do when no product is left after the filters',
			},
		],
	},
];
