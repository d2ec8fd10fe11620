import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { testStoreCredential } from '../shared/store';
import * as adjust from './actions/adjust.operation';
import { scoreNameProperty } from './actions/common';
import * as decay from './actions/decay.operation';
import * as get from './actions/get.operation';
import * as refreshExpired from './actions/refreshExpired.operation';
import { router } from './actions/router';
import * as set from './actions/set.operation';
import * as threshold from './actions/threshold.operation';
import * as updateTier from './actions/updateTier.operation';

export class Score implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Score',
		name: 'score',
		icon: { light: 'file:score.svg', dark: 'file:score.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "refreshExpired" ? "apply expired points" : $parameter["operation"] + ": " + $parameter["scoreName"] }}',
		description: 'Named contact scores (lead, loyalty…): award points with expiry, tiers, thresholds that fire once, decay',
		defaults: { name: 'Score' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{ $parameter["operation"] === "threshold" ? ($parameter["notCrossedOutput"] ? [{ "type": "main", "displayName": "Crossed" }, { "type": "main", "displayName": "Not Crossed" }] : [{ "type": "main", "displayName": "Crossed" }]) : [{ "type": "main" }] }}`,
		credentials: [{ name: 'marketingContactStoreApi', required: false, testedBy: 'marketingContactStoreTest' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'All Contacts', value: 'allContacts', description: 'Store-wide upkeep runs: decay for inactivity, apply expired points' },
					{ name: 'Contact Score', value: 'contactScore', description: 'Award, set, read and act on one contact\'s score' },
				],
				default: 'contactScore',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['contactScore'] } },
				options: [
					{ name: 'Adjust', value: 'adjust', description: 'Add or subtract points (fixed, per currency unit spent, per page visit)', action: 'Adjust a score' },
					{ name: 'Get', value: 'get', description: 'Get a contact\'s score, tier and history', action: 'Get a score' },
					{ name: 'Set', value: 'set', description: 'Set a score to a value', action: 'Set a score' },
					{ name: 'Threshold', value: 'threshold', description: 'Pass an item only the first time the score reaches a threshold', action: 'Check a score threshold' },
					{ name: 'Update Tier', value: 'updateTier', description: 'Map the score to a tier (Bronze, Silver, Gold) and store it', action: 'Update a contact tier' },
				],
				default: 'adjust',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['allContacts'] } },
				options: [
					{ name: 'Apply Expired Points', value: 'refreshExpired', description: 'Update stored scores for points that expired (for segments)', action: 'Apply expired points' },
					{ name: 'Decay', value: 'decay', description: 'Take N points per period of inactivity', action: 'Decay scores of inactive contacts' },
				],
				default: 'decay',
			},
			scoreNameProperty,
			...adjust.description,
			...set.description,
			...get.description,
			...updateTier.description,
			...threshold.description,
			...decay.description,
			...refreshExpired.description,
		],
	};

	methods = {
		credentialTest: { marketingContactStoreTest: testStoreCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
