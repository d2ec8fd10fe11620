import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { sqliteDialect, type SqlDriver, type SqlExecutor, type SqlValue } from './sql';

type SqliteModule = typeof import('node:sqlite');

function loadSqlite(): SqliteModule {
	try {
		// Loaded lazily so that PostgreSQL users on an older Node can still load the nodes.
		return require('node:sqlite') as SqliteModule;
	} catch (error) {
		throw new Error(
			`The embedded SQLite contact store needs Node.js 22.13 or newer (this is ${process.version}). ` +
				'Upgrade Node.js (n8n 2.x runs on Node 24) or use a PostgreSQL Marketing Contact Store credential.',
		);
	}
}

/** SQLite through Node's built-in node:sqlite: one file, WAL mode, created on first use. */
export class SqliteDriver implements SqlDriver {
	readonly dialect = sqliteDialect;
	private readonly db: DatabaseSync;
	private readonly statements = new Map<string, StatementSync>();
	/** Serializes transactions of this process: node:sqlite is synchronous but callers are not. */
	private queue: Promise<unknown> = Promise.resolve();

	constructor(readonly path: string) {
		const { DatabaseSync } = loadSqlite();
		if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
		this.db = new DatabaseSync(path);
		this.db.exec('PRAGMA busy_timeout = 15000');
		this.db.exec('PRAGMA journal_mode = WAL');
		this.db.exec('PRAGMA synchronous = NORMAL');
		// 64 MB of page cache (the default is 2 MB): sweeps over large stores read far less from disk.
		this.db.exec('PRAGMA cache_size = -65536');
		this.db.exec('PRAGMA foreign_keys = ON');
	}

	private statement(sql: string): StatementSync {
		let statement = this.statements.get(sql);
		if (!statement) {
			statement = this.db.prepare(sql.replace(/\$(\d+)/g, '?$1'));
			this.statements.set(sql, statement);
		}
		return statement;
	}

	private readonly executor: SqlExecutor = {
		all: async <T>(sql: string, params: SqlValue[] = []) => this.statement(sql).all(...params) as T[],
		get: async <T>(sql: string, params: SqlValue[] = []) => this.statement(sql).get(...params) as T | undefined,
		run: async (sql: string, params: SqlValue[] = []) => Number(this.statement(sql).run(...params).changes),
	};

	async all<T>(sql: string, params?: SqlValue[]): Promise<T[]> {
		return await this.serialized(() => this.executor.all<T>(sql, params));
	}

	async get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
		return await this.serialized(() => this.executor.get<T>(sql, params));
	}

	async run(sql: string, params?: SqlValue[]): Promise<number> {
		return await this.serialized(() => this.executor.run(sql, params));
	}

	async exec(script: string): Promise<void> {
		await this.serialized(async () => this.db.exec(script));
	}

	async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
		return await this.serialized(async () => {
			// IMMEDIATE takes the write lock up front, so two processes sharing the file
			// (n8n main and a CLI run) queue instead of failing on lock upgrade.
			this.db.exec('BEGIN IMMEDIATE');
			try {
				const result = await fn(this.executor);
				this.db.exec('COMMIT');
				return result;
			} catch (error) {
				if (this.db.isTransaction) this.db.exec('ROLLBACK');
				throw error;
			}
		});
	}

	private serialized<T>(fn: () => Promise<T>): Promise<T> {
		const run = this.queue.then(fn, fn);
		this.queue = run.catch(() => undefined);
		return run;
	}

	async close(): Promise<void> {
		await this.queue;
		if (this.db.isOpen) this.db.close();
	}
}
