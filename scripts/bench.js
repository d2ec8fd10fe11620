#!/usr/bin/env node
'use strict';
// `npm run bench [filter]`: compiles bench/*.bench.ts (with the package's sources) into
// .cache/bench-build and runs each benchmark in its own Node 24 process, one after the
// other. Each benchmark prints its figures (and ratios against the naive way, measured
// in the same run) and writes them to bench-results/<name>.json.
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, mkdirSync, rmSync } = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./lib/node24');

const out = path.join(ROOT, '.cache', 'bench-build');
rmSync(out, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.bench.json'], { cwd: ROOT, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });

const filter = process.argv[2];
const dir = path.join(out, 'bench');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bench.js') && (!filter || f.includes(filter))).sort() : [];
if (files.length === 0) {
	console.error(`no benchmark matches ${filter ?? '(any)'}`);
	process.exit(1);
}
let failed = 0;
for (const file of files) {
	console.log(`\n### ${file.replace(/\.bench\.js$/, '')}`);
	const run = spawnSync(process.execPath, ['--expose-gc', path.join(dir, file)], { cwd: ROOT, stdio: 'inherit', env: process.env });
	if (run.status !== 0) {
		failed++;
		console.error(`### ${file} failed (exit ${run.status})`);
	}
}
process.exit(failed === 0 ? 0 : 1);
