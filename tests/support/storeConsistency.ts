/**
 * Is a contact store consistent? Reads every table of a (small, test) store with plain SQL and
 * returns what is wrong, in words; an empty list means consistent:
 * - every table of the schema exists (a payload did not drop one) and the schema is current;
 * - each contact's purchase figures equal what its counted orders say (count, sum, first and
 *   last date, last order value), and its site visits equal its page visits;
 * - no row points to a contact or order that does not exist;
 * - stored values are sane: normalized valid emails, finite non-negative money, whole
 *   quantities, lower-case tags, JSON columns that parse (and, on PostgreSQL, cast to jsonb),
 *   custom fields without prototype keys, only http(s) links, no NUL or lone surrogate in text.
 */
import { existsSync } from 'node:fs';
import { isValidEmail, normalizeEmail } from '../../lib/domain/email';
import { LATEST_SCHEMA_VERSION, openUncachedStore, type StoreConfig } from '../../lib/store';
import { migrations } from '../../lib/store/migrations';
import { PostgresDriver } from '../../lib/store/postgresDriver';
import { postgresDialect, sqliteDialect, type SqlDriver } from '../../lib/store/sql';
import { SqliteDriver } from '../../lib/store/sqliteDriver';

type Row = Record<string, unknown>;

/** The tables the migrations create, for this backend, in the order they are created. */
export function schemaTables(backend: 'sqlite' | 'postgres'): string[] {
	const dialect = backend === 'sqlite' ? sqliteDialect : postgresDialect;
	const tables = new Set<string>(['schema_migrations']);
	for (const m of migrations) for (const match of m.up(dialect).matchAll(/CREATE TABLE(?: IF NOT EXISTS)? (\w+)/g)) tables.add(match[1]);
	return [...tables];
}

/** The store's database, opened raw (a SQLite file no node opened yet is first created as the nodes would). */
async function openDriver(config: StoreConfig): Promise<SqlDriver> {
	if (config.backend === 'postgres') return new PostgresDriver(config);
	if (!existsSync(config.path)) await (await openUncachedStore(config)).close();
	return new SqliteDriver(config.path);
}

/** The tables of the schema that exist (PostgreSQL: looked up by name, not by scanning the catalog of a busy server). */
async function existingTables(db: SqlDriver): Promise<string[]> {
	if (db.dialect.name === 'sqlite') return (await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r.name);
	const tables = schemaTables('postgres');
	const rows = await db.all<{ name: string }>(
		`SELECT t AS name FROM unnest($1::text[]) t WHERE to_regclass(quote_ident(current_schema()) || '.' || quote_ident(t)) IS NOT NULL`,
		[`{${tables.join(',')}}`],
	);
	return rows.map((r) => r.name);
}

/** The tables of the schema with a contact_id column. */
async function tablesWithContactId(db: SqlDriver): Promise<string[]> {
	if (db.dialect.name === 'sqlite') {
		const rows = await db.all<{ t: string }>("SELECT m.name AS t FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = 'contact_id'");
		return rows.map((r) => r.t);
	}
	const rows = await db.all<{ t: string }>(
		`SELECT t FROM unnest($1::text[]) t WHERE EXISTS (SELECT 1 FROM pg_attribute a
			WHERE a.attrelid = to_regclass(quote_ident(current_schema()) || '.' || quote_ident(t)) AND a.attname = 'contact_id' AND NOT a.attisdropped)`,
		[`{${schemaTables('postgres').join(',')}}`],
	);
	return rows.map((r) => r.t);
}

