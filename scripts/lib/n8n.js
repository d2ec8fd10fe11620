'use strict';
// A real n8n for the end-to-end tests and `npm start`: installs a pinned n8n into
// .cache/n8n (with Node 24 first on PATH), packs this package the way users get
// it, installs the tarball into an n8n user folder the way n8n's own community
// package installer does, imports credentials and workflows with the n8n CLI, and
// starts/stops n8n. Everything listens on 127.0.0.1 only.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { ROOT, ensureNode24, node24Env } = require('./node24');

const N8N_VERSION = '2.41.1';
const N8N_HOME = path.join(ROOT, '.cache', 'n8n');
const MARKER = path.join(N8N_HOME, `.installed-${N8N_VERSION}`);
const PACKAGE_NAME = require(path.join(ROOT, 'package.json')).name;

const MINUTE = 60_000;

function log(message) {
	console.log(`[n8n] ${message}`);
}

function seconds(since) {
	return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** The n8n CLI entry script (run it with Node 24: `node <entry> <command>`). */
function n8nEntry() {
	return path.join(N8N_HOME, 'node_modules', 'n8n', 'bin', 'n8n');
}

function installedN8nVersion() {
	try {
		return JSON.parse(fs.readFileSync(path.join(N8N_HOME, 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
	} catch {
		return undefined;
	}
}

/** True when sqlite3 (n8n's database driver) loads under Node 24, i.e. its native build matches. */
function sqliteLoads() {
	return sqliteLoadError() === undefined;
}

/** Why sqlite3 does not load under Node 24 (the probe's stderr), or undefined when it loads. */
function sqliteLoadError() {
	const { node } = ensureNode24();
	const probe = spawnSync(node, ['-e', "require('sqlite3')"], { cwd: N8N_HOME, env: node24Env(), stdio: ['ignore', 'ignore', 'pipe'], timeout: MINUTE });
	if (probe.status === 0) return undefined;
	return (probe.stderr ? probe.stderr.toString().trim().split('\n').slice(0, 8).join('\n') : '') || `exit ${probe.status}`;
}

/** Runs a command synchronously with its output appended to .cache/n8n/install.log; throws with the log's tail on failure. */
function runLogged(command, args, env, timeoutMs) {
	const logFile = path.join(N8N_HOME, 'install.log');
	fs.appendFileSync(logFile, `\n$ ${command} ${args.join(' ')}\n`);
	const fd = fs.openSync(logFile, 'a');
	try {
		const result = spawnSync(command, args, { cwd: N8N_HOME, env, stdio: ['ignore', fd, fd], timeout: timeoutMs, killSignal: 'SIGKILL' });
		if (result.status !== 0) {
			const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
			const why = result.error ? result.error.message : result.signal ? `killed by ${result.signal} (timeout ${timeoutMs / 1000} s?)` : `exit code ${result.status}`;
			throw new Error(`\`${command} ${args.join(' ')}\` failed in ${N8N_HOME}: ${why}\n--- last lines of ${logFile} ---\n${tail}`);
		}
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * Installs n8n@N8N_VERSION into .cache/n8n unless the marker file says it is there.
 * Returns the path of the n8n CLI entry script.
 */
function ensureN8n() {
	if (fs.existsSync(MARKER) && fs.existsSync(n8nEntry())) return n8nEntry();
	fs.mkdirSync(N8N_HOME, { recursive: true });
	// An install made by hand (or one whose marker write was interrupted): adopt it when it is the right version and works.
	if (installedN8nVersion() === N8N_VERSION && sqliteLoads()) {
		fs.writeFileSync(MARKER, `${new Date().toISOString()}\n`);
		return n8nEntry();
	}
	const env = node24Env();
	const started = Date.now();
	fs.writeFileSync(path.join(N8N_HOME, 'package.json'), '{"private":true}\n');
	log(`installing n8n@${N8N_VERSION} into .cache/n8n with Node 24 (once per machine; about 5-8 min; npm output goes to .cache/n8n/install.log)`);
	runLogged('npm', ['install', `n8n@${N8N_VERSION}`, '--save-exact', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=warn'], env, 40 * MINUTE);
	log(`n8n@${N8N_VERSION} installed in ${seconds(started)}; building sqlite3 for Node 24 (about 1-2 min)`);
	const rebuildStarted = Date.now();
	// `npm test` runs this with the repository's npm config in the environment, and the repository's
	// .npmrc says ignore-scripts=true: then `npm rebuild` "succeeds" without building anything.
	// Scripts must run here, in the foreground so the compiler's output lands in the log.
	runLogged(
		'npm',
		['rebuild', 'sqlite3', '--foreground-scripts'],
		{ ...env, npm_config_ignore_scripts: 'false', npm_config_build_from_source: 'true' },
		20 * MINUTE,
	);
	const loadError = sqliteLoadError();
	if (loadError) throw new Error(`sqlite3 was rebuilt but does not load under Node 24 (see .cache/n8n/install.log):\n${loadError}`);
	log(`sqlite3 built in ${seconds(rebuildStarted)}; n8n ready after ${seconds(started)}`);
	fs.writeFileSync(MARKER, `${new Date().toISOString()}\n`);
	return n8nEntry();
}

/** Free TCP ports on 127.0.0.1, all distinct (the listeners are held open until every port is chosen). */
async function freePorts(count = 1) {
	const servers = [];
	try {
		for (let i = 0; i < count; i++) {
			const server = net.createServer();
			servers.push(server);
			await new Promise((resolve, reject) => {
				server.once('error', reject);
				server.listen(0, '127.0.0.1', resolve);
			});
		}
		return servers.map((s) => s.address().port);
	} finally {
		await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve()))));
	}
}

/** Whether something listens on 127.0.0.1:port. */
function portInUse(port, host = '127.0.0.1') {
	return new Promise((resolve) => {
		const socket = net.connect({ port, host });
		socket.setTimeout(1000);
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('timeout', () => {
			socket.destroy();
			resolve(false);
		});
		socket.once('error', () => resolve(false));
	});
}

/**
 * The environment for any n8n process (server or CLI) on a user folder. `brokerPort` is the
 * task-runner broker's port: it must differ between processes running at the same time.
 */
function n8nEnv({ userFolder, port, brokerPort, listenAddress = '127.0.0.1', env = {} }) {
	const base = node24Env();
	// n8n refuses to load nodes when NODE_ENV=test (Jest sets it), and Jest's variables mean nothing to it.
	for (const key of Object.keys(base)) if (key === 'NODE_ENV' || key.startsWith('JEST_')) delete base[key];
	return {
		...base,
		N8N_USER_FOLDER: userFolder,
		...(port ? { N8N_PORT: String(port) } : {}),
		N8N_LISTEN_ADDRESS: listenAddress,
		...(brokerPort ? { N8N_RUNNERS_BROKER_PORT: String(brokerPort) } : {}),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		...env,
	};
}

/**
 * Runs an n8n CLI command (`import:workflow`, `publish:workflow`, `execute`, ...) on a user folder.
 * Resolves { code, stdout, stderr, ms }; never rejects on a non-zero exit (check `code`).
 */
function runN8nCli(args, { userFolder, brokerPort, env = {}, timeoutMs = 2 * MINUTE, echo = false }) {
	const { node } = ensureNode24();
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const child = spawn(node, [n8nEntry(), ...args], { cwd: userFolder, env: n8nEnv({ userFolder, brokerPort, env }), stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => {
			stdout += d;
			if (echo) process.stdout.write(d);
		});
		child.stderr.on('data', (d) => {
			stderr += d;
			if (echo) process.stderr.write(d);
		});
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`n8n ${args.join(' ')} timed out after ${timeoutMs / 1000} s\n${stdout}\n${stderr}`));
		}, timeoutMs);
		child.once('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			resolve({ code: code ?? (signal ? 1 : 0), stdout, stderr, ms: Date.now() - started });
		});
	});
}

