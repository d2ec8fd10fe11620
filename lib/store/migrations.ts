import { MIGRATION_LOCK_KEY } from './postgresDriver';
import type { Dialect, SqlDriver } from './sql';

/**
 * Versioned schema migrations, applied in order on first use of a store and
 * recorded in schema_migrations. Never edit a released migration: add one.
 * Times are epoch milliseconds (BIGINT), money is double precision in currency units.
 */
export interface Migration {
	version: number;
	name: string;
	up(d: Dialect): string;
}

export const migrations: Migration[] = [
	{
		version: 1,
		name: 'contacts, events, tags, scores, orders, carts, views, visits, engagement, sends, coupons',
		up: (d) => `
CREATE TABLE contacts (
	id ${d.idColumn},
	email TEXT NOT NULL UNIQUE,
	first_name TEXT,
	last_name TEXT,
	phone TEXT,
	birthday TEXT,
	birth_month INTEGER,
	birth_day INTEGER,
	country TEXT,
	region TEXT,
	city TEXT,
	time_zone TEXT,
	locale TEXT,
	status TEXT NOT NULL DEFAULT 'not_subscribed',
	suppressed INTEGER NOT NULL DEFAULT 0,
	suppression_reason TEXT,
	suppressed_at BIGINT,
	consent_at BIGINT,
	signed_up_at BIGINT,
	first_purchase_at BIGINT,
	last_purchase_at BIGINT,
	order_count INTEGER NOT NULL DEFAULT 0,
	total_spent DOUBLE PRECISION NOT NULL DEFAULT 0,
	last_order_value DOUBLE PRECISION,
	currency TEXT,
	last_engagement_at BIGINT,
	last_visit_at BIGINT,
	site_visits INTEGER NOT NULL DEFAULT 0,
	customer_ids TEXT NOT NULL DEFAULT '{}',
	custom TEXT NOT NULL DEFAULT '{}',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_last_purchase ON contacts (last_purchase_at);
CREATE INDEX contacts_last_engagement ON contacts (last_engagement_at);
CREATE INDEX contacts_birthday ON contacts (birth_month, birth_day);
CREATE INDEX contacts_status ON contacts (status, suppressed);
CREATE INDEX contacts_total_spent ON contacts (total_spent);
CREATE INDEX contacts_order_count ON contacts (order_count);

CREATE TABLE processed_events (
	event_key TEXT PRIMARY KEY,
	contact_id ${d.idRef},
	processed_at BIGINT NOT NULL
);

CREATE TABLE orders (
	id ${d.idColumn},
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	source TEXT NOT NULL,
	order_id TEXT NOT NULL,
	order_number TEXT,
	placed_at BIGINT NOT NULL,
	total DOUBLE PRECISION NOT NULL,
	currency TEXT NOT NULL,
	status TEXT,
	financial_status TEXT,
	fulfillment_status TEXT,
	checkout_token TEXT,
	cart_token TEXT,
	counted INTEGER NOT NULL DEFAULT 1,
	updated_at BIGINT NOT NULL,
	UNIQUE (source, order_id)
);
CREATE INDEX orders_contact ON orders (contact_id, placed_at);
CREATE INDEX orders_checkout ON orders (checkout_token);

CREATE TABLE order_items (
	order_pk ${d.idRef} NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
	contact_id ${d.idRef} NOT NULL,
	line INTEGER NOT NULL,
	product_id TEXT,
	variant_id TEXT,
	sku TEXT,
	title TEXT NOT NULL,
	variant_title TEXT,
	quantity INTEGER NOT NULL,
	price DOUBLE PRECISION NOT NULL,
	product_type TEXT,
	vendor TEXT,
	tags TEXT,
	image_url TEXT,
	url TEXT,
	PRIMARY KEY (order_pk, line)
);
CREATE INDEX order_items_product ON order_items (product_id);
CREATE INDEX order_items_contact ON order_items (contact_id);
CREATE INDEX order_items_sku ON order_items (sku);

CREATE TABLE carts (
	id ${d.idColumn},
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	source TEXT NOT NULL,
	cart_id TEXT NOT NULL,
	cart_token TEXT,
	value DOUBLE PRECISION NOT NULL,
	currency TEXT NOT NULL,
	recovery_url TEXT,
	items TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	converted_at BIGINT,
	order_id TEXT,
	UNIQUE (source, cart_id)
);
CREATE INDEX carts_contact ON carts (contact_id);
CREATE INDEX carts_open ON carts (converted_at, updated_at);
CREATE INDEX carts_token ON carts (cart_token);

CREATE TABLE product_views (
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	product_id TEXT NOT NULL,
	title TEXT,
	product_type TEXT,
	url TEXT,
	image_url TEXT,
	price DOUBLE PRECISION,
	view_count INTEGER NOT NULL DEFAULT 0,
	first_viewed_at BIGINT NOT NULL,
	last_viewed_at BIGINT NOT NULL,
	PRIMARY KEY (contact_id, product_id)
);
CREATE INDEX product_views_product ON product_views (product_id, last_viewed_at);

CREATE TABLE product_view_events (
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	product_id TEXT NOT NULL,
	viewed_at BIGINT NOT NULL
);
CREATE INDEX product_view_events_contact ON product_view_events (contact_id, product_id, viewed_at);

CREATE TABLE page_visits (
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	url TEXT NOT NULL,
	visited_at BIGINT NOT NULL
);
CREATE INDEX page_visits_contact ON page_visits (contact_id, visited_at);

CREATE TABLE engagement_events (
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	type TEXT NOT NULL,
	occurred_at BIGINT NOT NULL,
	provider TEXT,
	campaign TEXT,
	url TEXT,
	reason TEXT
);
CREATE INDEX engagement_events_contact ON engagement_events (contact_id, occurred_at);

CREATE TABLE contact_tags (
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	tag TEXT NOT NULL,
	added_at BIGINT NOT NULL,
	expires_at BIGINT,
	PRIMARY KEY (contact_id, tag)
);
CREATE INDEX contact_tags_tag ON contact_tags (tag, contact_id);

CREATE TABLE contact_scores (
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	points DOUBLE PRECISION NOT NULL DEFAULT 0,
	tier TEXT,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (contact_id, name)
);
CREATE INDEX contact_scores_name ON contact_scores (name, points);

CREATE TABLE score_awards (
	id ${d.idColumn},
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	points DOUBLE PRECISION NOT NULL,
	reason TEXT,
	awarded_at BIGINT NOT NULL,
	expires_at BIGINT
);
CREATE INDEX score_awards_contact ON score_awards (contact_id, name);
CREATE INDEX score_awards_expiry ON score_awards (expires_at);

CREATE TABLE sends (
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	campaign TEXT NOT NULL,
	step TEXT NOT NULL,
	claimed_at BIGINT NOT NULL,
	PRIMARY KEY (contact_id, campaign, step)
);
CREATE INDEX sends_recent ON sends (contact_id, claimed_at);

CREATE TABLE coupons (
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	campaign TEXT NOT NULL,
	code TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	expires_at BIGINT,
	PRIMARY KEY (contact_id, campaign)
);
`,
	},
	{
		version: 2,
		name: 'tags and scores: score expiry, thresholds, award-rule state, sweep marks',
		up: (d) => `
ALTER TABLE contact_scores ADD COLUMN next_expiry_at BIGINT;
CREATE INDEX contact_scores_expiry ON contact_scores (next_expiry_at);
CREATE INDEX contact_scores_name_contact ON contact_scores (name, contact_id);
CREATE INDEX contacts_last_visit ON contacts (last_visit_at);
CREATE INDEX contacts_signed_up ON contacts (signed_up_at);

CREATE TABLE score_thresholds (
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	trigger_key TEXT NOT NULL,
	threshold DOUBLE PRECISION NOT NULL,
	armed INTEGER NOT NULL DEFAULT 1,
	crossed_at BIGINT,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (contact_id, name, trigger_key)
);

CREATE TABLE score_rule_state (
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	rule_key TEXT NOT NULL,
	anchor_at BIGINT,
	counted DOUBLE PRECISION NOT NULL DEFAULT 0,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (contact_id, name, rule_key)
);

CREATE TABLE sweep_marks (
	sweep TEXT PRIMARY KEY,
	covered_contact_id BIGINT NOT NULL DEFAULT 0,
	updated_at BIGINT NOT NULL
);
`,
	},
	{
		version: 3,
		name: 'segments: customer indexes for RFM cut values, open carts per contact',
		// RFM ranks every customer (order_count > 0) by recency and by spend: these partial
		// indexes make each ranking one ordered index scan (frequency uses contacts_order_count).
		// Segment rules on abandoned carts look up one contact's open carts in a time window.
		up: () => `
CREATE INDEX contacts_customer_recency ON contacts (last_purchase_at) WHERE order_count > 0;
CREATE INDEX contacts_customer_spent ON contacts (total_spent) WHERE order_count > 0;
CREATE INDEX carts_contact_open ON carts (contact_id, converted_at, updated_at);
`,
	},
	{
		version: 4,
		name: 'product block: order_items indexes for bought-together recommendations',
		// Bought together (lib/store/productQueries.ts): the latest orders of a product
		// (walked backwards), the products of an order (covering), and a contact's own
		// purchases (covering, for leaving them out).
		up: () => `
CREATE INDEX order_items_product_order ON order_items (product_id, order_pk);
CREATE INDEX order_items_order_product ON order_items (order_pk, product_id);
CREATE INDEX order_items_contact_product ON order_items (contact_id, product_id, order_pk);
`,
	},
	{
		version: 5,
		name: 'due steps: step claims per anchor, drip enrollments, win-back and anniversary indexes',
		// step_claims is written in bulk by the sweeps: no foreign key (erasure deletes its rows
		// by contact_id), and its key holds the contact as `contact_id + 0` so that the sweeps'
		// probes can only go through it, in anchor order (see lib/store/dueStepQueries.ts).
		// The win-back indexes are partial (suppressed = 0), led by the anchor: they serve the
		// sweeps' anchor ranges as covering indexes and nothing else.
		up: (d) => `
CREATE TABLE step_claims (
	contact_id ${d.idRef} NOT NULL,
	campaign TEXT NOT NULL,
	anchor_key BIGINT NOT NULL,
	step_index INTEGER NOT NULL,
	step TEXT NOT NULL,
	claimed_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX step_claims_key ON step_claims (campaign, anchor_key, (contact_id + 0), step_index)${d.name === 'postgres' ? ' INCLUDE (contact_id)' : ''};
CREATE INDEX step_claims_contact ON step_claims (contact_id);

CREATE TABLE drip_enrollments (
	contact_id ${d.idRef} NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	campaign TEXT NOT NULL,
	enrolled_at BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (contact_id, campaign)
);
CREATE INDEX drip_enrollments_due ON drip_enrollments (campaign, enrolled_at, contact_id);

CREATE INDEX contacts_winback_purchase ON contacts (last_purchase_at, id) WHERE suppressed = 0;
CREATE INDEX contacts_winback_engagement ON contacts (last_engagement_at, id) WHERE suppressed = 0;
CREATE INDEX contacts_signup_day ON contacts (${
			d.name === 'sqlite'
				? `(CAST(strftime('%m%d', signed_up_at / 1000, 'unixepoch') AS INTEGER))`
				: `(((extract(month from (to_timestamp(signed_up_at / 1000.0) at time zone 'UTC')) * 100 + extract(day from (to_timestamp(signed_up_at / 1000.0) at time zone 'UTC')))::integer))`
		});
`,
	},
	{
		version: 7,
		name: 'store settings (the link-signing secret of unsubscribe links)',
		up: () => `
CREATE TABLE store_settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
`,
	},
	{
		version: 8,
		name: 'product block: product views with an image or link, per product',
		// Bought together fills a missing image or link from the latest view of the product
		// that has one. Through product_views_product that read walks every view of the
		// product when none has one (thousands per popular product in a large store); this
		// partial index holds only views that do, so it is one probe either way.
		up: () => `
CREATE INDEX product_views_product_media ON product_views (product_id, last_viewed_at) WHERE image_url IS NOT NULL OR url IS NOT NULL;
`,
	},
	{
		version: 9,
		name: 'orders: the store\'s own last-change time of each order (out-of-order webhooks)',
		// Order webhooks arrive out of order (most of all with queue-mode workers): an event whose
		// updated_at / date_modified is older than the recorded one changes nothing. NULL: unknown
		// (orders recorded before, or from events without such a time), so the next event applies.
		up: () => `
ALTER TABLE orders ADD COLUMN source_updated_at BIGINT;
`,
	},
];

