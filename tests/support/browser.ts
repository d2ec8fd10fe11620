// A headless Chromium driven by playwright-core for the browser tests: the system's Chromium
// (Debian's `chromium` package: /usr/bin/chromium; CHROMIUM_PATH overrides it, e.g. Google Chrome
// on a CI runner), never a browser downloaded by Playwright. Every browser console error is
// collected; the few that are known n8n noise are named, with the reason, in HARMLESS_CONSOLE_ERRORS.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, selectors, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Chromium as root on a machine with no way out: no sandbox (root, containers), no GPU, and none of
 * Chromium's own background traffic (updates, sync, safe browsing, field trials), which a closed
 * network refuses many times a second.
 */
export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

export interface ConsoleError {
	text: string;
	url: string;
	/** Where it came from: a console.error call or a failed resource ('console'), or an uncaught exception ('pageerror'). */
	kind: 'console' | 'pageerror';
	/** When it arrived (Date.now()). */
	at: number;
}

/**
 * Console errors that are n8n's normal behaviour, not a fault of the page under test. Each entry:
 * why it is harmless, and a match as narrow as possible (message and resource URL).
 */
export const HARMLESS_CONSOLE_ERRORS: Array<{ why: string; match: (e: ConsoleError) => boolean }> = [
	{
		why:
			'Before anyone is logged in, the editor asks GET /rest/login whether a session exists; the ' +
			'401 answer (no session yet) is how it decides to show the sign-in or owner setup form.',
		match: (e) => e.kind === 'console' && /status of 401/.test(e.text) && /\/rest\/login$/.test(e.url),
	},
	{
		why:
			'The parameter panel asks for an optional output-schema file of the node ' +
			'(/schemas/<type>/<version>/<operation>.json, served from a __schema__ folder beside the node) ' +
			'to preview its output before a run; a 404 means the node ships none, and the panel then ' +
			'shows "Execute step" instead. n8n-nodes-base nodes without schemas get the same 404.',
		match: (e) => e.kind === 'console' && /status of 404/.test(e.text) && /\/schemas\/[^/]+\/\d+\.\d+\.\d+(\/[^/]+){0,2}\.json$/.test(e.url),
	},
];

export interface BrowserSession {
	context: BrowserContext;
	page: Page;
	/** Console errors and uncaught page exceptions since the last clearErrors(), known noise left out. */
	errors(): ConsoleError[];
	/** How many errors each HARMLESS_CONSOLE_ERRORS entry has left out since launch (by its index). */
	forgiven(): number[];
	clearErrors(): void;
	close(): Promise<void>;
}

/** Launches the system Chromium with a fresh profile and one page (1440x900 unless told; `baseURL` resolves relative page.goto paths). */
export async function launchBrowser(options: { baseURL?: string; viewport?: { width: number; height: number }; timeoutMs?: number } = {}): Promise<BrowserSession> {
	if (!existsSync(CHROMIUM_PATH)) {
		throw new Error(`No Chromium at ${CHROMIUM_PATH}: install Debian's chromium package (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH`);
	}
	// n8n's editor marks its elements with data-test-id (not Playwright's default data-testid).
	selectors.setTestIdAttribute('data-test-id');
	const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
	let context: BrowserContext;
	try {
		context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM_PATH,
			headless: true,
			args: CHROMIUM_ARGS,
			baseURL: options.baseURL,
			viewport: options.viewport ?? { width: 1440, height: 900 },
			timeout: options.timeoutMs ?? 60_000,
		});
	} catch (error) {
		rmSync(profile, { recursive: true, force: true });
		throw error;
	}
	context.setDefaultTimeout(15_000);
	context.setDefaultNavigationTimeout(30_000);
	const page = context.pages()[0] ?? (await context.newPage());
	let collected: ConsoleError[] = [];
	const forgiven = HARMLESS_CONSOLE_ERRORS.map(() => 0);
	const collect = (error: ConsoleError) => {
		const harmless = HARMLESS_CONSOLE_ERRORS.findIndex((h) => h.match(error));
		if (harmless >= 0) forgiven[harmless]++;
		else collected.push(error);
	};
	page.on('console', (message) => {
		if (message.type() !== 'error') return;
		collect({ kind: 'console', text: message.text(), url: message.location().url ?? '', at: Date.now() });
	});
	page.on('pageerror', (error) => collect({ kind: 'pageerror', text: `${error.name}: ${error.message}`, url: page.url(), at: Date.now() }));
	return {
		context,
		page,
		errors: () => [...collected],
		forgiven: () => [...forgiven],
		clearErrors: () => {
			collected = [];
		},
		async close() {
			await Promise.race([context.close().catch(() => undefined), new Promise((r) => setTimeout(r, 15_000).unref())]);
			rmSync(profile, { recursive: true, force: true });
		},
	};
}
