import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { StoreUnavailableError } from '../../lib/store/storeErrors';
import { storeUnavailableHint } from './execute';
import { defaultSqlitePath, describeStore, LATEST_SCHEMA_VERSION, openStore, openUncachedStore, type ContactStore, type StoreConfig } from '../../lib/store';

export const STORE_CREDENTIAL = 'marketingContactStoreApi';

function expandHome(path: string): string {
	return path.startsWith('~/') ? resolve(homedir(), path.slice(2)) : resolve(path);
}

export function storeConfigFromCredential(data: ICredentialDataDecryptedObject | undefined): StoreConfig {
	if (!data || data.backend !== 'postgres') {
		const path = typeof data?.sqlitePath === 'string' && data.sqlitePath.trim() ? expandHome(data.sqlitePath.trim()) : defaultSqlitePath();
		return { backend: 'sqlite', path };
	}
	return {
		backend: 'postgres',
		host: String(data.host ?? 'localhost'),
		port: Number(data.port ?? 5432),
		database: String(data.database ?? 'n8n'),
		user: String(data.user ?? 'postgres'),
		password: data.password ? String(data.password) : undefined,
		ssl: (data.ssl as 'disable' | 'require' | 'verify') ?? 'disable',
		schema: String(data.schema || 'ecommerce_marketing'),
		maxConnections: Number(data.maxConnections ?? 10),
	};
}

/**
 * Whether this process is part of an n8n queue-mode setup: a worker (`n8n worker` sets queue mode
 * itself) or a main instance with EXECUTIONS_MODE=queue.
 */
export function inQueueMode(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv): boolean {
	return env.EXECUTIONS_MODE === 'queue' || argv[2] === 'worker';
}

/** The contact store this node is set to use: its credential, or the default SQLite file. */
export async function getStore(this: IExecuteFunctions): Promise<ContactStore> {
	const hasCredential = Boolean(this.getNode().credentials?.[STORE_CREDENTIAL]);
	const data = hasCredential ? await this.getCredentials(STORE_CREDENTIAL) : undefined;
	const config = storeConfigFromCredential(data);
	// The default file lives in each process's own n8n folder: in queue mode every worker would keep
	// contacts of its own (order counts split between them, the same email sent by two workers).
	if (config.backend === 'sqlite' && inQueueMode() && !(typeof data?.sqlitePath === 'string' && data.sqlitePath.trim())) {
		throw new NodeOperationError(
			this.getNode(),
			hasCredential
				? 'The Marketing Contact Store credential uses the SQLite file of this n8n process, which queue-mode workers do not share'
				: 'No Marketing Contact Store credential is selected, and the default SQLite file is not shared by queue-mode workers',
			{
				description:
					'n8n runs in queue mode: each worker would keep contacts of its own (lost order counts, emails sent twice). Create a Marketing Contact Store credential with Backend PostgreSQL and select it on every node of this package.',
			},
		);
	}
	try {
		return await openStore(config);
	} catch (error) {
		if (error instanceof StoreUnavailableError) {
			throw new NodeOperationError(this.getNode(), error.message, { description: storeUnavailableHint(error) });
		}
		throw new NodeOperationError(this.getNode(), `Could not open the contact store (${describeStore(config)}): ${(error as Error).message}`, {
			description:
				config.backend === 'postgres'
					? 'Check the host, port, database, user and password of the Marketing Contact Store credential, and that the server is running'
					: 'Check that the n8n user can write to this folder',
		});
	}
}

/** The credential test: opens the store, applies the schema, and says where it is. */
export async function testStoreCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const config = storeConfigFromCredential(credential.data);
	try {
		const store = await openUncachedStore(config);
		try {
			await store.ping();
		} finally {
			await store.close();
		}
		return { status: 'OK', message: `Connected to ${describeStore(config)}, schema version ${LATEST_SCHEMA_VERSION}` };
	} catch (error) {
		return { status: 'Error', message: `Could not open ${describeStore(config)}: ${(error as Error).message}` };
	}
}