export const LATEST_SCHEMA_VERSION = migrations[migrations.length - 1].version;

/**
 * Applies every pending migration. Safe to call from several processes at once:
 * each migration runs in a transaction that first takes the migrations lock.
 */
export async function migrate(driver: SqlDriver): Promise<number[]> {
	const createTable = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)';
	if (driver.dialect.name === 'postgres') {
		// CREATE TABLE IF NOT EXISTS is not safe when several workers start at once on an empty
		// schema: serialize it with a transaction-scoped advisory lock.
		await driver.transaction(async (tx) => {
			await tx.get(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
			await tx.run(createTable);
		});
	} else {
		await driver.exec(createTable);
	}
	const applied: number[] = [];
	for (const migration of migrations) {
		const done = await driver.transaction(async (tx) => {
			if (driver.dialect.name === 'postgres') {
				// Serializes concurrent first starts of several n8n workers.
				await tx.run('LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
			}
			const row = await tx.get('SELECT version FROM schema_migrations WHERE version = $1', [migration.version]);
			if (row) return false;
			for (const statement of splitStatements(migration.up(driver.dialect))) await tx.run(statement);
			await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
				migration.version,
				migration.name,
				Date.now(),
			]);
			return true;
		});
		if (done) applied.push(migration.version);
	}
	return applied;
}

function splitStatements(script: string): string[] {
	return script
		.split(/;\s*\n/)
		.map((s) => s.trim())
		.filter(Boolean);
}
