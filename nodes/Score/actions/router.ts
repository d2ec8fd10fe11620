import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { ContactStore } from '../../../lib/store';
import { addSweepHints, countBy, okItems } from '../../shared/dueSteps';
import { hintCount, plural, runPerItem } from '../../shared/execute';
import { runPerItemRouted } from '../../shared/routing';
import { getStore } from '../../shared/store';
import * as adjust from './adjust.operation';
import type { Operation } from './common';
import * as decay from './decay.operation';
import * as get from './get.operation';
import * as refreshExpired from './refreshExpired.operation';
import * as set from './set.operation';
import * as threshold from './threshold.operation';
import * as updateTier from './updateTier.operation';

type ItemOperation = (this: IExecuteFunctions, i: number, store: ContactStore) => Promise<IDataObject | IDataObject[]>;

const perItem: Record<'adjust' | 'set' | 'get' | 'updateTier', ItemOperation> = {
	adjust: adjust.execute,
	set: set.execute,
	get: get.execute,
	updateTier: updateTier.execute,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as Operation;
	const store = await getStore.call(this);

	if (operation === 'threshold') {
		const withSecond = this.getNodeParameter('notCrossedOutput', 0, false) as boolean;
		const outputs = await runPerItemRouted.call(this, withSecond ? 2 : 1, function (this: IExecuteFunctions, i: number) {
			return threshold.execute.call(this, i, store);
		});
		const crossed = outputs[0].filter((item) => !item.error).length;
		const total = this.getInputData().length;
		this.addExecutionHints({
			message: `${plural(crossed, 'contact')} crossed the threshold now; ${total - crossed - outputs[0].filter((item) => item.error).length} did not (${withSecond ? 'second output' : 'dropped'})`,
			type: 'info',
			location: 'outputPane',
		});
		return outputs;
	}

	if (operation === 'decay' || operation === 'refreshExpired') {
		const summaries: decay.SweepSummary[] = [];
		const output = await runPerItem.call(this, function (this: IExecuteFunctions, i: number) {
			return operation === 'decay' ? decay.execute.call(this, i, store, summaries) : refreshExpired.execute.call(this, i, store, summaries);
		});
		const changed = okItems(output).filter((json) => json.found !== false && (json.changed === true || operation === 'refreshExpired'));
		if (operation === 'decay') {
			const points = changed.reduce((n, json) => n + Number(json.decayed ?? 0), 0);
			this.addExecutionHints({
				message: `${plural(changed.length, 'score')} decayed${changed.length > 0 ? ` by ${Math.round(points * 100) / 100} points in all` : ''}`,
				type: 'info',
				location: 'outputPane',
			});
		} else {
			this.addExecutionHints({
				message: `${plural(changed.length, 'score')} changed as points expired${changed.length > 0 ? `: ${countBy(changed, (json) => String(json.name))}` : ''}`,
				type: 'info',
				location: 'outputPane',
			});
		}
		if (summaries.length > 0) addSweepHints(this, changed, summaries.some((s) => s.limitReached), summaries[0].maxContacts, 'contact');
		hintCount(this, output, (json) => json.found === false, (n) => `${plural(n, 'contact was', 'contacts were')} not found and left alone`);
		return [output];
	}

	const execute = perItem[operation];
	const output = await runPerItem.call(this, function (this: IExecuteFunctions, i: number) {
		return execute.call(this, i, store);
	});
	hintCount(this, output, (json) => json.duplicate === true, (n) => `${plural(n, 'award was a replay', 'awards were replays')} (same Event Key) and changed nothing`);
	hintCount(this, output, (json) => json.found === false, (n) => `${plural(n, 'contact was', 'contacts were')} not found${operation === 'get' ? '' : ' and left alone'}`);
	if (operation === 'updateTier') {
		hintCount(this, output, (json) => json.changed === true, (n) => `${plural(n, 'contact')} changed tier`);
	}
	if (operation === 'adjust') {
		hintCount(this, output, (json) => json.duplicate === false && json.found !== false && json.awarded === 0, (n) => `${plural(n, 'award was', 'awards were')} 0 points (nothing new to award)`);
	}
	return [output];
}
