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