/** Like runN8nCli, but throws when the command exits non-zero. */
async function n8nCliOk(args, options) {
	const result = await runN8nCli(args, options);
	if (result.code !== 0) throw new Error(`n8n ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
	return result;
}

function npm(args, { cwd, timeoutMs = 10 * MINUTE, quiet = true } = {}) {
	const result = spawnSync('npm', args, { cwd, env: node24Env(), stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 });
	if (result.status !== 0) {
		const why = result.error ? result.error.message : result.signal ? `killed by ${result.signal}` : `exit code ${result.status}`;
		throw new Error(`\`npm ${args.join(' ')}\` failed in ${cwd}: ${why}\n${result.stdout ?? ''}\n${result.stderr ?? ''}`);
	}
	return result.stdout ? result.stdout.toString() : '';
}

/** `npm run build` in the repository (compiles into dist/). */
function buildPackage({ quiet = true } = {}) {
	npm(['run', 'build'], { cwd: ROOT, quiet });
}

/**
 * Builds (unless `build` is false) and `npm pack`s the repository into a folder of its own under
 * .cache/pack, as it would be published, and returns the tarball's absolute path. Build and pack
 * hold a lock (.cache/build.lock), so test processes running at once never pack a half-built dist/.
 * (npm pack does not run prepack here: .npmrc has ignore-scripts.)
 */
