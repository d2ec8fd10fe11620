import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { ContactStore } from '../../../lib/store';
import { addSweepHints, countBy, okItems } from '../../shared/dueSteps';
import { hintCount, plural, runPerItem } from '../../shared/execute';
import { getStore } from '../../shared/store';
import type { Operation, SweepSummary } from './common';
import * as enrollInDrip from './enrollInDrip.operation';
import * as getDueCartReminders from './getDueCartReminders.operation';
import * as getDueDateEmails from './getDueDateEmails.operation';
import * as getDueDripEmails from './getDueDripEmails.operation';

type Sweep = (this: IExecuteFunctions, i: number, store: ContactStore, summary: SweepSummary[]) => Promise<IDataObject[]>;

const SWEEPS: Record<Exclude<Operation, 'enrollInDrip'>, { run: Sweep; noun: [string, string] }> = {
	getDueCartReminders: { run: getDueCartReminders.execute, noun: ['cart reminder', 'cart reminders'] },
	getDueDripEmails: { run: getDueDripEmails.execute, noun: ['drip email', 'drip emails'] },
	getDueDateEmails: { run: getDueDateEmails.execute, noun: ['date-based email', 'date-based emails'] },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as Operation;
	const store = await getStore.call(this);
	if (operation === 'enrollInDrip') {
		const output = await runPerItem.call(this, function (this: IExecuteFunctions, i: number) {
			return enrollInDrip.execute.call(this, i, store);
		});
		hintCount(this, output, (json) => json.enrolled === true, (n) => `${plural(n, 'contact')} enrolled`);
		hintCount(this, output, (json) => json.restarted === true, (n) => `${plural(n, 'enrollment')} restarted from day 0`);
		hintCount(this, output, (json) => json.enrolled === false && json.restarted === false, (n) => `${plural(n, 'contact was', 'contacts were')} already enrolled: kept as is`);
		return [output];
	}

	const sweep = SWEEPS[operation];
	const summaries: SweepSummary[] = [];
	const output = await runPerItem.call(this, function (this: IExecuteFunctions, i: number) {
		return sweep.run.call(this, i, store, summaries);
	});
	if (summaries.length > 0) {
		const items = okItems(output);
		const [one, many] = sweep.noun;
		const byStep = operation === 'getDueDateEmails' ? countBy(items, (json) => String(json.stepName)) : countBy(items, (json) => `× ${String(json.stepName)}`);
		this.addExecutionHints({
			message: `${items.length} ${items.length === 1 ? one : many} due${items.length > 0 && operation !== 'getDueDateEmails' ? `: ${byStep}` : ''}`,
			type: 'info',
			location: 'outputPane',
		});
		addSweepHints(this, items, summaries.some((s) => s.limitReached), summaries[0].maxContacts, operation === 'getDueCartReminders' ? 'cart' : 'contact');
	}
	return [output];
}
