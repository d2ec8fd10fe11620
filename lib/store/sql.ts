/** The small SQL surface both backends offer. Statements use $1, $2… placeholders. */
export type SqlValue = string | number | null;

export interface SqlExecutor {
	all<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]>;
	get<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
	run(sql: string, params?: SqlValue[]): Promise<number>;
}

export interface Dialect {
	name: 'sqlite' | 'postgres';
	/** Column type for an auto-increment primary key. */
	idColumn: string;
	/** Column type for a foreign key to such an id. */
	idRef: string;
	/** Largest of two nullable values (NULLs ignored). */
	greatest(a: string, b: string): string;
	/** Smallest of two nullable values (NULLs ignored). */
	least(a: string, b: string): string;
}

export interface SqlDriver extends SqlExecutor {
	readonly dialect: Dialect;
	/** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
	transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
	/** Runs a multi-statement script (migrations). */
	exec(script: string): Promise<void>;
	close(): Promise<void>;
}

export const sqliteDialect: Dialect = {
	name: 'sqlite',
	idColumn: 'INTEGER PRIMARY KEY AUTOINCREMENT',
	idRef: 'INTEGER',
	greatest: (a, b) => `max(coalesce(${a}, ${b}), coalesce(${b}, ${a}))`,
	least: (a, b) => `min(coalesce(${a}, ${b}), coalesce(${b}, ${a}))`,
};

export const postgresDialect: Dialect = {
	name: 'postgres',
	idColumn: 'BIGSERIAL PRIMARY KEY',
	idRef: 'BIGINT',
	greatest: (a, b) => `GREATEST(${a}, ${b})`,
	least: (a, b) => `LEAST(${a}, ${b})`,
};
