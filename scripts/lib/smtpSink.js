'use strict';
// An SMTP sink for tests and local runs: accepts every message on 127.0.0.1 (no TLS, no
// auth needed), parses it just enough (addresses, subject, decoded text/html parts) and
// keeps it in memory.
const { SMTPServer } = require('smtp-server');

// ---- minimal MIME parsing (RFC 5322 headers, RFC 2045 encodings, RFC 2047 words, multipart) ----

function splitHeadBody(raw) {
	const match = /\r?\n\r?\n/.exec(raw);
	if (!match) return { head: raw, body: '' };
	return { head: raw.slice(0, match.index), body: raw.slice(match.index + match[0].length) };
}

/** Header names lower-cased → unfolded values (the first occurrence wins; `received` etc. are not needed). */
function parseHeaders(head) {
	const headers = {};
	for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
		const colon = line.indexOf(':');
		if (colon <= 0) continue;
		const name = line.slice(0, colon).trim().toLowerCase();
		if (!(name in headers)) headers[name] = line.slice(colon + 1).trim();
	}
	return headers;
}

/** `text/html; charset=utf-8; boundary="x"` → { value: 'text/html', params: { charset, boundary } }. */
function parseHeaderValue(value = '') {
	const [first, ...rest] = value.split(';');
	const params = {};
	for (const part of rest) {
		const eq = part.indexOf('=');
		if (eq < 0) continue;
		params[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
	}
	return { value: first.trim().toLowerCase(), params };
}

function charsetOf(name) {
	const cs = (name || 'utf-8').toLowerCase();
	return cs === 'utf8' || cs === 'us-ascii' || cs === 'ascii' ? 'utf-8' : cs;
}

function decodeBytes(bytes, charset) {
	try {
		return new TextDecoder(charsetOf(charset)).decode(bytes);
	} catch {
		return Buffer.from(bytes).toString('latin1');
	}
}

/** Quoted-printable → bytes. */
function decodeQuotedPrintable(text) {
	const softBreaksRemoved = text.replace(/=\r?\n/g, '');
	const bytes = [];
	for (let i = 0; i < softBreaksRemoved.length; i++) {
		const c = softBreaksRemoved[i];
		if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(softBreaksRemoved.slice(i + 1, i + 3))) {
			bytes.push(parseInt(softBreaksRemoved.slice(i + 1, i + 3), 16));
			i += 2;
		} else {
			bytes.push(...Buffer.from(c, 'latin1'));
		}
	}
	return Buffer.from(bytes);
}

function decodeTransfer(body, encoding = '') {
	switch (encoding.trim().toLowerCase()) {
		case 'base64':
			return Buffer.from(body.replace(/\s+/g, ''), 'base64');
		case 'quoted-printable':
			return decodeQuotedPrintable(body);
		default:
			return Buffer.from(body, 'latin1');
	}
}

/** RFC 2047 encoded words (`=?utf-8?Q?...?=`, `=?utf-8?B?...?=`) in a header value. */
function decodeWords(value = '') {
	return value
		.replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?[^?]+\?[QqBb]\?[^?]*\?=)/g, '$1')
		.replace(/=\?([^?*]+)(?:\*[^?]*)?\?([QqBb])\?([^?]*)\?=/g, (_, charset, kind, text) => {
			const bytes = kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text.replace(/_/g, ' '));
			return decodeBytes(bytes, charset);
		});
}

/** Addresses in a header (`"Name" <a@b>, c@d`) → ['a@b', 'c@d']. */
function addressesOf(value = '') {
	const found = decodeWords(value).match(/[^\s<>",;:]+@[^\s<>",;:]+/g);
	return found ? found.map((a) => a.toLowerCase()) : [];
}

/** Walks a MIME entity: collects the first text/plain and text/html bodies and the attachments. */
function walk(raw, out, depth = 0) {
	const { head, body } = splitHeadBody(raw);
	const headers = parseHeaders(head);
	const type = parseHeaderValue(headers['content-type'] || 'text/plain');
	const disposition = parseHeaderValue(headers['content-disposition']);
	if (type.value.startsWith('multipart/') && type.params.boundary && depth < 10) {
		const delimiter = `--${type.params.boundary}`;
		const parts = body.split(new RegExp(`(?:^|\\r?\\n)${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*(?=\\r?\\n|$)`));
		// parts[0] is the preamble; the last one is the epilogue when the closing delimiter is there.
		const closed = body.includes(`${delimiter}--`);
		for (const part of parts.slice(1, closed ? -1 : undefined)) walk(part.replace(/^\r?\n/, ''), out, depth + 1);
		return;
	}
	const bytes = decodeTransfer(body, headers['content-transfer-encoding']);
	const isAttachment = disposition.value === 'attachment' || (!type.value.startsWith('text/') && type.value !== 'message/rfc822');
	if (isAttachment) {
		out.attachments.push({ contentType: type.value, filename: decodeWords(disposition.params.filename || type.params.name || ''), size: bytes.length, content: bytes });
	} else if (type.value === 'text/html' && out.html === undefined) {
		out.html = decodeBytes(bytes, type.params.charset);
	} else if (type.value === 'text/plain' && out.text === undefined) {
		out.text = decodeBytes(bytes, type.params.charset);
	}
}

