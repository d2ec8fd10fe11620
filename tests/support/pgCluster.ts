// A PostgreSQL cluster of a test's own (initdb into a temporary folder, its own free port on
// 127.0.0.1), for tests that stop and start the server: never the shared cluster on 54329.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/* eslint-disable @typescript-eslint/no-require-imports */
const { runPgBin, isRoot }: { runPgBin: (bin: string, args: string[], options?: { timeout?: number }) => string; isRoot: boolean } = require('../../scripts/lib/postgres');
const { freePorts }: { freePorts: (count?: number) => Promise<number[]> } = require('../../scripts/lib/n8n');
/* eslint-enable @typescript-eslint/no-require-imports */

export interface ScratchPostgres {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
	dataDir: string;
	/** pg_ctl start (waits until it accepts connections, at most 60 s). */
	start(): void;
	/** pg_ctl stop: 'fast' disconnects clients and shuts down cleanly, 'immediate' aborts (crash recovery at the next start). */
	stop(mode?: 'fast' | 'immediate'): void;
	running(): boolean;
	/** Stops the server (immediate) and deletes its folder. */
	destroy(): void;
}

const PG_TIMEOUT_MS = 90_000;

/** initdb (no fsync, password auth) into a fresh temporary folder and start the server on a free port. */
export async function startScratchPostgres(): Promise<ScratchPostgres> {
	const root = mkdtempSync(join(tmpdir(), 'ecm-pg-'));
	const dataDir = join(root, 'data');
	const sockets = join(root, 'sock');
	const pwfile = join(root, 'pwfile');
	writeFileSync(pwfile, 'postgres\n');
	execFileSync('mkdir', ['-p', dataDir, sockets]);
	if (isRoot) {
		const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
		const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
		for (const p of [root, dataDir, sockets, pwfile]) chownSync(p, uid, gid);
	}
	const [port] = await freePorts(1);
	runPgBin('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync'], { timeout: PG_TIMEOUT_MS });
	const pgCtl = (args: string[]) => runPgBin('pg_ctl', args, { timeout: PG_TIMEOUT_MS });
	const running = () => {
		try {
			pgCtl(['status', '-D', dataDir]);
			return true;
		} catch {
			return false;
		}
	};
	const start = () => {
		pgCtl([
			'start', '-D', dataDir, '-w', '-t', '60', '-l', join(dataDir, 'server.log'),
			'-o', `-p ${port} -c listen_addresses=127.0.0.1 -k ${sockets} -c fsync=off -c max_connections=50 -c shared_buffers=16MB`,
		]);
	};
	const stop = (mode: 'fast' | 'immediate' = 'fast') => {
		if (running()) pgCtl(['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60']);
	};
	start();
	// Should the test process end without destroy() (a crash, a forced exit), take the server down with it.
	const destroy = () => {
		process.off('exit', destroy);
		try {
			stop('immediate');
		} catch {}
		rmSync(root, { recursive: true, force: true });
	};
	process.once('exit', destroy);
	return {
		host: '127.0.0.1',
		port,
		user: 'postgres',
		password: 'postgres',
		database: 'postgres',
		dataDir,
		start,
		stop,
		running,
		destroy,
	};
}
