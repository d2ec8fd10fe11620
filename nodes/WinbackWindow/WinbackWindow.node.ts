import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { testStoreCredential } from '../shared/store';
import * as checkContact from './actions/checkContact.operation';
import { windowProperties } from './actions/common';
import * as getDueContacts from './actions/getDueContacts.operation';
import { router } from './actions/router';

export class WinbackWindow implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Win-back Window',
		name: 'winbackWindow',
		icon: { light: 'file:winbackWindow.svg', dark: 'file:winbackWindow.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "checkContact" ? "Check contact" : "Get due contacts" }}',
		description: 'Which lapsed customers are due which re-engagement email, without long-running Wait nodes',
		defaults: { name: 'Win-back Window' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'marketingContactStoreApi', required: false, testedBy: 'marketingContactStoreTest' }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Check Contact',
						value: 'checkContact',
						description: 'Where one contact stands in the window (for event-driven flows)',
						action: 'Check where a contact stands in the win-back window',
					},
					{
						name: 'Get Due Contacts',
						value: 'getDueContacts',
						description: 'Every contact with a win-back email (or the expiry) due now, each claimed once',
						action: 'Get contacts due a win-back email',
					},
				],
				default: 'getDueContacts',
			},
			...checkContact.description,
			...windowProperties,
			...getDueContacts.description,
		],
	};

	methods = {
		credentialTest: { marketingContactStoreTest: testStoreCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
