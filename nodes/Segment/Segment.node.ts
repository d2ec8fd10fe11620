import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { testStoreCredential } from '../shared/store';
import * as check from './actions/check.operation';
import * as findContacts from './actions/findContacts.operation';
import { OUTPUTS_EXPRESSION } from './actions/outputs';
import * as predictNextOrder from './actions/predictNextOrder.operation';
import * as rfm from './actions/rfm.operation';
import * as sendable from './actions/sendable.operation';
import { router } from './actions/router';

export class Segment implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Segment',
		name: 'segment',
		icon: { light: 'file:segment.svg', dark: 'file:segment.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Which contacts are in which segment: route contacts by rules, find every contact that matches, RFM scores and purchase cycles',
		defaults: { name: 'Segment' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTPUTS_EXPRESSION,
		credentials: [{ name: 'marketingContactStoreApi', required: false, testedBy: 'marketingContactStoreTest' }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Check', value: 'check', description: 'Route each input contact by whether it is in a segment, or by which segment', action: 'Check contacts against segments' },
					{ name: 'Find Contacts', value: 'findContacts', description: 'Every contact in the store that matches the rules (for scheduled campaigns)', action: 'Find contacts in a segment' },
					{ name: 'Predict Next Order', value: 'predictNextOrder', description: 'The expected next order date from the contact\'s own purchase cycle', action: 'Predict the next order' },
					{ name: 'RFM Score', value: 'rfm', description: 'Recency, frequency and monetary scores 1–5 and the RFM group', action: 'Score contacts by RFM' },
					{ name: 'Sendable', value: 'sendable', description: 'The guard before an email sender: holds back unsubscribed, already-sent, over-the-cap and quiet-hours contacts', action: 'Check whether an email may be sent' },
				],
				default: 'check',
			},
			...check.description,
			...findContacts.description,
			...rfm.description,
			...predictNextOrder.description,
			...sendable.description,
		],
	};

	methods = {
		credentialTest: { marketingContactStoreTest: testStoreCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
