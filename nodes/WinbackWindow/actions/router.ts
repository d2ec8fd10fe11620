import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { hintCount, plural, runPerItem } from '../../shared/execute';
import { addSweepHints, countBy, okItems } from '../../shared/dueSteps';
import { getStore } from '../../shared/store';
import * as checkContact from './checkContact.operation';
import type { Operation } from './common';
import * as getDueContacts from './getDueContacts.operation';

const STATUS_LABELS: Record<string, string> = {
	notInWindow: 'not in the window',
	waitingForFirst: 'waiting for the first email',
	due: 'with a step due',
	waitingForNext: 'waiting for the next email',
	done: 'done (waiting for expiry)',
	expired: 'expired',
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as Operation;
	const store = await getStore.call(this);
	if (operation === 'checkContact') {
		const output = await runPerItem.call(this, function (this: IExecuteFunctions, i: number) {
			return checkContact.execute.call(this, i, store);
		});
		const found = okItems(output).filter((json) => json.found === true);
		if (found.length > 0) {
			this.addExecutionHints({
				message: `${plural(found.length, 'contact')}: ${countBy(found, (json) => STATUS_LABELS[json.status as string] ?? String(json.status))}`,
				type: 'info',
				location: 'outputPane',
			});
		}
		hintCount(this, output, (json) => json.claimed === true, (n) => `${plural(n, 'due step was', 'due steps were')} claimed`);
		hintCount(this, output, (json) => json.found === false, (n) => `${plural(n, 'contact was', 'contacts were')} not found`);
		return [output];
	}

	const summaries: getDueContacts.SweepSummary[] = [];
	const output = await runPerItem.call(this, function (this: IExecuteFunctions, i: number) {
		return getDueContacts.execute.call(this, i, store, summaries);
	});
	const items = okItems(output);
	const emails = items.filter((json) => json.step !== 'expired');
	const expired = items.length - emails.length + summaries.reduce((n, s) => n + s.expiredNotReturned, 0);
	if (summaries.length > 0) {
		const parts: string[] = [];
		if (emails.length > 0 || expired === 0) {
			parts.push(`${plural(emails.length, 'contact')} due${emails.length > 0 ? `: ${countBy(emails, (json) => String(json.step))}` : ''}`);
		}
		if (expired > 0) {
			const s = summaries[0];
			const action = s.action === 'suppress' ? 'suppressed' : s.action === 'tag' ? `tagged "${s.tag}"` : 'no action';
			parts.push(`${expired} expired → ${action}`);
		}
		this.addExecutionHints({ message: parts.join('; '), type: 'info', location: 'outputPane' });
		addSweepHints(this, items as IDataObject[], summaries.some((s) => s.limitReached), summaries[0].maxContacts, 'contact');
	}
	return [output];
}
