import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Where the marketing nodes keep contact profiles. Without this credential the
 * nodes use an embedded SQLite file in the n8n user folder; choose PostgreSQL
 * for production and for n8n queue mode (workers must share the contacts).
 */
export class MarketingContactStoreApi implements ICredentialType {
	name = 'marketingContactStoreApi';

	displayName = 'Marketing Contact Store';

	icon: Icon = { light: 'file:marketingContactStore.svg', dark: 'file:marketingContactStore.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-ecommerce-marketing/n8n-nodes-ecommerce-marketing#the-contact-store';

	properties: INodeProperties[] = [
		{
			displayName: 'Backend',
			name: 'backend',
			type: 'options',
			options: [
				{
					name: 'SQLite (Embedded File)',
					value: 'sqlite',
					description: 'Zero setup. One n8n instance only (not queue mode).',
				},
				{
					name: 'PostgreSQL',
					value: 'postgres',
					description: 'For production and n8n queue mode: every worker sees the same contacts',
				},
			],
			default: 'sqlite',
		},
		{
			displayName: 'Database File',
			name: 'sqlitePath',
			type: 'string',
			default: '',
			placeholder: '~/.n8n/ecommerce-marketing/contacts.db',
			description:
				'Path of the SQLite file, created on first use. Leave empty for the default file in the n8n user folder.',
			displayOptions: { show: { backend: ['sqlite'] } },
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5432,
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: 'n8n',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: 'postgres',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: [
				{ name: 'Disable', value: 'disable' },
				{ name: 'Require (Do Not Verify Certificate)', value: 'require' },
				{ name: 'Require and Verify Certificate', value: 'verify' },
			],
			default: 'disable',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Schema',
			name: 'schema',
			type: 'string',
			default: 'ecommerce_marketing',
			description: 'PostgreSQL schema for the contact tables, created on first use. Keeps them apart from n8n\'s own tables.',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Max Connections',
			name: 'maxConnections',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: 10,
			description: 'Connections each n8n process may open to the database',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Link Signing Secret',
			name: 'linkSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Signs the one-click unsubscribe links in every email (HMAC). Leave empty to use a random secret the store creates and keeps. Set it (16+ characters) to share links between stores or to rotate it; old links stop working when it changes.',
		},
	];
}