function buildAndPack({ build = true, quiet = true } = {}) {
	const destDir = path.join(ROOT, '.cache', 'pack', `${process.pid}-${Date.now().toString(36)}`);
	fs.mkdirSync(destDir, { recursive: true });
	const commands = [build ? 'npm run build' : 'true', `npm pack --pack-destination "${destDir}"`].join(' && ');
	const lock = path.join(ROOT, '.cache', 'build.lock');
	const result = spawnSync('flock', ['-w', '900', lock, 'sh', '-c', commands], {
		cwd: ROOT,
		env: node24Env(),
		stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
		timeout: 20 * MINUTE,
		killSignal: 'SIGKILL',
		maxBuffer: 64 * 1024 * 1024,
	});
	if (result.status !== 0) {
		const why = result.error ? result.error.message : result.signal ? `killed by ${result.signal}` : `exit code ${result.status}`;
		throw new Error(`build and pack failed: ${why}\n${result.stdout ?? ''}\n${result.stderr ?? ''}`);
	}
	for (const entry of require(path.join(ROOT, 'package.json')).n8n.nodes) {
		if (!fs.existsSync(path.join(ROOT, entry))) throw new Error(`${entry} is missing after the build: is it listed right in package.json?`);
	}
	const tarball = fs.readdirSync(destDir).find((f) => f.endsWith('.tgz'));
	if (!tarball) throw new Error(`npm pack wrote no tarball into ${destDir}`);
	return path.join(destDir, tarball);
}

/**
 * Installs a packed tarball into <userFolder>/.n8n/nodes the way n8n 2.41's community package
 * installer does (Settings → Community nodes): unpack into nodes/node_modules/<name>, drop
 * dev/peer/optional dependencies from its package.json, `npm install` its dependencies inside it
 * (shallow, no scripts, no lockfile), and record it in nodes/package.json. Replaces any earlier copy.
 */
function installTarball(userFolder, tarball) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.rmSync(packageDir, { recursive: true, force: true });
	fs.mkdirSync(packageDir, { recursive: true });
	const tar = spawnSync('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1'], { stdio: 'pipe', timeout: MINUTE });
	if (tar.status !== 0) throw new Error(`tar -xzf ${tarball} failed: ${tar.stderr}`);
	const manifestPath = path.join(packageDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...manifest } = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
	fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	npm(['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false', '--prefer-offline'], { cwd: packageDir });
	const nodesManifestPath = path.join(nodesDir, 'package.json');
	let nodesManifest = { name: 'installed-nodes', private: true, dependencies: {} };
	try {
		nodesManifest = JSON.parse(fs.readFileSync(nodesManifestPath, 'utf8'));
	} catch {}
	nodesManifest.dependencies = { ...(nodesManifest.dependencies ?? {}), [PACKAGE_NAME]: manifest.version };
	fs.writeFileSync(nodesManifestPath, JSON.stringify(nodesManifest, null, 2));
	return packageDir;
}

