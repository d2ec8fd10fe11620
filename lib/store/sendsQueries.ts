import { decideSend, type SendContact } from '../domain/sendable';
import type { Dialect, SqlExecutor, SqlValue } from './sql';
import type { SendOutcome, SendRequest } from './types';

/** Requests decided in one transaction (bounded so locks are held briefly and parameter lists stay small). */
export const SEND_BATCH_SIZE = 500;

const HOUR = 3_600_000;

interface SendContactRow {
	id: number;
	email: string;
	status: string;
	suppressed: number;
	suppression_reason: string | null;
	time_zone: string | null;
}

function placeholders(count: number, from = 1): string {
	return Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
}

function claimKey(contactId: number, campaign: string, step: string): string {
	return JSON.stringify([contactId, campaign, step]);
}

/**
 * Decides and claims one batch inside the caller's transaction. The contacts are
 * read first, with FOR UPDATE on PostgreSQL (in id order, so concurrent batches
 * cannot deadlock); SQLite's BEGIN IMMEDIATE already serializes writers. Claims and
 * recent sends are read after the locks are held, so they include everything
 * committed by a run that held them before; requests of the same batch see each
 * other's claims. A request only claims when every check passes.
 */
export async function checkAndClaimSendBatch(tx: SqlExecutor, dialect: Dialect, requests: SendRequest[]): Promise<SendOutcome[]> {
	if (requests.length === 0) return [];
	const emails = [...new Set(requests.map((r) => r.email))];
	const lock = dialect.name === 'postgres' && requests.some((r) => r.claim) ? ' FOR UPDATE' : '';
	const rows = await tx.all<SendContactRow>(
		`SELECT id, email, status, suppressed, suppression_reason, time_zone FROM contacts WHERE email IN (${placeholders(emails.length)}) ORDER BY id${lock}`,
		emails,
	);
	const contacts = new Map(rows.map((row) => [row.email, row]));
	const ids = rows.map((row) => Number(row.id));

	// Earlier claims of the requested steps, one indexed lookup per distinct (campaign, step).
	const claims = new Map<string, number>();
	if (ids.length > 0) {
		const pairs = new Map<string, [string, string]>();
		for (const r of requests) if (contacts.has(r.email)) pairs.set(JSON.stringify([r.campaign, r.step]), [r.campaign, r.step]);
		for (const [campaign, step] of pairs.values()) {
			const found = await tx.all<{ contact_id: number; claimed_at: number }>(
				`SELECT contact_id, claimed_at FROM sends WHERE campaign = $1 AND step = $2 AND contact_id IN (${placeholders(ids.length, 3)})`,
				[campaign, step, ...ids],
			);
			for (const f of found) claims.set(claimKey(Number(f.contact_id), campaign, step), Number(f.claimed_at));
		}
	}

	// Sends that may count towards a frequency cap: newer than the earliest window start asked for.
	const recent = new Map<number, number[]>();
	const capped = requests.filter((r) => r.policy.frequencyCap && contacts.has(r.email));
	if (capped.length > 0) {
		const since = Math.min(...capped.map((r) => r.now - r.policy.frequencyCap!.windowHours * HOUR));
		const found = await tx.all<{ contact_id: number; claimed_at: number }>(
			`SELECT contact_id, claimed_at FROM sends WHERE contact_id IN (${placeholders(ids.length, 2)}) AND claimed_at > $1`,
			[since, ...ids],
		);
		for (const f of found) {
			const id = Number(f.contact_id);
			const list = recent.get(id) ?? [];
			list.push(Number(f.claimed_at));
			recent.set(id, list);
		}
	}

	const outcomes: SendOutcome[] = [];
	const inserts: Array<{ index: number; contactId: number; campaign: string; step: string; at: number }> = [];
	for (const r of requests) {
		const row = contacts.get(r.email);
		const contactId = row ? Number(row.id) : null;
		const contact: SendContact | null = row
			? { status: row.status, suppressed: Number(row.suppressed) === 1, suppressionReason: row.suppression_reason, timeZone: row.time_zone }
			: null;
		const key = contactId === null ? '' : claimKey(contactId, r.campaign, r.step);
		const decision = decideSend(
			contact,
			{ alreadySentAt: claims.get(key) ?? null, recentSends: contactId === null ? [] : (recent.get(contactId) ?? []) },
			r.policy,
			r.now,
			{ campaign: r.campaign, step: r.step },
		);
		const claim = decision.sendable && r.claim && contactId !== null;
		outcomes.push({ ...decision, contactId, claimed: claim, claimedAt: claim ? r.now : null });
		if (claim) {
			claims.set(key, r.now);
			recent.set(contactId, [...(recent.get(contactId) ?? []), r.now]);
			inserts.push({ index: outcomes.length - 1, contactId, campaign: r.campaign, step: r.step, at: r.now });
		}
	}

	if (inserts.length > 0) {
		const values: SqlValue[] = [];
		const tuples = inserts.map((c, i) => {
			values.push(c.contactId, c.campaign, c.step, c.at);
			return `(${placeholders(4, i * 4 + 1)})`;
		});
		const inserted = await tx.all<{ contact_id: number; campaign: string; step: string }>(
			`INSERT INTO sends (contact_id, campaign, step, claimed_at) VALUES ${tuples.join(', ')}
			ON CONFLICT (contact_id, campaign, step) DO NOTHING RETURNING contact_id, campaign, step`,
			values,
		);
		const done = new Set(inserted.map((row) => claimKey(Number(row.contact_id), row.campaign, row.step)));
		// Only reachable if something claimed a send without locking the contact: never report a claim we do not hold.
		for (const c of inserts) {
			if (done.has(claimKey(c.contactId, c.campaign, c.step))) continue;
			const existing = await tx.get<{ claimed_at: number }>(
				'SELECT claimed_at FROM sends WHERE contact_id = $1 AND campaign = $2 AND step = $3',
				[c.contactId, c.campaign, c.step],
			);
			const at = existing ? Number(existing.claimed_at) : c.at;
			outcomes[c.index] = {
				sendable: false,
				reason: 'already_sent',
				reasonText: `Already got step "${c.step}" of campaign "${c.campaign}" (claimed by a concurrent run)`,
				alreadySentAt: at,
				contactId: c.contactId,
				claimed: false,
				claimedAt: null,
			};
		}
	}
	return outcomes;
}

/** Removes one claim; true when there was one. */
export async function releaseSend(tx: SqlExecutor, email: string, campaign: string, step: string): Promise<boolean> {
	const removed = await tx.run(
		'DELETE FROM sends WHERE contact_id = (SELECT id FROM contacts WHERE email = $1) AND campaign = $2 AND step = $3',
		[email, campaign, step],
	);
	return removed > 0;
}