/**
 * Parses a raw RFC 5322 message (Buffer, or string) into
 * { headers, subject, from, to, cc, text, html, attachments }.
 */
function parseMessage(source) {
	// Work on a byte-preserving string: charsets are applied when bodies and words are decoded.
	const raw = Buffer.isBuffer(source) ? source.toString('latin1') : Buffer.from(source, 'utf8').toString('latin1');
	const { head } = splitHeadBody(raw);
	const headers = parseHeaders(head);
	const out = { text: undefined, html: undefined, attachments: [] };
	walk(raw, out);
	return {
		headers,
		subject: decodeWords(headers.subject ?? ''),
		from: addressesOf(headers.from)[0],
		to: addressesOf(headers.to),
		cc: addressesOf(headers.cc),
		text: out.text,
		html: out.html,
		attachments: out.attachments,
	};
}

// ---- the server ----

/**
 * Starts the sink. Resolves { port, messages, waitFor(predicate, timeoutMs), clear(), close() }.
 * Each message: { from (envelope), to (envelope recipients), raw, receivedAt, headers, subject,
 * headerFrom, headerTo, cc, text, html, attachments }.
 */
async function startSmtpSink({ port = 0, host = '127.0.0.1', maxSize = 25 * 1024 * 1024 } = {}) {
	const messages = [];
	const waiters = new Set();

	const notify = () => {
		for (const waiter of waiters) {
			const found = messages.find(waiter.predicate);
			if (found) waiter.resolve(found);
		}
	};

	const server = new SMTPServer({
		authOptional: true,
		secure: false,
		disabledCommands: ['STARTTLS'],
		hideSTARTTLS: true,
		logger: false,
		size: maxSize,
		onAuth(_auth, _session, callback) {
			callback(null, { user: 'sink' });
		},
		onData(stream, session, callback) {
			const chunks = [];
			stream.on('data', (c) => chunks.push(c));
			stream.on('error', callback);
			stream.on('end', () => {
				const bytes = Buffer.concat(chunks);
				const raw = bytes.toString('utf8');
				let parsed;
				try {
					parsed = parseMessage(bytes);
				} catch (error) {
					parsed = { headers: {}, subject: '', to: [], cc: [], attachments: [], parseError: String(error) };
				}
				const { from: headerFrom, to: headerTo, ...rest } = parsed;
				messages.push({
					from: session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : undefined,
					to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
					raw,
					receivedAt: new Date(),
					headerFrom,
					headerTo,
					...rest,
				});
				callback();
				notify();
			});
		},
	});
	server.on('error', () => {}); // connection-level errors (client hang-ups) must not crash the tests

	await new Promise((resolve, reject) => {
		server.server.once('error', reject);
		server.listen(port, host, () => {
			server.server.off('error', reject);
			resolve();
		});
	});
	const actualPort = server.server.address().port;

	return {
		port: actualPort,
		host,
		messages,
		/** Resolves with the first message (already received or coming) that matches; rejects after timeoutMs. */
		waitFor(predicate = () => true, timeoutMs = 10_000) {
			const found = messages.find(predicate);
			if (found) return Promise.resolve(found);
			return new Promise((resolve, reject) => {
				const waiter = {
					predicate,
					resolve: (m) => {
						clearTimeout(timer);
						waiters.delete(waiter);
						resolve(m);
					},
				};
				const timer = setTimeout(() => {
					waiters.delete(waiter);
					const seen = messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join('; ') || 'none';
					reject(new Error(`no matching email within ${timeoutMs} ms (received: ${seen})`));
				}, timeoutMs);
				waiters.add(waiter);
			});
		},
		clear() {
			messages.length = 0;
		},
		close() {
			for (const waiter of waiters) waiter.resolve(undefined);
			return new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

module.exports = { startSmtpSink, parseMessage, decodeWords, decodeQuotedPrintable };

if (require.main === module) {
	// `node scripts/lib/smtpSink.js [port]`: a sink that prints what it receives (for `npm start`).
	startSmtpSink({ port: Number(process.argv[2] ?? 2525) }).then((sink) => {
		console.log(`SMTP sink on 127.0.0.1:${sink.port}`);
		let seen = 0;
		setInterval(() => {
			for (; seen < sink.messages.length; seen++) {
				const m = sink.messages[seen];
				console.log(`${m.receivedAt.toISOString()} ${m.from} → ${m.to.join(', ')}: ${m.subject}`);
			}
		}, 200);
		for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => sink.close().then(() => process.exit(0)));
	});
}