/** Writes JSON into a temporary file and returns its path. */
function tempJson(value, name = 'data.json') {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-import-'));
	const file = path.join(dir, name);
	fs.writeFileSync(file, JSON.stringify(value, null, 2));
	return file;
}

/** Imports credentials ([{ id, name, type, data }], plaintext data: n8n encrypts it). */
async function importCredentials(credentials, options) {
	if (credentials.length === 0) return undefined;
	const file = tempJson(credentials, 'credentials.json');
	try {
		return await n8nCliOk(['import:credentials', `--input=${file}`], options);
	} finally {
		fs.rmSync(path.dirname(file), { recursive: true, force: true });
	}
}

/** Reads workflow JSON files (each one workflow or an array of them). */
function readWorkflows(files) {
	return files.flatMap((file) => {
		const value = JSON.parse(fs.readFileSync(file, 'utf8'));
		const list = Array.isArray(value) ? value : [value];
		for (const wf of list) if (!wf.id) throw new Error(`${file}: every workflow needs an "id" (to publish it and to find it again)`);
		return list;
	});
}

/** Imports workflows (objects) with one `n8n import:workflow` call; they are left unpublished. */
async function importWorkflows(workflows, options) {
	if (workflows.length === 0) return undefined;
	const file = tempJson(workflows.map((wf) => ({ ...wf, active: false })), 'workflows.json');
	try {
		return await n8nCliOk(['import:workflow', `--input=${file}`], options);
	} finally {
		fs.rmSync(path.dirname(file), { recursive: true, force: true });
	}
}

const TRIGGER_TYPE = /Trigger$|\.webhook$|\.formTrigger$/;

/** Whether a workflow starts on its own (webhook, schedule, ...), i.e. needs publishing to run. */
function hasTrigger(workflow) {
	return (workflow.nodes ?? []).some((node) => TRIGGER_TYPE.test(node.type) && node.type !== 'n8n-nodes-base.manualTrigger' && !node.disabled);
}

/** Publishes (activates) workflows by id, one `n8n publish:workflow` call each. */
async function publishWorkflows(ids, options) {
	for (const id of ids) await n8nCliOk(['publish:workflow', `--id=${id}`], options);
}

/** Polls GET <baseUrl>/healthz/readiness until 200; fails early if `child` exits. */
async function waitForReady(baseUrl, { timeoutMs = 3 * MINUTE, child, logFile } = {}) {
	const deadline = Date.now() + timeoutMs;
	let exited;
	const onExit = (code, signal) => (exited = `n8n exited early (code ${code}, signal ${signal})`);
	child?.once('exit', onExit);
	try {
		while (Date.now() < deadline) {
			if (exited) break;
			try {
				const res = await fetch(`${baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
				if (res.status === 200) return;
			} catch {}
			await new Promise((r) => setTimeout(r, 250));
		}
	} finally {
		child?.off('exit', onExit);
	}
	let tail = '';
	if (logFile && fs.existsSync(logFile)) tail = `\n--- last lines of ${logFile} ---\n${fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n')}`;
	throw new Error(`${exited ?? `n8n at ${baseUrl} was not ready after ${timeoutMs / 1000} s`}${tail}`);
}

module.exports = {
	N8N_VERSION,
	N8N_HOME,
	PACKAGE_NAME,
	ROOT,
	ensureN8n,
	n8nEntry,
	freePorts,
	portInUse,
	n8nEnv,
	runN8nCli,
	n8nCliOk,
	buildPackage,
	buildAndPack,
	installTarball,
	importCredentials,
	readWorkflows,
	importWorkflows,
	hasTrigger,
	publishWorkflows,
	waitForReady,
};

if (require.main === module) {
	// `node scripts/node24.js scripts/lib/n8n.js` installs n8n ahead of time (e.g. in CI).
	const started = Date.now();
	console.log(ensureN8n());
	log(`n8n@${N8N_VERSION} is ready (${seconds(started)})`);
}
