import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { testStoreCredential } from '../shared/store';
import * as add from './actions/add.operation';
import * as engagementTags from './actions/engagementTags.operation';
import * as hasTag from './actions/hasTag.operation';
import * as productInterest from './actions/productInterest.operation';
import * as remove from './actions/remove.operation';
import * as replaceGroup from './actions/replaceGroup.operation';
import { router } from './actions/router';

export class Tag implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tag',
		name: 'tag',
		icon: { light: 'file:tag.svg', dark: 'file:tag.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Tag contacts: add, remove, swap within a group, route by tag, keep engagement and product-interest tags up to date',
		defaults: { name: 'Tag' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{ $parameter["operation"] === "hasTag" ? [{ "type": "main", "displayName": "Has Tag" }, { "type": "main", "displayName": "Does Not Have" }] : [{ "type": "main" }] }}`,
		credentials: [{ name: 'marketingContactStoreApi', required: false, testedBy: 'marketingContactStoreTest' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Behavior Tag', value: 'behaviorTag', description: 'Tags kept up to date from behavior: engagement and product interest' },
					{ name: 'Tag', value: 'tag', description: 'Add, remove, swap or check a contact\'s tags' },
				],
				default: 'tag',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['tag'] } },
				options: [
					{ name: 'Add', value: 'add', description: 'Add tags to a contact, optionally for a limited time', action: 'Add tags to a contact' },
					{ name: 'Has Tag', value: 'hasTag', description: 'Route items by whether the contact has a tag', action: 'Check whether a contact has a tag' },
					{ name: 'Remove', value: 'remove', description: 'Remove tags from a contact', action: 'Remove tags from a contact' },
					{
						name: 'Replace Group',
						value: 'replaceGroup',
						description: 'Replace the contact\'s tag of a group with another in one step (e.g. engagement:…)',
						action: 'Replace the tag of a group',
					},
				],
				default: 'add',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['behaviorTag'] } },
				options: [
					{
						name: 'Engagement Tags',
						value: 'engagementTags',
						description: 'Keep one of engaged / recent activity / disengaged / inactive from the last engagement',
						action: 'Update engagement tags',
					},
					{
						name: 'Product Interest Tags',
						value: 'productInterest',
						description: 'Tag interest:<product or category> viewed at least N times within D days',
						action: 'Tag product interest',
					},
				],
				default: 'engagementTags',
			},
			...add.description,
			...remove.description,
			...replaceGroup.description,
			...hasTag.description,
			...engagementTags.description,
			...productInterest.description,
		],
	};

	methods = {
		credentialTest: { marketingContactStoreTest: testStoreCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
