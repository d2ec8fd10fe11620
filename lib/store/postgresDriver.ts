import { Pool, types as pgTypes, type PoolClient, type PoolConfig } from 'pg';
import { postgresDialect, type SqlDriver, type SqlExecutor, type SqlValue } from './sql';

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
			connectionTimeoutMillis: 10_000,
			types: typeParsers,
			options: `-c search_path=${schema},public`,
			application_name: 'n8n-nodes-ecommerce-marketing',
		};
		if (options.ssl === 'require') config.ssl = { rejectUnauthorized: false };
		if (options.ssl === 'verify') config.ssl = { rejectUnauthorized: true };
		this.pool = new Pool(config);
		// An idle client losing its connection (server restart) must not crash n8n.
		this.pool.on('error', () => undefined);
	}

	private executorFor(client: Pool | PoolClient): SqlExecutor {
		return {
			all: async <T>(sql: string, params: SqlValue[] = []) => (await client.query(sql, params)).rows as T[],
			get: async <T>(sql: string, params: SqlValue[] = []) => (await client.query(sql, params)).rows[0] as T | undefined,
			run: async (sql: string, params: SqlValue[] = []) => (await client.query(sql, params)).rowCount ?? 0,
		};
	}

	async all<T>(sql: string, params?: SqlValue[]): Promise<T[]> {
		return await this.executorFor(this.pool).all<T>(sql, params);
	}

	async get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
		return await this.executorFor(this.pool).get<T>(sql, params);
	}

	async run(sql: string, params?: SqlValue[]): Promise<number> {
		return await this.executorFor(this.pool).run(sql, params);
	}

	async exec(script: string): Promise<void> {
		await this.pool.query(script);
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
			const client = await this.pool.connect();
			let broken = false;
			try {
				await client.query('BEGIN');
				const result = await fn(this.executorFor(client));
				await client.query('COMMIT');
				return result;
			} catch (error) {
				try {
					await client.query('ROLLBACK');
				} catch {
					broken = true;
				}
				const code = (error as { code?: string }).code;
				if (code && TRANSIENT_CODES.has(code) && attempt < 5) continue;
				throw error;
			} finally {
				client.release(broken);
			}
		}
	}

	async close(): Promise<void> {
		await this.pool.end();
	}
}
