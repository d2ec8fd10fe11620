'use strict';
// Node 24 from the npm registry (the node-<platform>-<arch> packages), installed
// into .cache/node24 on first use: n8n 2.x and node:sqlite need it, and machines
// may only have an older Node.
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const MAJOR = 24;
const CACHE = path.join(ROOT, '.cache', 'node24');

function platformPackage() {
	const platform = process.platform === 'win32' ? 'win' : process.platform;
	return `node-${platform}-${process.arch}`;
}

function nodeHome() {
	return path.join(CACHE, 'node_modules', platformPackage());
}

function nodeBinary() {
	return process.platform === 'win32' ? path.join(nodeHome(), 'bin', 'node.exe') : path.join(nodeHome(), 'bin', 'node');
}

/** Returns { node, home } for a Node 24, installing it if needed. */
function ensureNode24() {
	if (Number(process.versions.node.split('.')[0]) === MAJOR && !process.env.FORCE_NODE24_DOWNLOAD) {
		return { node: process.execPath, home: path.resolve(path.dirname(process.execPath), '..') };
	}
	if (!existsSync(nodeBinary())) {
		mkdirSync(CACHE, { recursive: true });
		writeFileSync(path.join(CACHE, 'package.json'), '{"private":true}\n');
		console.log(`[node24] installing ${platformPackage()}@${MAJOR} from the npm registry into .cache/node24`);
		execFileSync('npm', ['install', `${platformPackage()}@${MAJOR}`, '--no-audit', '--no-fund', '--no-save', '--loglevel=error'], {
			cwd: CACHE,
			stdio: 'inherit',
			env: { ...process.env, npm_config_ignore_scripts: 'false' },
		});
	}
	return { node: nodeBinary(), home: nodeHome() };
}

/** An environment whose `node` is Node 24 and whose native builds target it. */
function node24Env(env = process.env) {
	const { node, home } = ensureNode24();
	return {
		...env,
		PATH: `${path.dirname(node)}${path.delimiter}${env.PATH ?? ''}`,
		npm_config_nodedir: home,
	};
}

module.exports = { ROOT, ensureNode24, node24Env };
