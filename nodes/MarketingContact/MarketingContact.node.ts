import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { testStoreCredential } from '../shared/store';
import * as del from './actions/delete.operation';
import * as get from './actions/get.operation';
import * as issueCoupon from './actions/issueCoupon.operation';
import * as recordCart from './actions/recordCart.operation';
import * as recordEmailEngagement from './actions/recordEmailEngagement.operation';
import * as recordOrder from './actions/recordOrder.operation';
import * as recordPageVisit from './actions/recordPageVisit.operation';
import * as recordProductView from './actions/recordProductView.operation';
import * as subscribeFromLink from './actions/subscribeFromLink.operation';
import * as unsubscribe from './actions/unsubscribe.operation';
import * as unsubscribeFromLink from './actions/unsubscribeFromLink.operation';
import * as upsertProfile from './actions/upsertProfile.operation';
import { router } from './actions/router';

export class MarketingContact implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Marketing Contact',
		name: 'marketingContact',
		icon: { light: 'file:marketingContact.svg', dark: 'file:marketingContact.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Turn store events (orders, carts, views, visits, email events) into contact profiles for marketing automation',
		defaults: { name: 'Marketing Contact' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'marketingContactStoreApi', required: false, testedBy: 'marketingContactStoreTest' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Contact', value: 'contact', description: 'Create, read, unsubscribe or erase a contact; issue coupon codes' },
					{ name: 'Signed Link', value: 'signedLink', description: 'Handle clicks on the signed unsubscribe and subscribe-confirm links in your emails' },
					{ name: 'Store Event', value: 'storeEvent', description: 'Record what customers do in your store and emails: orders, carts, views, visits, email events' },
				],
				default: 'storeEvent',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['storeEvent'] } },
				options: [
					{ name: 'Record Cart', value: 'recordCart', description: 'A checkout was started or updated', action: 'Record a cart' },
					{ name: 'Record Email Engagement', value: 'recordEmailEngagement', description: 'An open, click, bounce, complaint or unsubscribe from your email provider', action: 'Record an email event' },
					{ name: 'Record Order', value: 'recordOrder', description: 'An order was placed, paid, fulfilled or cancelled', action: 'Record an order' },
					{ name: 'Record Page Visit', value: 'recordPageVisit', description: 'A page of your site was visited', action: 'Record a page visit' },
					{ name: 'Record Product View', value: 'recordProductView', description: 'A product page was viewed', action: 'Record a product view' },
				],
				default: 'recordOrder',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['contact'] } },
				options: [
					{ name: 'Delete', value: 'delete', description: 'Erase a contact and all their data (GDPR)', action: 'Delete a contact' },
					{ name: 'Get', value: 'get', description: 'Get a contact\'s profile and history', action: 'Get a contact' },
					{ name: 'Issue Coupon', value: 'issueCoupon', description: 'A unique code per contact and campaign', action: 'Issue a coupon code' },
					{ name: 'Unsubscribe', value: 'unsubscribe', description: 'Suppress a contact from marketing email, with the reason', action: 'Unsubscribe a contact' },
					{ name: 'Upsert Profile', value: 'upsertProfile', description: 'Create or update a contact from a customer event or your own fields', action: 'Create or update a contact' },
				],
				default: 'upsertProfile',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['signedLink'] } },
				options: [
					{ name: 'Subscribe From Link', value: 'subscribeFromLink', description: 'Verify a clicked "yes, subscribe me" link (double opt-in) and subscribe its contact', action: 'Subscribe from a signed link' },
					{ name: 'Unsubscribe From Link', value: 'unsubscribeFromLink', description: 'Verify a clicked one-click unsubscribe link and suppress its contact', action: 'Unsubscribe from a signed link' },
				],
				default: 'unsubscribeFromLink',
			},
			...recordOrder.description,
			...recordCart.description,
			...recordProductView.description,
			...recordPageVisit.description,
			...recordEmailEngagement.description,
			...upsertProfile.description,
			...get.description,
			...unsubscribe.description,
			...unsubscribeFromLink.description,
			...subscribeFromLink.description,
			...del.description,
			...issueCoupon.description,
		],
	};

	methods = {
		credentialTest: { marketingContactStoreTest: testStoreCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
