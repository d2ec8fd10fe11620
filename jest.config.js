/** @type {import('jest').Config} */
const ts = {
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
	testEnvironment: 'node',
	moduleFileExtensions: ['ts', 'js', 'json'],
	// n8n user folders and the pinned n8n hold package.json files of their own.
	modulePathIgnorePatterns: ['<rootDir>/.e2e/', '<rootDir>/.cache/', '<rootDir>/.n8n-data/', '<rootDir>/dist/'],
};

module.exports = {
	// No test may hang a run: a minute each (the end-to-end files set their own, longer limit).
	testTimeout: 60_000,
	projects: [
		{ ...ts, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
		{
			...ts,
			displayName: 'store',
			testMatch: ['<rootDir>/tests/store/**/*.test.ts'],
			globalSetup: '<rootDir>/tests/support/postgresSetup.js',
		},
		{
			...ts,
			displayName: 'engine',
			testMatch: ['<rootDir>/tests/engine/**/*.test.ts'],
			globalSetup: '<rootDir>/tests/support/postgresSetup.js',
		},
		{
			...ts,
			displayName: 'e2e',
			testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'],
			globalSetup: '<rootDir>/tests/support/postgresSetup.js',
			// testTimeout is a global option that projects ignore: set it per file instead.
			setupFilesAfterEnv: ['<rootDir>/tests/support/e2eTimeout.js'],
		},
		{
			// n8n's queue mode at scale (npm run test:scale): the file sets its own limits per phase.
			...ts,
			displayName: 'scale',
			testMatch: ['<rootDir>/tests/scale/**/*.test.ts'],
			globalSetup: '<rootDir>/tests/support/postgresSetup.js',
		},
	],
};
