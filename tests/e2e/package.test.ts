// The tarball users install (npm pack, as published): only the build, README and LICENSE; every
// node and credential n8n is told about is in it with its icons and codex file.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packedPackage, ROOT } from '../support/n8nInstance';

function tarList(tarball: string): string[] {
	const res = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8', timeout: 60_000 });
	if (res.status !== 0) throw new Error(`tar -tzf ${tarball}: ${res.stderr}`);
	return res.stdout
		.split('\n')
		.filter(Boolean)
		.map((entry) => entry.replace(/^package\//, ''));
}

function tarRead(tarball: string, file: string): string {
	const res = spawnSync('tar', ['-xzOf', tarball, `package/${file}`], { encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
	if (res.status !== 0) throw new Error(`${file} is not in ${tarball}: ${res.stderr}`);
	return res.stdout;
}

describe('the published tarball', () => {
	let tarball: string;
	let files: string[];
	const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

	beforeAll(() => {
		tarball = packedPackage();
		files = tarList(tarball);
		const bytes = statSync(tarball).size;
		console.log(`${tarball}: ${files.length} files, ${(bytes / 1024).toFixed(0)} KB packed`);
	});

	it('holds only dist/, README.md, LICENSE and package.json', () => {
		const outside = files.filter((f) => !f.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(f));
		expect(outside).toEqual([]);
		expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
		// No sources, tests, benches, recipes or local state inside dist/ either.
		expect(files.filter((f) => /^dist\/(tests|bench|scripts|workflows)\//.test(f) || /\.(ts|db|tgz)$/.test(f.replace(/\.d\.ts$/, '')))).toEqual([]);
	});

	it('contains every node and credential of the n8n section, with icons and codex', () => {
		const packed = JSON.parse(tarRead(tarball, 'package.json'));
		expect(packed.n8n).toEqual(manifest.n8n);
		for (const entry of [...manifest.n8n.nodes, ...manifest.n8n.credentials] as string[]) {
			expect(files).toContain(entry);
			const source = tarRead(tarball, entry);
			// Icons are referenced as file:<name>.svg next to the compiled file.
			const dir = entry.slice(0, entry.lastIndexOf('/') + 1);
			const icons = [...source.matchAll(/file:([\w.-]+\.svg)/g)].map((m) => dir + m[1]);
			expect(icons.length).toBeGreaterThan(0);
			for (const icon of icons) expect(files).toContain(icon);
			if (entry.endsWith('.node.js')) expect(files).toContain(entry.replace(/\.js$/, '.json'));
		}
	});

	it('declares n8n-workflow as a peer and only the runtime dependencies it uses', () => {
		const packed = JSON.parse(tarRead(tarball, 'package.json'));
		expect(packed.keywords).toContain('n8n-community-node-package');
		expect(Object.keys(packed.peerDependencies ?? {})).toEqual(['n8n-workflow']);
		expect(Object.keys(packed.dependencies ?? {}).sort()).toEqual(['luxon', 'mjml', 'pg']);
	});
});
