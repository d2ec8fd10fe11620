// The package in n8n's editor, as a user sees it: a real n8n with the packed package and every
// shipped recipe imported as it is, driven in a headless Chromium (tests/support/browser.ts).
// The owner account is created in the setup form; the node panel is searched for every node;
// every recipe is opened on the canvas and every node of this package on it in its parameter
// panel; two recipes again in the dark theme. Fails on a browser console error, an unknown-node
// "?" icon, a node shown as not installed, a missing or broken package icon (or the light one in
// the dark theme), an issue marker on one of the package's nodes, a parameter issue in its panel,
// or the editor saving a recipe that was only looked at. A control workflow (a type that does not
// exist, a required parameter left empty) shows that these checks do catch what they look for.
// Screenshots of everything go to .e2e/screenshots/ (`npm run gallery` copies a few into docs/gallery/).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type BrowserSession } from '../support/browser';
import { startN8n, PACKAGE_NAME, ROOT, type N8nInstance } from '../support/n8nInstance';
import { readRecipe, recipeFiles, WORKFLOWS_DIR, type Workflow } from '../support/recipes';

const SCREENSHOTS = join(ROOT, '.e2e', 'screenshots');
const OWNER = { email: 'owner@example.test', firstName: 'Canvas', lastName: 'Owner', password: 'Canvas-Owner-passw0rd' };
const PREFIX = `${PACKAGE_NAME}.`;
const STICKY = 'n8n-nodes-base.stickyNote';

const recipes = recipeFiles().map((file) => ({ file, name: file.replace(/\.json$/, ''), workflow: readRecipe(file) }));

/** A node type that does not exist and a package node missing a required parameter: the checks below must flag both. */
const CONTROL: Workflow = {
	id: 'canvasControlUnknown',
	name: 'Control: a node not installed, a required parameter missing',
	nodes: [
		{ id: 'c1', name: 'Not installed (control)', type: `${PREFIX}notInstalledControl`, typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: 'c2', name: 'Segment (control)', type: `${PREFIX}segment`, typeVersion: 1, position: [300, 0], parameters: { operation: 'sendable', campaign: 'control' } },
		{ id: 'c3', name: 'No campaign (control)', type: `${PREFIX}segment`, typeVersion: 1, position: [600, 0], parameters: { operation: 'sendable', campaign: '' } },
	],
	connections: {},
	settings: {},
};

function slug(value: string): string {
	return value
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-|-$/g, '');
}

async function shot(page: Page, name: string): Promise<void> {
	// Transitions finished (a hover fading out would show half-drawn otherwise).
	await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), timeout: 15_000, animations: 'disabled' });
}

interface CanvasNode {
	name: string;
	type: string;
	/** The unknown-node placeholder: the icon is a "?". */
	placeholder: boolean;
	iconSrc: string | null;
	iconLoaded: boolean;
	issues: boolean;
}

/** What the canvas shows for each node: its icon (image, placeholder) and issue marker. */
async function canvasNodes(page: Page): Promise<CanvasNode[]> {
	return await page.$$eval('[data-test-id="canvas-node"]', (elements: any[]) =>
		elements.map((el: any) => {
			const icon = el.querySelector('.n8n-node-icon');
			const img = icon?.querySelector('img');
			return {
				name: el.getAttribute('data-node-name'),
				type: el.getAttribute('data-node-type'),
				placeholder: !!icon && (icon.textContent ?? '').trim() === '?',
				iconSrc: img ? img.getAttribute('src') : null,
				iconLoaded: !!img && img.complete && img.naturalWidth > 0,
				issues: !!el.querySelector('[data-test-id="node-issues"]'),
			};
		}),
	);
}

/** Everything wrong on a canvas, one line each (empty when all is well). */
function canvasProblems(nodes: CanvasNode[], theme: 'light' | 'dark'): string[] {
	const problems: string[] = [];
	for (const node of nodes) {
		if (node.type === STICKY) continue;
		const label = `"${node.name}" (${node.type})`;
		if (node.placeholder) problems.push(`${label}: unknown-node "?" icon`);
		if (!node.type.startsWith(PREFIX)) continue;
		if (!node.iconSrc?.startsWith(`/icons/${PACKAGE_NAME}/`)) problems.push(`${label}: not the package's icon (${node.iconSrc ?? 'no image'})`);
		else if (!node.iconLoaded) problems.push(`${label}: icon ${node.iconSrc} did not load`);
		else if (theme === 'dark' && !node.iconSrc.endsWith('.dark.svg')) problems.push(`${label}: light icon in the dark theme (${node.iconSrc})`);
		else if (theme === 'light' && node.iconSrc.endsWith('.dark.svg')) problems.push(`${label}: dark icon in the light theme (${node.iconSrc})`);
		if (node.issues) problems.push(`${label}: issue marker on the canvas`);
	}
	return problems;
}

