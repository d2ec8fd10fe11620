import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openUncachedStore, type CartEvent, type ContactStore, type StoreConfig } from '../../lib/store';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pgConnection } = require('../../scripts/lib/postgres');

export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: Backend[] = process.env.SKIP_POSTGRES === '1' ? ['sqlite'] : ['sqlite', 'postgres'];

let counter = 0;

/** A fresh, empty store configuration: a new SQLite file, or a new PostgreSQL schema. */
export function freshConfig(backend: Backend): StoreConfig {
	const tag = `${process.pid}_${Date.now().toString(36)}_${counter++}`;
	if (backend === 'sqlite') {
		return { backend: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'ecm-store-')), 'contacts.db') };
	}
	const c = pgConnection();
	return { backend: 'postgres', host: c.host, port: c.port, user: c.user, password: c.password, database: c.database, schema: `t_${tag}`, ssl: 'disable' };
}

export async function freshStore(backend: Backend): Promise<ContactStore> {
	return await openUncachedStore(freshConfig(backend));
}

/** A Shopify checkout of ada@example.com (one Trail shoe, EUR 49.90) started an hour before `at`. */
export function sampleCart(at: number, overrides: Partial<CartEvent> = {}): CartEvent {
	return {
		source: 'shopify',
		cartId: 'chk-1',
		cartToken: 'cart-1',
		contact: { email: 'ada@example.com' },
		items: [{ productId: 'p1', title: 'Trail shoe', quantity: 1, price: 49.9 }],
		value: 49.9,
		currency: 'EUR',
		recoveryUrl: 'https://shop.example.com/recover/chk-1',
		createdAt: at - 3_600_000,
		updatedAt: at - 3_600_000,
		...overrides,
	};
}
