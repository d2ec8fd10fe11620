import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { ContactStore } from '../../../lib/store';
import { addSweepHints, countBy, okItems } from '../../shared/dueSteps';
import { hintCount, plural, runPerItem } from '../../shared/execute';
import { runPerItemRouted } from '../../shared/routing';
import { getStore } from '../../shared/store';
import * as add from './add.operation';
import type { Operation } from './common';
import * as engagementTags from './engagementTags.operation';
import * as hasTag from './hasTag.operation';
import * as productInterest from './productInterest.operation';
import * as remove from './remove.operation';
import * as replaceGroup from './replaceGroup.operation';

type ItemOperation = (this: IExecuteFunctions, i: number, store: ContactStore) => Promise<IDataObject | IDataObject[]>;

const perItem: Record<Exclude<Operation, 'hasTag' | 'engagementTags'>, ItemOperation> = {
	add: add.execute,
	remove: remove.execute,
	replaceGroup: replaceGroup.execute,
	productInterest: productInterest.execute,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as Operation;
	const store = await getStore.call(this);

	if (operation === 'hasTag') {
		const outputs = await runPerItemRouted.call(this, 2, function (this: IExecuteFunctions, i: number) {
			return hasTag.execute.call(this, i, store);
		});
		const has = outputs[0].filter((item) => !item.error).length;
		const hasNot = outputs[1].length;
		this.addExecutionHints({ message: `${plural(has, 'contact has', 'contacts have')} the tag, ${hasNot} ${hasNot === 1 ? 'does' : 'do'} not`, type: 'info', location: 'outputPane' });
		return outputs;
	}

	if (operation === 'engagementTags') {
		const summaries: engagementTags.SweepSummary[] = [];
		const output = await runPerItem.call(this, function (this: IExecuteFunctions, i: number) {
			return engagementTags.execute.call(this, i, store, summaries);
		});
		const changed = okItems(output).filter((json) => json.changed === true);
		if (summaries.length > 0 || changed.length > 0) {
			const states = changed.length > 0 ? `: ${countBy(changed, (json) => String(json.state))}` : '';
			this.addExecutionHints({ message: `${plural(changed.length, 'contact')} changed engagement state${states}`, type: 'info', location: 'outputPane' });
		}
		if (summaries.length > 0) addSweepHints(this, changed, summaries.some((s) => s.limitReached), summaries[0].maxContacts, 'contact');
		hintCount(this, output, (json) => json.found === false, (n) => `${plural(n, 'contact was', 'contacts were')} not found`);
		return [output];
	}

	const execute = perItem[operation];
	const output = await runPerItem.call(this, function (this: IExecuteFunctions, i: number) {
		return execute.call(this, i, store);
	});
	hintCount(this, output, (json) => json.found === false, (n) => `${plural(n, 'contact was', 'contacts were')} not found and left alone`);
	if (operation === 'add' || operation === 'replaceGroup') {
		hintCount(this, output, (json) => json.changed === false, (n) => `${plural(n, 'contact', 'contacts')} already had the tags: nothing changed`);
	}
	if (operation === 'remove') {
		hintCount(this, output, (json) => json.found === true && json.changed === false, (n) => `${plural(n, 'contact', 'contacts')} had none of the tags`);
	}
	if (operation === 'productInterest') {
		const added = okItems(output).reduce((n, json) => n + (Array.isArray(json.added) ? json.added.length : 0), 0);
		if (added > 0) this.addExecutionHints({ message: `${plural(added, 'interest tag was', 'interest tags were')} added`, type: 'info', location: 'outputPane' });
	}
	return [output];
}
