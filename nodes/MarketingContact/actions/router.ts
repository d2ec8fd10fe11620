import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { ContactStore } from '../../../lib/store';
import { hintCount, plural, runPerItem } from '../../shared/execute';
import { getStore } from '../../shared/store';
import type { Operation } from './common';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as issueCoupon from './issueCoupon.operation';
import * as recordCart from './recordCart.operation';
import * as recordEmailEngagement from './recordEmailEngagement.operation';
import * as recordOrder from './recordOrder.operation';
import * as recordPageVisit from './recordPageVisit.operation';
import * as recordProductView from './recordProductView.operation';
import * as subscribeFromLink from './subscribeFromLink.operation';
import * as unsubscribe from './unsubscribe.operation';
import * as unsubscribeFromLink from './unsubscribeFromLink.operation';
import * as upsertProfile from './upsertProfile.operation';

type OperationModule = {
	execute(this: IExecuteFunctions, itemIndex: number, store: ContactStore): Promise<IDataObject | IDataObject[]>;
};

export const operations: Record<Operation, OperationModule> = {
	recordOrder,
	recordCart,
	recordProductView,
	recordPageVisit,
	recordEmailEngagement,
	upsertProfile,
	get,
	unsubscribe,
	unsubscribeFromLink,
	subscribeFromLink,
	delete: del,
	issueCoupon,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as Operation;
	const store = await getStore.call(this);
	const module = operations[operation];
	const output = await runPerItem.call(this, function (this: IExecuteFunctions, i: number) {
		return module.execute.call(this, i, store);
	});
	hintCount(this, output, (json) => json.duplicate === true, (n) => `${plural(n, 'event was a replay', 'events were replays')} and changed nothing`);
	hintCount(this, output, (json) => json.skipped === true, (n) => `${plural(n, 'provider event was', 'provider events were')} skipped: not engagement (e.g. "processed")`);
	const link = operation === 'subscribeFromLink' ? 'subscribe link' : 'unsubscribe link';
	hintCount(this, output, (json) => json.valid === false, (n) => `${plural(n, `${link} was`, `${link}s were`)} not validly signed and changed nothing`, 'warning');
	if (operation === 'subscribeFromLink') {
		hintCount(this, output, (json) => json.valid === true && json.subscribed === false, (n) => `${plural(n, 'contact stays', 'contacts stay')} suppressed (bounced or spam complaint)`);
	}
	hintCount(this, output, (json) => json.found === false, (n) => `${plural(n, 'contact was', 'contacts were')} not found`);
	return [output];
}