/**
 * Times when the editor switched from one workflow to another without a reload. n8n 2.41.1's
 * editor now and then throws "injectNDVStore() was accessed without an active workflow document
 * store" then (seen in most runs, once or twice, at a different workflow each time): a watcher of its
 * canvas view reads the parameter-panel store while no workflow document is loaded. It is the
 * editor's own race on a route change between workflows (the same change as the browser's back
 * and forward buttons make), unrelated to the nodes shown. The error is forgiven only inside these
 * windows; anywhere else it fails the test like any other.
 */
const switches: Array<{ from: number; to: number }> = [];
const SWITCH_RACE = /injectNDVStore\(\) was accessed without an active workflow document store/;

/**
 * Goes to a path of the editor. The first visit loads the page; later ones navigate inside the
 * running editor as its own links do (history.pushState and a popstate event, which its router
 * follows): about 1 s instead of 6 s for a full reload of the editor.
 */
async function navigate(page: Page, path: string, reload = false): Promise<void> {
	// Only from a settled canvas (/workflow/<id>, no panel open): switching while the editor still
	// updates its route for a panel that just closed races inside n8n's editor.
	const inEditor = /^https?:\/\/[^/]+\/workflow\/[^/]+$/.test(page.url());
	if (reload || !inEditor) {
		await page.goto(path);
		return;
	}
	switches.push({ from: Date.now(), to: Infinity });
	await page.evaluate((to: string) => {
		const g = globalThis as any;
		g.history.pushState(null, '', to);
		g.dispatchEvent(new g.PopStateEvent('popstate', { state: null }));
	}, path);
}

/**
 * Opens a workflow and waits until it is on the canvas: its name, every node, every icon loaded.
 * `reload` loads the editor afresh (e.g. to apply a theme).
 */
async function openWorkflow(page: Page, workflow: Workflow, { reload = false } = {}): Promise<void> {
	await navigate(page, `/workflow/${encodeURIComponent(workflow.id)}`, reload);
	// Sticky notes are drawn apart from the nodes (no data-node-name).
	const expected = { name: workflow.name, nodes: workflow.nodes.filter((n) => n.type !== STICKY).map((n) => n.name) };
	const state = (wanted: typeof expected) => {
		const doc = (globalThis as any).document;
		const shown = new Set([...doc.querySelectorAll('[data-test-id="canvas-node"]')].map((el: any) => el.getAttribute('data-node-name')));
		const title = doc.querySelector('[data-test-id="workflow-name-input"] [data-test-id="inline-edit-preview"]');
		return {
			name: title ? (title.textContent ?? '').trim() : null,
			missing: wanted.nodes.filter((n) => !shown.has(n)),
			loading: [...doc.querySelectorAll('[data-test-id="canvas-node"] img')].filter((img: any) => !img.complete).map((img: any) => img.getAttribute('src')),
		};
	};
	try {
		await page.waitForFunction(
			(wanted: typeof expected) => {
				const doc = (globalThis as any).document;
				const title = doc.querySelector('[data-test-id="workflow-name-input"] [data-test-id="inline-edit-preview"]');
				if (!title || (title.textContent ?? '').trim() !== wanted.name) return false;
				const shown = new Set([...doc.querySelectorAll('[data-test-id="canvas-node"]')].map((el: any) => el.getAttribute('data-node-name')));
				return wanted.nodes.every((n) => shown.has(n)) && [...doc.querySelectorAll('[data-test-id="canvas-node"] img')].every((img: any) => img.complete);
			},
			expected,
			{ timeout: 30_000 },
		);
		// The editor fits the view to the nodes on open, animated.
		await page.waitForTimeout(300);
	} catch (error) {
		const now = await page.evaluate(state, expected).catch(() => undefined);
		await shot(page, `failed-to-open--${slug(workflow.id)}`).catch(() => undefined);
		throw new Error(`${workflow.id} did not show on the canvas within 30 s (at ${page.url()}: ${JSON.stringify(now)})\n${error}`);
	} finally {
		for (const w of switches) if (w.to === Infinity) w.to = Date.now();
	}
}

