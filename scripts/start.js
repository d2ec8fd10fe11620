#!/usr/bin/env node
'use strict';
// `npm start`: a real n8n 2.x at http://localhost:5678 with this package loaded the way users
// get it (built, packed, installed into the n8n user folder's nodes/ directory), the default
// SQLite contact store, every recipe in workflows/ imported, and a local SMTP sink that prints
// what the recipes send. Data lives in .n8n-data/ (kept between runs; delete it to start over).
//
// Environment: N8N_PORT (default 5678), SMTP_SINK_PORT (default 2525; 0 = no sink).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const lib = require('./lib/n8n');
const { ensureNode24 } = require('./lib/node24');

const USER_FOLDER = path.join(lib.ROOT, '.n8n-data');
const PORT = Number(process.env.N8N_PORT || 5678);
const SMTP_PORT = Number(process.env.SMTP_SINK_PORT ?? 2525);
const SMTP_CREDENTIAL = { id: 'localSmtpSink0001', name: 'Local SMTP sink (npm start)', type: 'smtp' };

function log(message) {
	console.log(`[start] ${message}`);
}

async function main() {
	const started = Date.now();
	log('checking Node 24 and n8n (the first run installs them: a few minutes)');
	lib.ensureN8n();
	if (await lib.portInUse(PORT)) throw new Error(`port ${PORT} is taken: stop what runs there or set N8N_PORT`);

	log('building and packing the package');
	const tarball = lib.buildAndPack({ quiet: false });
	fs.mkdirSync(USER_FOLDER, { recursive: true });
	lib.installTarball(USER_FOLDER, tarball);
	log(`installed ${path.basename(tarball)} into ${path.join(USER_FOLDER, '.n8n', 'nodes')}`);

	const [brokerPort] = await lib.freePorts(1);
	const cli = { userFolder: USER_FOLDER, brokerPort };

	let sink;
	if (SMTP_PORT > 0) {
		const { startSmtpSink } = require('./lib/smtpSink');
		sink = await startSmtpSink({ port: SMTP_PORT });
		await lib.importCredentials(
			[{ ...SMTP_CREDENTIAL, data: { host: '127.0.0.1', port: sink.port, secure: false, disableStartTls: true, user: '', password: '' } }],
			cli,
		);
		log(`SMTP sink on 127.0.0.1:${sink.port}: mail sent with the "${SMTP_CREDENTIAL.name}" credential is printed here`);
	}

	// Import the recipes the user folder does not have yet (never overwrite a workflow the user edited).
	const workflowsDir = path.join(lib.ROOT, 'workflows');
	const files = fs.existsSync(workflowsDir)
		? fs.readdirSync(workflowsDir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(workflowsDir, f))
		: [];
	if (files.length > 0) {
		const listed = await lib.n8nCliOk(['list:workflow'], cli);
		const present = new Set(listed.stdout.split('\n').map((line) => line.split('|')[0].trim()).filter(Boolean));
		const fresh = lib.readWorkflows(files).filter((wf) => !present.has(wf.id));
		await lib.importWorkflows(fresh, cli);
		log(`workflows: ${fresh.length} imported, ${files.length - fresh.length} already there`);
	}

	const { node } = ensureNode24();
	const env = lib.n8nEnv({ userFolder: USER_FOLDER, port: PORT, brokerPort, listenAddress: '127.0.0.1' });
	const child = spawn(node, [lib.n8nEntry(), 'start'], { cwd: USER_FOLDER, env, stdio: 'inherit' });
	for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
	await lib.waitForReady(`http://127.0.0.1:${PORT}`, { child, timeoutMs: 180_000 });
	log(`n8n is ready after ${((Date.now() - started) / 1000).toFixed(0)} s: open http://localhost:${PORT}`);
	log(`first visit: create the owner account in the browser; data (n8n and the contact store) is in ${USER_FOLDER}`);
	if (sink) {
		let seen = 0;
		setInterval(() => {
			for (; seen < sink.messages.length; seen++) {
				const m = sink.messages[seen];
				log(`mail ${m.from} → ${m.to.join(', ')}: ${m.subject}`);
			}
		}, 500).unref();
	}
	child.on('exit', (code) => {
		sink?.close();
		process.exit(code ?? 0);
	});
}

main().catch((error) => {
	console.error(`[start] ${error.message}`);
	process.exit(1);
});
