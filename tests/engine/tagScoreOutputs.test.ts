/**
 * The outputs the n8n editor draws for Tag and Score: computed from the node's
 * parameters with n8n's own NodeHelpers, as the canvas does.
 */
import { NodeHelpers, Workflow, type INode, type INodeType, type INodeTypes } from 'n8n-workflow';
import { Score } from '../../nodes/Score/Score.node';
import { Tag } from '../../nodes/Tag/Tag.node';

function outputsOf(node: INodeType, type: string, parameters: Record<string, unknown>) {
	const nodeTypes: INodeTypes = {
		getByName: () => node,
		getByNameAndVersion: () => node,
		getKnownTypes: () => ({}),
	};
	const n: INode = { id: '1', name: 'N', type, typeVersion: 1, position: [0, 0], parameters: parameters as INode['parameters'] };
	const workflow = new Workflow({ nodes: [n], connections: {}, active: false, nodeTypes });
	return NodeHelpers.getNodeOutputs(workflow, n, node.description).map((o) => (typeof o === 'string' ? o : o.displayName ?? o.type));
}

describe('outputs drawn in the editor', () => {
	it('Tag: two outputs for Has Tag, one otherwise', () => {
		expect(outputsOf(new Tag(), 'n8n-nodes-ecommerce-marketing.tag', { operation: 'hasTag' })).toEqual(['Has Tag', 'Does Not Have']);
		expect(outputsOf(new Tag(), 'n8n-nodes-ecommerce-marketing.tag', { operation: 'add' })).toEqual(['main']);
	});

	it('Score: Threshold has "Crossed", plus "Not Crossed" when asked; other operations one output', () => {
		const type = 'n8n-nodes-ecommerce-marketing.score';
		expect(outputsOf(new Score(), type, { operation: 'threshold', notCrossedOutput: true })).toEqual(['Crossed', 'Not Crossed']);
		expect(outputsOf(new Score(), type, { operation: 'threshold', notCrossedOutput: false })).toEqual(['Crossed']);
		expect(outputsOf(new Score(), type, { operation: 'adjust' })).toEqual(['main']);
	});
});
