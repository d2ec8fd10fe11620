'use strict';
// Jest global setup: a real PostgreSQL server on loopback for the backend-contract tests.
const { startPostgres } = require('../../scripts/lib/postgres');

module.exports = async () => {
	if (process.env.SKIP_POSTGRES === '1') return;
	startPostgres();
};
