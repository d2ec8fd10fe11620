import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { testStoreCredential } from '../shared/store';
import * as enrollInDrip from './actions/enrollInDrip.operation';
import * as getDueCartReminders from './actions/getDueCartReminders.operation';
import * as getDueDateEmails from './actions/getDueDateEmails.operation';
import * as getDueDripEmails from './actions/getDueDripEmails.operation';
import { router } from './actions/router';

export class CampaignSchedule implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Campaign Schedule',
		name: 'campaignSchedule',
		icon: { light: 'file:campaignSchedule.svg', dark: 'file:campaignSchedule.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] }}',
		description: 'Timed email flows without Wait nodes: abandoned-cart reminders, N-day drips, birthdays and anniversaries',
		defaults: { name: 'Campaign Schedule' },
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
						name: 'Enroll in Drip',
						value: 'enrollInDrip',
						description: 'Start a drip for a contact (safe to repeat)',
						action: 'Enroll a contact in a drip',
					},
					{
						name: 'Get Due Cart Reminders',
						value: 'getDueCartReminders',
						description: 'Open carts with a reminder due now (e.g. at 1 h, 24 h and 72 h)',
						action: 'Get due cart reminders',
					},
					{
						name: 'Get Due Date Emails',
						value: 'getDueDateEmails',
						description: 'Birthdays and signup anniversaries due now, in each contact\'s time zone',
						action: 'Get due birthday or anniversary emails',
					},
					{
						name: 'Get Due Drip Emails',
						value: 'getDueDripEmails',
						description: 'Enrolled contacts with a drip email due now (e.g. day 0 to day 6)',
						action: 'Get due drip emails',
					},
				],
				default: 'getDueCartReminders',
			},
			...getDueCartReminders.description,
			...enrollInDrip.description,
			...getDueDripEmails.description,
			...getDueDateEmails.description,
		],
	};

	methods = {
		credentialTest: { marketingContactStoreTest: testStoreCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
