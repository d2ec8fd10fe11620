/** Per-item execution for nodes that route items to several outputs (Tag › Has Tag, Score › Threshold). */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { toNodeError } from './execute';

export interface Routed {
	/** The output the item goes to (0 = first), or null to drop it. */
	output: number | null;
	/** Added to the input item's fields under these keys; the input item passes through otherwise unchanged. */
	fields: IDataObject;
}

/**
 * Runs `operation` for every input item and sends the input item, with the result
 * fields added, to the output it chose; each carries `pairedItem`. With Continue On
 * Fail a failed item goes to the first output with its error.
 */
export async function runPerItemRouted(
	this: IExecuteFunctions,
	outputCount: number,
	operation: (this: IExecuteFunctions, itemIndex: number) => Promise<Routed>,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const outputs: INodeExecutionData[][] = Array.from({ length: outputCount }, () => []);
	for (let i = 0; i < items.length; i++) {
		try {
			const routed = await operation.call(this, i);
			if (routed.output === null) continue;
			const item: INodeExecutionData = { json: { ...items[i].json, ...routed.fields }, pairedItem: { item: i } };
			if (items[i].binary) item.binary = items[i].binary;
			outputs[Math.min(routed.output, outputCount - 1)].push(item);
		} catch (error) {
			const nodeError = toNodeError(this, error, i);
			if (!this.continueOnFail()) throw nodeError;
			outputs[0].push({
				json: { error: nodeError.message, ...(nodeError.description ? { hint: nodeError.description } : {}) },
				error: nodeError,
				pairedItem: { item: i },
			});
		}
	}
	return outputs;
}