/** Row counts of every table of the schema (to compare a store with another). */
export async function tableCounts(config: StoreConfig): Promise<Record<string, number>> {
	const db = await openDriver(config);
	try {
		const tables = schemaTables(db.dialect.name);
		const rows = await db.all<{ t: string; n: number }>(tables.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t}`).join(' UNION ALL '));
		return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
	} finally {
		await db.close();
	}
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

function reservedKeyIn(value: unknown, depth = 0): string | undefined {
	if (depth > 20 || value === null || typeof value !== 'object') return undefined;
	if (Array.isArray(value)) {
		for (const v of value) {
			const found = reservedKeyIn(v, depth + 1);
			if (found) return found;
		}
		return undefined;
	}
	for (const key of Object.keys(value)) {
		if (RESERVED.has(key)) return key;
		const found = reservedKeyIn((value as Row)[key], depth + 1);
		if (found) return found;
	}
	return undefined;
}

function parseJsonColumn(text: unknown): { ok: boolean; value?: unknown } {
	if (text === null || text === undefined) return { ok: true, value: null };
	try {
		return { ok: true, value: JSON.parse(String(text)) };
	} catch {
		return { ok: false };
	}
}

/** Everything wrong with the store, in words (empty: consistent). */
export async function storeProblems(config: StoreConfig): Promise<string[]> {
	const db = await openDriver(config);
	const problems: string[] = [];
	const problem = (text: string) => {
		if (problems.length < 50) problems.push(text);
	};
	try {
		// ---- schema
		const present = new Set(await existingTables(db));
		for (const table of schemaTables(db.dialect.name)) if (!present.has(table)) problem(`table ${table} is missing`);
		if (problems.length > 0) return problems;
		const version = Number((await db.get<{ v: number }>('SELECT max(version) AS v FROM schema_migrations'))!.v);
		if (version !== LATEST_SCHEMA_VERSION) problem(`schema version is ${version}, expected ${LATEST_SCHEMA_VERSION}`);

		// ---- text everywhere: no NUL, no lone surrogate
		for (const table of schemaTables(db.dialect.name)) {
			for (const row of await db.all<Row>(`SELECT * FROM ${table}`)) {
				for (const [column, value] of Object.entries(row)) {
					if (typeof value === 'string' && BAD_TEXT.test(value)) problem(`${table}.${column} holds a NUL or a lone surrogate: ${JSON.stringify(value.slice(0, 40))}`);
				}
			}
		}

		// ---- contacts and their figures
		const contacts = await db.all<Row>('SELECT * FROM contacts ORDER BY id');
		const contactIds = new Set(contacts.map((c) => Number(c.id)));
		const orders = await db.all<Row>('SELECT * FROM orders ORDER BY id');
		const orderById = new Map(orders.map((o) => [Number(o.id), o]));
		const visits = await db.all<{ contact_id: number; n: number }>('SELECT contact_id, count(*) AS n FROM page_visits GROUP BY contact_id');
		const visitCount = new Map(visits.map((v) => [Number(v.contact_id), Number(v.n)]));
		for (const c of contacts) {
			const id = Number(c.id);
			const email = String(c.email);
			const who = `contact ${email}`;
			if (normalizeEmail(email) !== email || !isValidEmail(email)) problem(`${who}: the email is not normalized and valid`);
			const counted = orders.filter((o) => Number(o.contact_id) === id && Number(o.counted) === 1);
			const spent = round2(counted.reduce((sum, o) => sum + Number(o.total), 0));
			if (Number(c.order_count) !== counted.length) problem(`${who}: order_count ${c.order_count}, but ${counted.length} counted orders`);
			if (!Number.isFinite(Number(c.total_spent)) || Math.abs(Number(c.total_spent) - spent) > 0.005) problem(`${who}: total_spent ${c.total_spent}, but the counted orders add up to ${spent}`);
			const times = counted.map((o) => Number(o.placed_at));
			const first = times.length ? Math.min(...times) : null;
			const last = times.length ? Math.max(...times) : null;
			if ((c.first_purchase_at === null ? null : Number(c.first_purchase_at)) !== first) problem(`${who}: first_purchase_at ${c.first_purchase_at}, expected ${first}`);
			if ((c.last_purchase_at === null ? null : Number(c.last_purchase_at)) !== last) problem(`${who}: last_purchase_at ${c.last_purchase_at}, expected ${last}`);
			const latest = [...counted].sort((a, b) => Number(b.placed_at) - Number(a.placed_at) || Number(b.id) - Number(a.id))[0];
			const lastValue = latest ? Number(latest.total) : null;
			if ((c.last_order_value === null ? null : Number(c.last_order_value)) !== lastValue) problem(`${who}: last_order_value ${c.last_order_value}, expected ${lastValue}`);
			if (Number(c.site_visits) !== (visitCount.get(id) ?? 0)) problem(`${who}: site_visits ${c.site_visits}, but ${visitCount.get(id) ?? 0} page visits`);
			for (const column of ['custom', 'customer_ids']) {
				const parsed = parseJsonColumn(c[column]);
				if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) problem(`${who}: ${column} is not a JSON object`);
				else {
					const key = reservedKeyIn(parsed.value);
					if (key) problem(`${who}: ${column} holds the key "${key}"`);
				}
			}
		}

		// ---- orders, line items, carts
		for (const o of orders) {
			const who = `order ${o.source}/${String(o.order_id).slice(0, 40)}`;
			if (!contactIds.has(Number(o.contact_id))) problem(`${who}: its contact does not exist`);
			if (!Number.isFinite(Number(o.total)) || Number(o.total) < 0) problem(`${who}: total ${o.total}`);
			if (!/^[A-Z]{3}$/.test(String(o.currency))) problem(`${who}: currency ${JSON.stringify(o.currency)}`);
		}
		for (const item of await db.all<Row>('SELECT * FROM order_items')) {
			const order = orderById.get(Number(item.order_pk));
			const who = `order item ${item.order_pk}/${item.line}`;
			if (!order) problem(`${who}: its order does not exist`);
			else if (Number(order.contact_id) !== Number(item.contact_id)) problem(`${who}: contact ${item.contact_id}, its order's is ${order.contact_id}`);
			if (!Number.isFinite(Number(item.price)) || Number(item.price) < 0) problem(`${who}: price ${item.price}`);
			if (!Number.isInteger(Number(item.quantity)) || Number(item.quantity) < 1 || Number(item.quantity) > 100000) problem(`${who}: quantity ${item.quantity}`);
			const tags = parseJsonColumn(item.tags);
			if (!tags.ok || (tags.value !== null && !(Array.isArray(tags.value) && tags.value.every((t) => typeof t === 'string')))) problem(`${who}: tags are not a JSON list of text`);
			for (const column of ['image_url', 'url']) if (item[column] !== null && !/^https?:\/\//.test(String(item[column]))) problem(`${who}: ${column} is not an http(s) link`);
		}
		for (const cart of await db.all<Row>('SELECT * FROM carts')) {
			const who = `cart ${String(cart.cart_id).slice(0, 40)}`;
			if (!contactIds.has(Number(cart.contact_id))) problem(`${who}: its contact does not exist`);
			if (!Number.isFinite(Number(cart.value)) || Number(cart.value) < 0) problem(`${who}: value ${cart.value}`);
			const items = parseJsonColumn(cart.items);
			if (!items.ok || !Array.isArray(items.value)) problem(`${who}: items are not a JSON list`);
			if (cart.recovery_url !== null && !/^https?:\/\//.test(String(cart.recovery_url))) problem(`${who}: recovery_url is not an http(s) link`);
		}
		for (const view of await db.all<Row>('SELECT * FROM product_views')) {
			for (const column of ['image_url', 'url']) if (view[column] !== null && !/^https?:\/\//.test(String(view[column]))) problem(`product view ${view.product_id}: ${column} is not an http(s) link`);
		}

		// ---- references to contacts (every table with a contact_id column)
		const referencing = (await tablesWithContactId(db)).filter((t) => t !== 'contacts' && t !== 'processed_events');
		if (referencing.length > 0) {
			const orphans = await db.all<{ t: string; n: number }>(
				referencing
					.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t} x WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = x.contact_id)`)
					.join(' UNION ALL '),
			);
			for (const o of orphans) if (Number(o.n) > 0) problem(`${o.t}: ${o.n} rows of contacts that do not exist`);
		}
		const lost = await db.get<{ n: number }>(
			'SELECT count(*) AS n FROM processed_events p WHERE p.contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = p.contact_id)',
		);
		if (Number(lost!.n) > 0) problem(`processed_events: ${lost!.n} keys of contacts that do not exist`);

		// ---- tags: stored lower-case and trimmed
		for (const t of await db.all<{ tag: string }>('SELECT tag FROM contact_tags')) {
			if (t.tag !== t.tag.trim().replace(/\s+/g, ' ').toLowerCase() || t.tag === '') problem(`tag ${JSON.stringify(t.tag)} is not normalized`);
		}

		// ---- JSON columns as the segment queries read them
		const jsonColumns: Array<[string, string]> = [
			['contacts', 'custom'],
			['contacts', 'customer_ids'],
			['order_items', 'tags'],
			['carts', 'items'],
		];
		for (const [table, column] of jsonColumns) {
			const sql =
				db.dialect.name === 'postgres'
					? `SELECT count(*) AS n FROM ${table} WHERE ${column} IS NOT NULL AND jsonb_typeof(${column}::jsonb) IS NULL`
					: `SELECT count(*) AS n FROM ${table} WHERE ${column} IS NOT NULL AND NOT json_valid(${column})`;
			try {
				const bad = await db.get<{ n: number }>(sql);
				if (Number(bad!.n) > 0) problem(`${table}.${column}: ${bad!.n} values are not valid JSON`);
			} catch (error) {
				problem(`${table}.${column} cannot be read as JSON: ${(error as Error).message}`);
			}
		}
		return problems;
	} finally {
		await db.close();
	}
}
