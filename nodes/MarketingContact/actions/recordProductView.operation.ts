import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../lib/domain/errors';
import { optionalId, optionalMoney, optionalString, optionalTimestamp } from '../../../lib/domain/values';
import { linkOf } from '../../../lib/sources/common';
import type { ContactStore, ProductViewEvent } from '../../../lib/store';
import { emailProperty, getEmail, writeOptions, writeOptionsProperty, writeOutput } from './common';

const show = { operation: ['recordProductView'] };

export const description: INodeProperties[] = [
	emailProperty('recordProductView', 'Email of the visitor (known from a login, a newsletter click or your tracking snippet)', '={{ $json.body?.email ?? $json.email }}'),
	{ displayName: 'Product ID', name: 'productId', type: 'string', required: true, default: '={{ $json.body?.product_id ?? $json.product_id }}', description: 'The product viewed', displayOptions: { show } },
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add field',
		default: {},
		displayOptions: { show },
		options: [
			{ displayName: 'Image URL', name: 'imageUrl', type: 'string', default: '' },
			{ displayName: 'Price', name: 'price', type: 'string', default: '' },
			{ displayName: 'Product Title', name: 'title', type: 'string', default: '' },
			{ displayName: 'Product Type or Category', name: 'productType', type: 'string', default: '', description: 'Used for category interest tags' },
			{ displayName: 'Product URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'Viewed At', name: 'viewedAt', type: 'string', default: '', description: 'When the product was viewed (ISO 8601). Empty means now; when set, a replay of the same view is detected.' },
		],
	},
	writeOptionsProperty('recordProductView'),
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = getEmail(this, i);
	const extra = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
	const productId = optionalId(this.getNodeParameter('productId', i, ''), 'Product ID');
	if (!productId) throw new InputError('"Product ID" is empty', 'Product ID');
	const givenTime = optionalTimestamp(extra.viewedAt, 'Viewed At');
	const options = writeOptions(this, i, givenTime ? `view:${email}:${productId}:${givenTime}` : undefined);
	const view: ProductViewEvent = { contact: { email }, productId, viewedAt: givenTime ?? options.now };
	const title = optionalString(extra.title, 'Product Title', 500);
	const productType = optionalString(extra.productType, 'Product Type', 200);
	const url = linkOf(extra.url, 'Product URL');
	const imageUrl = linkOf(extra.imageUrl, 'Image URL');
	const price = optionalMoney(extra.price, 'Price');
	if (title) view.title = title;
	if (productType) view.productType = productType;
	if (url) view.url = url;
	if (imageUrl) view.imageUrl = imageUrl;
	if (price !== undefined) view.price = price;
	const result = await store.recordProductView(view, options);
	return writeOutput(result, { productView: result.productView as unknown as IDataObject });
}
