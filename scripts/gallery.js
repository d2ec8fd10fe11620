#!/usr/bin/env node
'use strict';
// `npm run gallery`: refreshes the README's screenshots in docs/gallery/. Runs the browser test
// (tests/e2e/canvas.test.ts: a real n8n with the package and every recipe, in headless Chromium),
// which saves a screenshot of every canvas and parameter panel under .e2e/screenshots/, then
// copies the chosen few here. `--no-test` copies from the last run's screenshots without running.
const { spawnSync } = require('node:child_process');
const { copyFileSync, existsSync, mkdirSync, statSync } = require('node:fs');
const path = require('node:path');
const { ROOT } = require('./lib/node24');

const SCREENSHOTS = path.join(ROOT, '.e2e', 'screenshots');
const GALLERY = path.join(ROOT, 'docs', 'gallery');
/** Above this a picture is worth shrinking (it is downloaded with the README). */
const MAX_BYTES = 200 * 1024;

/** docs/gallery/<name>: the screenshot it is taken from (names as the browser test writes them). */
const PICTURES = {
	'recipe-01-abandoned-cart.png': '01-first-time-abandoned-cart.png',
	'recipe-06-win-back-dark.png': 'dark--06-re-engagement-after-inactivity.png',
	'segment-check-rules.png': '01-first-time-abandoned-cart--first-time-abandoner-who-never-bought.png',
	'segment-sendable.png': '01-first-time-abandoned-cart--sendable.png',
	'product-block-cart.png': '01-first-time-abandoned-cart--cart-email.png',
	'product-block-accessories.png': '17-accessory-upsell-after-purchase--accessories-email.png',
	'win-back-window.png': '06-re-engagement-after-inactivity--due-win-back-emails.png',
	'node-creator.png': 'node-creator--abandoned-cart.png',
};

if (!process.argv.includes('--no-test')) {
	const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
	const run = spawnSync(process.execPath, [jest, '--selectProjects', 'e2e', '--runInBand', '--', 'tests/e2e/canvas.test.ts'], {
		cwd: ROOT,
		stdio: 'inherit',
		timeout: 30 * 60_000,
		killSignal: 'SIGKILL',
	});
	if (run.status !== 0) {
		console.error('gallery: the browser test failed; docs/gallery/ is left as it was');
		process.exit(1);
	}
}

mkdirSync(GALLERY, { recursive: true });
let ok = true;
for (const [name, source] of Object.entries(PICTURES)) {
	const from = path.join(SCREENSHOTS, source);
	if (!existsSync(from)) {
		console.error(`gallery: ${source} is missing in ${SCREENSHOTS} (renamed in the test?)`);
		ok = false;
		continue;
	}
	copyFileSync(from, path.join(GALLERY, name));
	const kb = Math.round(statSync(from).size / 1024);
	console.log(`docs/gallery/${name}  ${kb} KB${statSync(from).size > MAX_BYTES ? '  (over 200 KB)' : ''}`);
}
process.exit(ok ? 0 : 1);
