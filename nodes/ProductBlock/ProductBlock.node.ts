import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { testStoreCredential } from '../shared/store';
import { properties } from './description';
import { execute } from './execute';

export class ProductBlock implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Product Block',
		name: 'productBlock',
		icon: { light: 'file:productBlock.svg', dark: 'file:productBlock.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ {"cart": "Cart", "order": "Order", "input": "Product list", "accessories": "Accessories", "crossSell": "Bought together"}[$parameter["source"]] }}',
		description: 'Product images, names, prices and a button as email-ready HTML (MJML), from a cart, an order, a product list or recommendations',
		defaults: { name: 'Product Block' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'marketingContactStoreApi', required: false, testedBy: 'marketingContactStoreTest' }],
		properties,
	};

	methods = {
		credentialTest: { marketingContactStoreTest: testStoreCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await execute.call(this);
	}
}
