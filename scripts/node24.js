#!/usr/bin/env node
'use strict';
// Usage: node scripts/node24.js <script> [args…] — runs the script under Node 24.
const { spawn } = require('node:child_process');
const { ensureNode24, node24Env } = require('./lib/node24');

const { node } = ensureNode24();
const child = spawn(node, process.argv.slice(2), { stdio: 'inherit', env: node24Env() });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
