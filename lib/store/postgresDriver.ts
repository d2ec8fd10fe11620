import { Pool, types as pgTypes, type PoolClient, type PoolConfig } from 'pg';
import { postgresDialect, type SqlDriver, type SqlExecutor, type SqlValue } from './sql';
import { isConnectionError, StoreUnavailableError } from './storeErrors';

export interface PostgresOptions {
	host: string;
	port: number;
	database: string;
	user: string;
	password?: string;
	ssl?: 'disable' | 'require' | 'verify';
	schema: string;
	maxConnections?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const TRANSIENT_CODES = new Set(['40001', '40P01']); // serialization failure, deadlock

/** Time allowed to open a connection (or to wait for a free one in the pool). */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Server-side bound on one statement (lock waits included): nothing the nodes run takes near this long. */
export const STATEMENT_TIMEOUT_MS = 120_000;
/** The server ends a session left idle inside a transaction (e.g. its n8n process froze), releasing its locks. */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

// BIGINT (our epoch-millisecond times, counts) and NUMERIC come back as numbers.
const typeParsers = {
	getTypeParser(oid: number, format?: 'text' | 'binary') {
		if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
		return pgTypes.getTypeParser(oid, format as 'text');
	},
};

export function quoteIdent(name: string): string {
	if (!/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(name)) {
		throw new Error(`"${name}" is not a valid PostgreSQL schema name (letters, digits and _ only)`);
	}
	return `"${name}"`;
}

/** PostgreSQL through a pg connection pool, for production and n8n queue mode. */
/** Advisory lock taken while creating the schema and the migrations table (any number, fixed for the package). */
export const MIGRATION_LOCK_KEY = 7316004102;

export class PostgresDriver implements SqlDriver {
	readonly dialect = postgresDialect;
	private readonly pool: Pool;

	constructor(readonly options: PostgresOptions) {
		const schema = quoteIdent(options.schema);
		const config: PoolConfig = {
			host: options.host,
			port: options.port,
			database: options.database,
			user: options.user,
			password: options.password,
			max: options.maxConnections ?? 10,
			idleTimeoutMillis: 30_000,
			connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
			statement_timeout: STATEMENT_TIMEOUT_MS,
			idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
			// Notices a server that went away without closing the connection (host down, network cut).
			keepAlive: true,
			keepAliveInitialDelayMillis: 10_000,
			types: typeParsers,
			options: `-c search_path=${schema},public`,
			application_name: 'n8n-nodes-ecommerce-marketing',
		};
		if (options.ssl === 'require') config.ssl = { rejectUnauthorized: false };
		if (options.ssl === 'verify') config.ssl = { rejectUnauthorized: true };
		this.pool = new Pool(config);
		// An idle client losing its connection (server restart) must not crash n8n: the pool drops
		// it and opens a new one when the server is back.
		this.pool.on('error', () => undefined);
	}

	/** Where the store is, for error messages (no credentials). */
	get where(): string {
		return `PostgreSQL at ${this.options.host}:${this.options.port}, database ${this.options.database}`;
	}

	/** A connection failure becomes a StoreUnavailableError that says where the store is; other errors pass unchanged. */
	private mapError(error: unknown): unknown {
		if (error instanceof StoreUnavailableError || !isConnectionError(error)) return error;
		const e = error as Error & { code?: string };
		return new StoreUnavailableError(
			this.where,
			e.message,
			'Check that the PostgreSQL server is running and accepts connections from n8n, and the Host, Port, SSL, User and Password of the Marketing Contact Store credential',
			e.code,
		);
	}

	private async mapped<T>(fn: () => Promise<T>): Promise<T> {
		try {
			return await fn();
		} catch (error) {
			throw this.mapError(error);
		}
	}

	private executorFor(client: Pool | PoolClient): SqlExecutor {
		return {
			all: async <T>(sql: string, params: SqlValue[] = []) => (await client.query(sql, params)).rows as T[],
			get: async <T>(sql: string, params: SqlValue[] = []) => (await client.query(sql, params)).rows[0] as T | undefined,
			run: async (sql: string, params: SqlValue[] = []) => (await client.query(sql, params)).rowCount ?? 0,
		};
	}

	async all<T>(sql: string, params?: SqlValue[]): Promise<T[]> {
		return await this.mapped(() => this.executorFor(this.pool).all<T>(sql, params));
	}

	async get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
		return await this.mapped(() => this.executorFor(this.pool).get<T>(sql, params));
	}

	async run(sql: string, params?: SqlValue[]): Promise<number> {
		return await this.mapped(() => this.executorFor(this.pool).run(sql, params));
	}

	async exec(script: string): Promise<void> {
		await this.mapped(() => this.pool.query(script));
	}

	async ensureSchema(): Promise<void> {
		// IF NOT EXISTS is not safe when several workers start at once: serialize with an advisory lock.
		await this.transaction(async (tx) => {
			await tx.get(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
			await tx.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.options.schema)}`);
		});
	}

	async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
		for (let attempt = 1; ; attempt++) {
			let client: PoolClient;
			try {
				client = await this.pool.connect();
			} catch (error) {
				throw this.mapError(error);
			}
			let broken = false;
			let begun = false;
			// While checked out, the pool no longer listens for this client's errors: a connection lost
			// between two statements (server restart) would otherwise be an uncaught 'error' event.
			const onError = () => {
				broken = true;
			};
			client.on('error', onError);
			try {
				await client.query('BEGIN');
				begun = true;
				const result = await fn(this.executorFor(client));
				await client.query('COMMIT');
				return result;
			} catch (error) {
				if (!broken) {
					try {
						await client.query('ROLLBACK');
					} catch {
						broken = true;
					}
				}
				// A pooled connection the server already closed fails on BEGIN, before anything ran:
				// take a fresh one (the pool has dropped the dead one).
				if (!begun && isConnectionError(error) && attempt < 3) continue;
				const code = (error as { code?: string }).code;
				if (code && TRANSIENT_CODES.has(code) && attempt < 5) continue;
				throw this.mapError(error);
			} finally {
				client.off('error', onError);
				client.release(broken);
			}
		}
	}

	async close(): Promise<void> {
		await this.pool.end();
	}
}
