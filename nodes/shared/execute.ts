import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeExecutionHint } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { InputError } from '../../lib/domain/errors';
import { StoreUnavailableError } from '../../lib/store/storeErrors';
import { tryParseTimestamp } from '../../lib/domain/values';

/** Turns any error into a NodeOperationError that names the item and says what to fix. */
export function toNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeOperationError {
	if (error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	if (error instanceof InputError) {
		return new NodeOperationError(ctx.getNode(), `${error.message} [item ${itemIndex}]`, {
			itemIndex,
			description: error.hint ?? (error.field ? `Check the "${error.field}" field of this item` : undefined),
		});
	}
	if (error instanceof StoreUnavailableError) {
		return new NodeOperationError(ctx.getNode(), `${error.message} [item ${itemIndex}]`, {
			itemIndex,
			description: storeUnavailableHint(error),
		});
	}
	const message = (error as Error)?.message ?? String(error);
	return new NodeOperationError(ctx.getNode(), `Contact store error: ${message} [item ${itemIndex}]`, {
		itemIndex,
		description: 'The item was not applied; it can be retried safely (replays are detected)',
	});
}

/** What to check when the store is unreachable, and that running the item again is safe. */
export function storeUnavailableHint(error: StoreUnavailableError): string {
	return `${error.hint}. Nothing was recorded for this item: run it again once the store is back (replayed events change nothing). Driver error: ${error.detail}`;
}

export type ItemResult = IDataObject | IDataObject[];

/**
 * Runs `operation` for every input item: each output carries `pairedItem`; with
 * Continue On Fail a failed item comes out with its error and nothing was written for it.
 */
export async function runPerItem(
	this: IExecuteFunctions,
	operation: (this: IExecuteFunctions, itemIndex: number) => Promise<ItemResult>,
): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const result = await operation.call(this, i);
			for (const json of Array.isArray(result) ? result : [result]) output.push({ json, pairedItem: { item: i } });
		} catch (error) {
			const nodeError = toNodeError(this, error, i);
			if (!this.continueOnFail()) throw nodeError;
			output.push({
				json: { error: nodeError.message, ...(nodeError.description ? { hint: nodeError.description } : {}) },
				error: nodeError,
				pairedItem: { item: i },
			});
		}
	}
	return output;
}

/** Counts outputs by a predicate and says so in the output pane, e.g. "2 events were replays…". */
export function hintCount(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	predicate: (json: IDataObject) => boolean,
	message: (n: number) => string,
	type: NodeExecutionHint['type'] = 'info',
): void {
	const n = items.filter((item) => !item.error && predicate(item.json)).length;
	if (n > 0) ctx.addExecutionHints({ message: message(n), type, location: 'outputPane' });
}

/** The "Reference Time" option: a fixed "now" for replays, backfills and tests. */
export function referenceTime(ctx: IExecuteFunctions, itemIndex: number): number {
	const value = ctx.getNodeParameter('options.referenceTime', itemIndex, '') as unknown;
	if (value === '' || value === undefined || value === null) return Date.now();
	const ms = tryParseTimestamp(value);
	if (ms === undefined) throw new InputError(`"Reference Time" is not a date: ${JSON.stringify(value)}`, 'options.referenceTime');
	return ms;
}

export function plural(n: number, one: string, many = `${one}s`): string {
	return `${n} ${n === 1 ? one : many}`;
}
