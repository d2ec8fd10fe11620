'use strict';
// Copies what tsc does not: node/credential icons and codex files, and the MJML
// email templates (compiled at build time by a later task) into dist/.
const { src, dest, parallel } = require('gulp');

function copyIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

function copyCodex() {
	return src(['nodes/**/*.node.json'], { base: '.' }).pipe(dest('dist'));
}

exports['build:icons'] = copyIcons;
exports.build = parallel(copyIcons, copyCodex);
exports.default = exports.build;
