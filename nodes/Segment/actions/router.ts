import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { ContactStore } from '../../../lib/store';
import { getStore } from '../../shared/store';
import * as check from './check.operation';
import type { Operation } from './common';
import * as findContacts from './findContacts.operation';
import * as predictNextOrder from './predictNextOrder.operation';
import * as rfm from './rfm.operation';
import * as sendable from './sendable.operation';

/**
 * Every operation works on the whole batch of input items at once (store lookups go a
 * batch of items per query) and returns all of the node's outputs (see outputs.ts).
 */
type OperationModule = {
	execute(this: IExecuteFunctions, store: ContactStore): Promise<INodeExecutionData[][]>;
};

export const operations: Record<Operation, OperationModule> = {
	check,
	findContacts,
	rfm,
	predictNextOrder,
	sendable,
};

/** Check and Predict Next Order on input items need no store: none is opened for them. */
function needsStore(ctx: IExecuteFunctions, operation: Operation): boolean {
	if (operation !== 'check' && operation !== 'predictNextOrder') return true;
	return ctx.getNodeParameter('contactSource', 0, 'store') !== 'item';
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as Operation;
	const module = operations[operation];
	const store = needsStore(this, operation) ? await getStore.call(this) : undefined;
	// Operations that need no store for their settings accept an undefined one.
	return await module.execute.call(this, store as ContactStore);
}