function canvasNode(page: Page, name: string) {
	return page.locator(`[data-test-id="canvas-node"][data-node-name=${JSON.stringify(name)}]`);
}

/** Opens a node's parameter panel (double-click, as a user does) and waits for its parameters. */
async function openNdv(page: Page, name: string): Promise<void> {
	await canvasNode(page, name).dblclick({ timeout: 10_000 });
	await page.getByTestId('ndv').waitFor({ state: 'visible', timeout: 10_000 });
	await page.getByTestId('ndv').getByTestId('node-title-container').waitFor({ state: 'visible', timeout: 10_000 });
	// The editor puts the open node in the address (/workflow/<id>/<node>).
	await page.waitForURL(/\/workflow\/[^/]+\/[^/]+$/, { timeout: 10_000 });
	// The pointer off the panel, so that the screenshot shows no hover state: through the panel's
	// header first (the row that appeared under the double-click keeps its hover state otherwise).
	await page.mouse.move(700, 60);
	await page.mouse.move(1, 1);
}

async function closeNdv(page: Page): Promise<void> {
	await page.getByTestId('ndv-close-button').click({ timeout: 10_000 });
	await page.getByTestId('ndv').waitFor({ state: 'hidden', timeout: 10_000 });
	await page.waitForURL(/\/workflow\/[^/]+$/, { timeout: 10_000 });
}

/** Everything wrong in the open parameter panel: not-installed notice, "?" icon, parameter issues. */
async function ndvProblems(page: Page, label: string): Promise<string[]> {
	const ndv = page.getByTestId('ndv');
	const found = await ndv.evaluate((root: any) => {
		const text: string = root.innerText ?? '';
		const notices = ['Install this node to use it', 'This node is not currently installed', 'is unknown'].filter((t) => text.includes(t));
		const placeholders = [...root.querySelectorAll('.n8n-node-icon')].filter((icon: any) => (icon.textContent ?? '').trim() === '?').length;
		const issues = [...root.querySelectorAll('[data-test-id="parameter-issues"]')].map((el: any) => {
			// The nearest parameter-input-<name> around the issue icon names the parameter.
			const input = el.closest('[data-test-id^="parameter-input-"]');
			const item = el.closest('[data-test-id="parameter-item"]');
			return input ? input.getAttribute('data-test-id').replace(/^parameter-input-/, '') : (item?.innerText ?? '').split('\n')[0] || 'a parameter';
		});
		return { notices, placeholders, issues };
	});
	return [
		...found.notices.map((t: string) => `${label}: panel says "${t}"`),
		...(found.placeholders > 0 ? [`${label}: unknown-node "?" icon in the panel`] : []),
		...found.issues.map((p: string) => `${label}: parameter issue on "${p}"`),
	];
}

let forgivenSwitchRaces = 0;

function consoleProblems(browser: BrowserSession): string[] {
	const errors = browser.errors();
	const left = errors.filter((e) => !(SWITCH_RACE.test(e.text) && switches.some((w) => e.at >= w.from && e.at <= w.to)));
	forgivenSwitchRaces += errors.length - left.length;
	return left.map((e) => `browser console ${e.kind}: ${e.text}${e.url ? ` (${e.url})` : ''}`);
}

