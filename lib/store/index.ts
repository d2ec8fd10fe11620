import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { migrate } from './migrations';
import { PostgresDriver, type PostgresOptions } from './postgresDriver';
import { SqlContactStore } from './SqlContactStore';
import { SqliteDriver } from './sqliteDriver';
import type { ContactStore } from './types';

export * from './types';
export { LATEST_SCHEMA_VERSION } from './migrations';

export type StoreConfig =
	| { backend: 'sqlite'; path: string }
	| ({ backend: 'postgres' } & PostgresOptions);

/** n8n's own folder: $N8N_USER_FOLDER/.n8n, or ~/.n8n. */
export function n8nFolder(env: NodeJS.ProcessEnv = process.env): string {
	return join(env.N8N_USER_FOLDER ? resolve(env.N8N_USER_FOLDER) : homedir(), '.n8n');
}

/** Where the zero-setup store lives when no credential is set. */
export function defaultSqlitePath(env: NodeJS.ProcessEnv = process.env): string {
	return join(n8nFolder(env), 'ecommerce-marketing', 'contacts.db');
}

export function describeStore(config: StoreConfig): string {
	return config.backend === 'sqlite'
		? `SQLite file ${config.path}`
		: `PostgreSQL ${config.user}@${config.host}:${config.port}/${config.database} (schema ${config.schema})`;
}

function cacheKey(config: StoreConfig): string {
	return JSON.stringify(config);
}

const open = new Map<string, Promise<ContactStore>>();

/**
 * The store for a configuration, opened once per process and shared by every
 * execution (a pool for PostgreSQL, one connection for SQLite). Pending schema
 * migrations are applied on first open.
 */
export async function openStore(config: StoreConfig): Promise<ContactStore> {
	const key = cacheKey(config);
	let store = open.get(key);
	if (!store) {
		store = connect(config);
		open.set(key, store);
		store.catch(() => open.delete(key));
	}
	return await store;
}

async function connect(config: StoreConfig): Promise<ContactStore> {
	if (config.backend === 'sqlite') {
		const driver = new SqliteDriver(config.path);
		try {
			await migrate(driver);
		} catch (error) {
			await driver.close();
			throw error;
		}
		return new SqlContactStore(driver);
	}
	const driver = new PostgresDriver(config);
	try {
		await driver.ensureSchema();
		await migrate(driver);
	} catch (error) {
		await driver.close().catch(() => undefined);
		throw error;
	}
	return new SqlContactStore(driver);
}

/** Opens a store without caching it (credential tests, tools); the caller closes it. */
export async function openUncachedStore(config: StoreConfig): Promise<ContactStore> {
	return await connect(config);
}

/** Closes every cached store (tests, shutdown). */
export async function closeAllStores(): Promise<void> {
	const stores = [...open.values()];
	open.clear();
	for (const store of stores) {
		try {
			await (await store).close();
		} catch {
			// already failed to open
		}
	}
}
