import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ICredentialTestFunctions } from 'n8n-workflow';
import { LATEST_SCHEMA_VERSION } from '../../lib/store';
import { MarketingContact } from '../../nodes/MarketingContact/MarketingContact.node';
import { MarketingContactStoreApi } from '../../credentials/MarketingContactStoreApi.credentials';
import { toCredential } from '../support/engine';
import { BACKENDS, freshConfig, type Backend } from '../support/stores';

const node = new MarketingContact();
const credentialTest = node.methods.credentialTest.marketingContactStoreTest;
const ctx = {} as ICredentialTestFunctions;

describe('Marketing Contact Store credential', () => {
	it('is the credential the node asks for, tested by the node', () => {
		const credential = new MarketingContactStoreApi();
		expect(node.description.credentials).toEqual([{ name: credential.name, required: false, testedBy: 'marketingContactStoreTest' }]);
		expect(credential.properties.find((p) => p.name === 'password')?.typeOptions?.password).toBe(true);
	});

	it.each(BACKENDS)('its test connects to a working %s store and applies the schema', async (backend: Backend) => {
		const result = await credentialTest.call(ctx, { id: '1', name: 'store', type: 'marketingContactStoreApi', data: toCredential(freshConfig(backend)) });
		expect(result.status).toBe('OK');
		expect(result.message).toMatch(backend === 'sqlite' ? /^Connected to SQLite file .*contacts\.db, schema version (\d+)$/ : /^Connected to PostgreSQL postgres@127\.0\.0\.1:\d+\/postgres \(schema t_.*\), schema version (\d+)$/);
		expect(Number(/schema version (\d+)$/.exec(String(result.message))![1])).toBe(LATEST_SCHEMA_VERSION);
	});

	it('its test says what failed for a wrong password', async () => {
		if (!BACKENDS.includes('postgres')) return;
		const data = { ...toCredential(freshConfig('postgres')), password: 'wrong' };
		const result = await credentialTest.call(ctx, { id: '1', name: 'store', type: 'marketingContactStoreApi', data });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/password authentication failed/);
	});

	it('its test says what failed for an unwritable SQLite path', async () => {
		// A folder cannot be created under a file (even as root).
		const file = join(mkdtempSync(join(tmpdir(), 'ecm-cred-')), 'not-a-folder');
		writeFileSync(file, '');
		const sqlitePath = join(file, 'contacts.db');
		const result = await credentialTest.call(ctx, { id: '1', name: 'store', type: 'marketingContactStoreApi', data: { backend: 'sqlite', sqlitePath } });
		expect(result.status).toBe('Error');
		expect(result.message).toContain(`Could not open SQLite file ${sqlitePath}: `);
	});
});
