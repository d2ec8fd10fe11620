// Smoke test of the e2e harness with n8n's own nodes only: a real n8n, a webhook-triggered
// workflow that sends an email through the imported SMTP credential, and the SMTP sink.
import { join } from 'node:path';
import { startN8n, type N8nInstance } from '../support/n8nInstance';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSmtpSink } = require('../../scripts/lib/smtpSink');

const WORKFLOW_ID = 'e2eSmokeEmail001';

describe('e2e harness (n8n-nodes-base only)', () => {
	let sink: Awaited<ReturnType<typeof startSmtpSink>>;
	let n8n: N8nInstance | undefined;

	beforeAll(async () => {
		sink = await startSmtpSink({});
		n8n = await startN8n({
			name: 'harness',
			workflows: [join(__dirname, 'workflows', 'smoke-email.json')],
			smtpPort: sink.port,
			installPackage: false,
		});
		console.log(`n8n ${n8n.baseUrl} timings (s): ${JSON.stringify(n8n.timings)}`);
	});

	afterAll(async () => {
		await n8n?.stop();
		await sink?.close();
	});

	it('answers the webhook and delivers the email to the SMTP sink', async () => {
		const since = new Date(Date.now() - 1000);
		const res = await n8n!.webhook('e2e-smoke-email', { email: 'Alice@Example.test', name: 'Alice' });
		expect(res.status).toBe(200);
		// The SMTP client lower-cases the domain part.
		expect(res.body.accepted).toEqual(['Alice@example.test']);

		const mail = await sink.waitFor((m: { to: string[] }) => m.to.includes('alice@example.test'), 10_000);
		expect(mail.to).toEqual(['alice@example.test']);
		expect(mail.from).toBe('shop@example.test');
		expect(mail.subject).toBe('Smoke test for Alice');
		expect(mail.html).toContain('Hello Alice, this is the e2e smoke test.');
		expect(mail.html).not.toContain('sent automatically with');

		const execution = await n8n!.waitForExecution(WORKFLOW_ID, { since });
		expect(execution.status).toBe('success');
		expect(Object.keys(execution.data.resultData.runData)).toEqual(['Webhook', 'Send Email']);
	});

	it('runs other CLI commands while the server is up', async () => {
		const res = await n8n!.cli(['list:workflow']);
		expect(res.code).toBe(0);
		expect(res.stdout).toContain(`${WORKFLOW_ID}|`);
	});

	it('answers 404 for an unknown webhook', async () => {
		const res = await n8n!.webhook('no-such-hook', {});
		expect(res.status).toBe(404);
	});
});