describe('the package in the n8n editor (headless Chromium)', () => {
	let n8n: N8nInstance | undefined;
	let browser: BrowserSession | undefined;
	let page: Page;
	const started = Date.now();
	/** Workflow writes the editor sent (an autosave after opening a panel means the panel changed the recipe). */
	let saves: string[] = [];

	beforeAll(async () => {
		rmSync(SCREENSHOTS, { recursive: true, force: true });
		mkdirSync(SCREENSHOTS, { recursive: true });
		n8n = await startN8n({
			name: 'canvas',
			workflows: recipes.map((r) => join(WORKFLOWS_DIR, r.file)),
			workflowData: [CONTROL],
			// Nothing runs here: the recipes are only looked at, and the owner is created in the browser.
			publish: 'none',
		});
		console.log(`n8n ${n8n.baseUrl} timings (s): ${JSON.stringify(n8n.timings)}`);
		browser = await launchBrowser({ baseURL: n8n.baseUrl });
		page = browser.page;
		page.on('request', (request) => {
			const path = new URL(request.url()).pathname;
			if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method()) && /^\/rest\/workflows(\/|$)/.test(path)) saves.push(`${request.method()} ${path}`);
		});
	});

	afterAll(async () => {
		const forgiven = browser?.forgiven() ?? [];
		await browser?.close();
		await n8n?.stop();
		console.log(
			`browser test: ${((Date.now() - started) / 1000).toFixed(1)} s in all; screenshots in ${SCREENSHOTS}; ` +
				`known harmless console errors left out: ${JSON.stringify(forgiven)} (HARMLESS_CONSOLE_ERRORS), ${forgivenSwitchRaces} workflow-switch race(s)`,
		);
	});

	beforeEach(() => {
		browser?.clearErrors();
		saves = [];
	});

	it('creates the owner account in the setup form', async () => {
		await page.goto('/');
		await page.waitForURL(/\/setup/, { timeout: 30_000 });
		const form = page.getByTestId('setup-form');
		await form.waitFor({ state: 'visible' });
		await form.getByTestId('email').locator('input').fill(OWNER.email);
		await form.getByTestId('firstName').locator('input').fill(OWNER.firstName);
		await form.getByTestId('lastName').locator('input').fill(OWNER.lastName);
		await form.getByTestId('password').locator('input').fill(OWNER.password);
		await shot(page, 'setup-owner-account');
		await page.getByTestId('form-submit-button').click();
		await page.waitForURL((url) => !url.pathname.startsWith('/setup'), { timeout: 30_000 });
		// Signed in: the editor's own API answers as the owner.
		const me = await page.evaluate(async () => {
			const res = await fetch('/rest/login', { headers: { 'browser-id': (globalThis as any).localStorage.getItem('n8n-browserId') ?? '' } });
			return { status: res.status, body: (await res.json()) as any };
		});
		expect(me.status).toBe(200);
		expect(me.body.data).toMatchObject({ email: OWNER.email, role: 'global:owner' });
		expect(consoleProblems(browser!)).toEqual([]);
	});

	it('lists every node of the package in the node creator, with its icon', async () => {
		// The node types the editor knows (names only: the whole list is megabytes).
		const types: Array<{ name: string; displayName: string }> = await page.evaluate(async () =>
			((await (await fetch('/types/nodes.json')).json()) as Array<{ name: string; displayName: string }>).map((t) => ({ name: t.name, displayName: t.displayName })),
		);
		const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
		const expected = (manifest.n8n.nodes as string[]).map((f) => PREFIX + f.replace(/^.*\/(\w)(\w*)\.node\.js$/, (_m, first: string, rest: string) => first.toLowerCase() + rest)).sort();
		// Each node, and its AI-tool variant (usableAsTool) that n8n derives from it.
		expect(types.map((t) => t.name).filter((name) => name.startsWith(PREFIX)).sort()).toEqual(expected.flatMap((name) => [name, `${name}Tool`]).sort());
		const ours = types.filter((t) => expected.includes(t.name));

		await openWorkflow(page, recipes[0].workflow);
		await page.getByTestId('node-creator-plus-button').click();
		await page.getByTestId('node-creator').waitFor({ state: 'visible' });
		const problems: string[] = [];
		const queries = [
			// Each node by its name,
			...ours.map((t) => ({ query: t.displayName, expect: [t.name] })),
			// and by what a marketer types (the codex aliases).
			{ query: 'Marketing', expect: [`${PREFIX}marketingContact`] },
			{ query: 'abandoned cart', expect: [`${PREFIX}campaignSchedule`, `${PREFIX}productBlock`, `${PREFIX}segment`] },
		];
		for (const { query, expect: expected } of queries) {
			await page.getByTestId('node-creator-search-bar').fill(query);
			for (const type of expected) {
				const item = page.locator(`[data-test-id="node-creator"] [data-test-id="item-iterator-item"][data-keyboard-nav-id^="${type}-"]`);
				try {
					await item.first().waitFor({ state: 'visible', timeout: 10_000 });
				} catch {
					problems.push(`node creator: searching "${query}" does not list ${type}`);
					continue;
				}
				// The icon loads after the item appears (slowly on a busy machine): give it up to 10 s.
				const readIcon = () =>
					item.first().evaluate((el: any) => {
						const img = el.querySelector('.n8n-node-icon img');
						return { src: img?.getAttribute('src') ?? null, loaded: !!img && img.complete && img.naturalWidth > 0 };
					});
				let icon = await readIcon();
				for (const until = Date.now() + 10_000; !icon.loaded && Date.now() < until; icon = await readIcon()) await page.waitForTimeout(200);
				if (!icon.src?.startsWith(`/icons/${PACKAGE_NAME}/`) || !icon.loaded) problems.push(`node creator: ${type} shows no package icon (${icon.src ?? 'none'}, loaded: ${icon.loaded})`);
			}
			// Every item's icon in the list has loaded before the screenshot.
			await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('[data-test-id="node-creator"] img')].every((img: any) => img.complete), null, { timeout: 10_000 });
			await shot(page, `node-creator--${slug(query)}`);
		}
		await page.keyboard.press('Escape');
		await page.getByTestId('node-creator').waitFor({ state: 'hidden' });
		expect([...problems, ...consoleProblems(browser!)]).toEqual([]);
	});

	it.each(recipes.map((r) => [r.name, r] as const))('recipe %s: the canvas and the panel of every node of the package', async (_name, recipe) => {
		const t = Date.now();
		await openWorkflow(page, recipe.workflow);
		await shot(page, recipe.name);
		const problems = canvasProblems(await canvasNodes(page), 'light');
		const ours = recipe.workflow.nodes.filter((n) => n.type.startsWith(PREFIX));
		expect(ours.length).toBeGreaterThan(0);
		for (const node of ours) {
			await openNdv(page, node.name);
			problems.push(...(await ndvProblems(page, `"${node.name}" (${node.type})`)));
			await shot(page, `${recipe.name}--${slug(node.name)}`);
			await closeNdv(page);
		}
		console.log(`${recipe.name}: canvas and ${ours.length} panels in ${((Date.now() - t) / 1000).toFixed(1)} s`);
		problems.push(...saves.map((s) => `the editor saved the recipe after its panels were opened (${s}): a panel changed a parameter`));
		expect([...problems, ...consoleProblems(browser!)]).toEqual([]);
	});

	it('shows the dark icons in the dark theme', async () => {
		await page.evaluate(() => (globalThis as any).localStorage.setItem('N8N_THEME', 'dark'));
		try {
			const problems: string[] = [];
			// The theme is read when the editor loads: the first canvas loads it afresh.
			const views = [
				{ recipe: recipes.find((r) => r.name.startsWith('01-'))!, panelOf: `${PREFIX}productBlock`, reload: true },
				{ recipe: recipes.find((r) => r.name.startsWith('06-'))!, panelOf: `${PREFIX}winbackWindow`, reload: false },
			];
			for (const { recipe, panelOf, reload } of views) {
				await openWorkflow(page, recipe.workflow, { reload });
				problems.push(...canvasProblems(await canvasNodes(page), 'dark'));
				await shot(page, `dark--${recipe.name}`);
				const node = recipe.workflow.nodes.find((n) => n.type === panelOf)!;
				await openNdv(page, node.name);
				problems.push(...(await ndvProblems(page, `"${node.name}" (${node.type})`)));
				await shot(page, `dark--${recipe.name}--${slug(node.name)}`);
				await closeNdv(page);
			}
			expect([...problems, ...consoleProblems(browser!)]).toEqual([]);
		} finally {
			await page.evaluate(() => (globalThis as any).localStorage.removeItem('N8N_THEME'));
		}
	});

	it('flags a node that is not installed and a missing required parameter (control for the checks above)', async () => {
		// Loaded afresh: back in the light theme.
		await openWorkflow(page, CONTROL, { reload: true });
		await shot(page, 'control');
		expect(canvasProblems(await canvasNodes(page), 'light')).toEqual([
			`"Not installed (control)" (${PREFIX}notInstalledControl): unknown-node "?" icon`,
			`"Not installed (control)" (${PREFIX}notInstalledControl): not the package's icon (no image)`,
			`"No campaign (control)" (${PREFIX}segment): issue marker on the canvas`,
		]);
		await openNdv(page, 'Not installed (control)');
		expect(await ndvProblems(page, 'control')).toEqual(expect.arrayContaining(['control: panel says "Install this node to use it"']));
		await shot(page, 'control--not-installed');
		await closeNdv(page);
		await openNdv(page, 'No campaign (control)');
		expect(await ndvProblems(page, 'control')).toEqual(['control: parameter issue on "campaign"']);
		await shot(page, 'control--no-campaign');
		await closeNdv(page);
		await openNdv(page, 'Segment (control)');
		expect(await ndvProblems(page, 'control')).toEqual([]);
		await closeNdv(page);
		expect(consoleProblems(browser!)).toEqual([]);
	});
});
