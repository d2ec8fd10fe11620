// n8n's lint rules for community nodes, in the configuration for self-hosted
// packages: this package keeps state (a contact store) and needs runtime
// dependencies (luxon, mjml, pg), which n8n Cloud's verified packages may not have.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import * as jsoncParser from 'jsonc-eslint-parser';
import tseslint from 'typescript-eslint';

export default [
	{ ignores: ['dist/**', 'node_modules/**', '.cache/**', 'tests/**', 'scripts/**', 'bench/**', '*.js', '*.mjs'] },
	{
		files: ['**/*.ts'],
		languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json' } },
	},
	{ files: ['package.json'], languageOptions: { parser: jsoncParser } },
	n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport,
	{
		// Pure domain modules know nothing of n8n (no NodeOperationError there): their
		// InputErrors become NodeOperationErrors with the item index at the node boundary
		// (nodes/shared/execute.ts).
		files: ['lib/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		files: ['package.json'],
		rules: {
			// Self-hosted package: luxon, mjml and pg are real runtime dependencies.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
];
