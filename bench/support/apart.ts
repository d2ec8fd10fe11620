/**
 * Work done in a child Node process, so that the benchmark's own process measures only
 * what it means to.
 *
 * - generateStoreApart: generateStore (synthetic.ts) in a child. SQLite runs inside the
 *   process that opens it, and building a 1M store there leaves hundreds of MB of freed but
 *   kept memory in the process (the allocator does not hand it back), which would then
 *   count as the benchmark's RSS.
 * - measureApart: one exported function of a compiled bench module, run under measure()
 *   (measure.ts) in a fresh child: its peak RSS starts from a clean process, not from
 *   what earlier steps of the benchmark left behind.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreConfig } from '../../lib/store';
import type { Measured } from './measure';
import type { SyntheticOptions, SyntheticStats } from './synthetic';

/** Runs `script` in a child Node (with --expose-gc); the child writes its JSON result to $ECM_APART_OUT. */
async function runChild<T>(script: string, input: unknown): Promise<T> {
	const dir = mkdtempSync(join(tmpdir(), 'ecm-apart-'));
	const out = join(dir, 'result.json');
	try {
		await new Promise<void>((resolve, reject) => {
			const child = spawn(process.execPath, ['--expose-gc', '-e', script], {
				env: { ...process.env, ECM_APART_IN: JSON.stringify(input), ECM_APART_OUT: out },
				stdio: ['ignore', 'inherit', 'inherit'],
			});
			child.on('error', reject);
			child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child process failed (exit ${code})`))));
		});
		return JSON.parse(readFileSync(out, 'utf8')) as T;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

const childMain = (body: string) => `
	const { writeFileSync } = require('node:fs');
	const input = JSON.parse(process.env.ECM_APART_IN);
	(async () => { ${body} })().then(
		(result) => { writeFileSync(process.env.ECM_APART_OUT, JSON.stringify(result)); process.exit(0); },
		(error) => { console.error(error); process.exit(1); },
	);`;

export async function generateStoreApart(config: StoreConfig, options: Omit<SyntheticOptions, 'onStep'>): Promise<SyntheticStats> {
	const module = join(__dirname, 'synthetic.js');
	return await runChild<SyntheticStats>(childMain(`return await require(${JSON.stringify(module)}).generateStore(input.config, input.options);`), { config, options });
}

/**
 * Calls `exported(...args)` of the compiled module `file` (which must not start its own
 * benchmark when required) in a fresh child, under measure(). Arguments and the value go
 * through JSON.
 */
export async function measureApart<T>(file: string, exported: string, args: unknown[]): Promise<Measured<T>> {
	const measureModule = join(__dirname, 'measure.js');
	return await runChild<Measured<T>>(
		childMain(`
			const { measure } = require(${JSON.stringify(measureModule)});
			const fn = require(${JSON.stringify(file)})[${JSON.stringify(exported)}];
			return await measure(() => fn(...input.args));`),
		{ args },
	);
}
