import { openUncachedStore } from '../../lib/store';
import { BACKENDS, freshConfig, type Backend } from '../support/stores';

describe.each(BACKENDS)('store settings on %s', (backend: Backend) => {
	it('creates one link secret and every connection to the store sees the same one', async () => {
		const config = freshConfig(backend);
		const a = await openUncachedStore(config);
		const b = await openUncachedStore(config);
		try {
			const [first, second] = await Promise.all([a.getLinkSecret(), b.getLinkSecret()]);
			expect(first).toMatch(/^[0-9a-f]{64}$/);
			expect(second).toBe(first);
			expect(await a.getLinkSecret()).toBe(first);
		} finally {
			await a.close();
			await b.close();
		}
		const other = await openUncachedStore(freshConfig(backend));
		try {
			expect(await other.getLinkSecret()).not.toBe(await (async () => {
				const again = await openUncachedStore(config);
				try {
					return await again.getLinkSecret();
				} finally {
					await again.close();
				}
			})());
		} finally {
			await other.close();
		}
	});
});

// Several n8n workers starting at once on an empty PostgreSQL schema. (SQLite serves one n8n
// process: each process opens the file once; the end-to-end suite runs n8n and its CLI on one file.)
describe.each(BACKENDS.filter((b) => b === 'postgres'))('first start of several workers on one empty %s store', (backend: Backend) => {
	it('migrates once and every opener gets a working store', async () => {
		const config = freshConfig(backend);
		const stores = await Promise.all(Array.from({ length: 6 }, () => openUncachedStore(config)));
		try {
			await Promise.all(stores.map((s, i) => s.upsertProfile({ email: `w${i}@example.com` })));
			for (const s of stores) expect(await s.getContact('w5@example.com')).not.toBeNull();
		} finally {
			await Promise.all(stores.map((s) => s.close()));
		}
	});
});
