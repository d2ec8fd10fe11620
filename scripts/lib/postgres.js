'use strict';
// A throwaway PostgreSQL server for the tests, from the machine's PostgreSQL
// binaries (Debian's postgresql package), on 127.0.0.1 only. Reused while running.
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, chownSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./node24');

const PORT = Number(process.env.TEST_PG_PORT ?? 54329);
const DATA = path.join(ROOT, '.cache', 'pgdata');
const SOCKETS = path.join(ROOT, '.cache', 'pgsock');

function binDir() {
	const base = '/usr/lib/postgresql';
	if (existsSync(base)) {
		const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
		if (versions.length > 0) return path.join(base, versions[0], 'bin');
	}
	for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (existsSync(path.join(dir, 'initdb'))) return dir;
	throw new Error('PostgreSQL is not installed: run `apt-get install -y postgresql` (Debian) or set TEST_PG_URL');
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function run(bin, args, options = {}) {
	const full = path.join(binDir(), bin);
	// The server refuses to run as root: run it as the postgres user then.
	const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', full, ...args]] : [full, args];
	return execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/', ...options }).toString();
}

function connection() {
	return { host: '127.0.0.1', port: PORT, user: 'postgres', password: 'postgres', database: 'postgres' };
}

function isRunning() {
	try {
		run('pg_ctl', ['status', '-D', DATA]);
		return true;
	} catch {
		return false;
	}
}

/** Starts the test server if it is not running; returns { connection, started }. */
function startPostgres() {
	if (process.env.TEST_PG_URL) {
		const url = new URL(process.env.TEST_PG_URL);
		return {
			started: false,
			connection: { host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database: url.pathname.slice(1) || 'postgres' },
		};
	}
	if (!existsSync(path.join(DATA, 'PG_VERSION'))) {
		mkdirSync(DATA, { recursive: true });
		mkdirSync(SOCKETS, { recursive: true });
		const pwfile = path.join(ROOT, '.cache', 'pgpass.txt');
		writeFileSync(pwfile, 'postgres\n');
		if (isRoot) {
			const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
			const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
			for (const p of [DATA, SOCKETS, pwfile]) chownSync(p, uid, gid);
		}
		run('initdb', ['-D', DATA, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync']);
	}
	if (isRunning()) return { started: false, connection: connection() };
	mkdirSync(SOCKETS, { recursive: true });
	if (isRoot) {
		const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
		chownSync(SOCKETS, uid, uid);
	}
	run('pg_ctl', [
		'start', '-D', DATA, '-w', '-t', '60', '-l', path.join(DATA, 'server.log'),
		'-o', `-p ${PORT} -c listen_addresses=127.0.0.1 -k ${SOCKETS} -c max_connections=200 -c fsync=off -c shared_buffers=256MB`,
	]);
	return { started: true, connection: connection() };
}

function stopPostgres() {
	if (process.env.TEST_PG_URL || !isRunning()) return;
	run('pg_ctl', ['stop', '-D', DATA, '-m', 'fast', '-w']);
}

module.exports = { startPostgres, stopPostgres, pgConnection: connection, PG_DATA: DATA, pgBinDir: binDir, runPgBin: run, isRoot };

if (require.main === module) {
	const action = process.argv[2];
	if (action === 'stop') stopPostgres();
	else console.log(JSON.stringify(startPostgres()));
}
