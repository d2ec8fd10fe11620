#!/usr/bin/env node
'use strict';
// `npm test`: build, lint, then every suite — unit, store contract (SQLite and a
// real PostgreSQL), engine (n8n-core WorkflowExecute) and end to end (a real n8n
// with the packed package, a real SMTP server). Runs under Node 24 (scripts/node24.js).
const { spawnSync } = require('node:child_process');
const { readFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./lib/node24');
const { startPostgres, stopPostgres } = require('./lib/postgres');

const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const reports = path.join(ROOT, '.cache', 'test-reports');
mkdirSync(reports, { recursive: true });

const MINUTE = 60_000;

function step(title, cmd, args, timeoutMs = 30 * MINUTE) {
	console.log(`\n=== ${title}`);
	const started = Date.now();
	const result = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: process.env, timeout: timeoutMs, killSignal: 'SIGKILL' });
	if (result.signal) console.log(`=== ${title}: stopped after ${timeoutMs / MINUTE} min (${result.signal})`);
	console.log(`=== ${title}: ${result.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
	return result.status === 0;
}

const totals = { passed: 0, failed: 0, skipped: 0 };
function jestStep(title, args, name) {
	const out = path.join(reports, `${name}.json`);
	const ok = step(title, process.execPath, [jest, '--ci', '--forceExit', '--json', `--outputFile=${out}`, ...args]);
	try {
		const report = JSON.parse(readFileSync(out, 'utf8'));
		totals.passed += report.numPassedTests;
		totals.failed += report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
		totals.skipped += report.numPendingTests + report.numTodoTests;
	} catch {
		totals.failed += 1;
	}
	return ok;
}

let ok = step('build', 'npm', ['run', 'build']);
ok = step('lint', 'npm', ['run', 'lint']) && ok;
// The end-to-end suites pack the dist/ just built.
process.env.E2E_PREBUILT = '1';
const pg = startPostgres();
try {
	ok = jestStep('unit, store and engine tests', ['--selectProjects', 'unit', 'store', 'engine'], 'fast') && ok;
	// Installed once here (a few minutes on a fresh machine), so the first e2e suite's time is its own.
	if (step('n8n for the end-to-end tests', process.execPath, ['-e', "require('./scripts/lib/n8n').ensureN8n()"], 45 * MINUTE)) {
		ok = jestStep('end-to-end tests in a real n8n', ['--selectProjects', 'e2e', '--runInBand'], 'e2e') && ok;
		// n8n's queue mode (main + 2 workers, Redis, the PostgreSQL store) under a bounded load;
		// `npm run test:scale` runs the full 10,000 events.
		process.env.SCALE_EVENTS = process.env.SCALE_EVENTS || '2000';
		ok = jestStep(`n8n queue mode, ${process.env.SCALE_EVENTS} store events`, ['--selectProjects', 'scale', '--runInBand'], 'scale') && ok;
	} else {
		ok = false;
		totals.failed += 1;
	}
} finally {
	if (pg.started) stopPostgres();
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(ok && totals.failed === 0 ? 0 : 1);
