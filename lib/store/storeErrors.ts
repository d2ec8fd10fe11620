/**
 * The store cannot be reached (PostgreSQL down, restarting, unreachable, out of connections).
 * Nothing of the failed call was committed unless the connection broke during COMMIT; every
 * event write claims its event key in the same transaction, so running the item again is safe.
 */
export class StoreUnavailableError extends Error {
	/** What happened, in words (no error codes: n8n replaces a message naming one with a generic text). */
	readonly reason: string;

	constructor(
		/** Where the store is, e.g. "PostgreSQL at db.example.com:5432, database n8n". */
		readonly where: string,
		/** The driver's own message, e.g. "connect ECONNREFUSED 127.0.0.1:5432". */
		readonly detail: string,
		/** What to check. */
		readonly hint: string,
		readonly code?: string,
	) {
		const reason = connectionFailureReason(code, detail);
		super(`The contact store (${where}) is unreachable: ${reason}`);
		this.name = 'StoreUnavailableError';
		this.reason = reason;
	}
}

/** A connection failure in words, from the error's code or pg's message. */
export function connectionFailureReason(code: string | undefined, message: string): string {
	switch (code) {
		case 'ECONNREFUSED':
			return 'connection refused (is the server running?)';
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return 'host name not found';
		case 'EHOSTUNREACH':
		case 'EHOSTDOWN':
		case 'ENETUNREACH':
		case 'ENETDOWN':
			return 'no route to the host';
		case 'ETIMEDOUT':
			return 'the connection timed out';
		case '57P01':
		case '57P02':
			return 'the server was shut down or restarted';
		case '57P03':
			return 'the server is starting up, shutting down or in recovery';
		case '53300':
			return 'the server has no free connection slot';
		default:
			if (/timeout exceeded when trying to connect|connection timeout/i.test(message)) return 'no connection within the connection timeout';
			return 'the connection was lost';
	}
}

/** Socket-level failures of a connection (refused, reset, timed out, host unknown or unreachable). */
const SOCKET_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ECONNABORTED',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'EHOSTDOWN',
	'ENETUNREACH',
	'ENETDOWN',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EPIPE',
]);

/**
 * PostgreSQL SQLSTATEs that mean "the server is not available right now": class 08 (connection
 * exception), 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up,
 * shutting down, in recovery), 53300 too many connections.
 */
const SERVER_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;

/** pg's own messages for a connection that is gone or could not be made in time. */
const PG_CONNECTION_MESSAGES = [
	/Connection terminated/i,
	/timeout exceeded when trying to connect/i,
	/Client has encountered a connection error and is not queryable/i,
	/Client was closed and is not queryable/i,
];

/** Whether an error from the PostgreSQL driver means the server could not be reached (vs. a SQL or data error). */
export function isConnectionError(error: unknown): boolean {
	if (!error || typeof error !== 'object') return false;
	const { code, message } = error as { code?: unknown; message?: unknown };
	if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_UNAVAILABLE.test(code))) return true;
	return typeof message === 'string' && PG_CONNECTION_MESSAGES.some((re) => re.test(message));
}
