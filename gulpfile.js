'use strict';
// Copies what tsc does not: node/credential icons and codex files, and the MJML
// email templates (read and compiled once per process by the node at run time) into dist/.
const { src, dest, parallel } = require('gulp');

function copyIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

function copyCodex() {
	return src(['nodes/**/*.node.json'], { base: '.' }).pipe(dest('dist'));
}

/** The Product Block's MJML templates, beside the compiled node (dist/nodes/ProductBlock/templates). */
const TEMPLATE_GLOB = 'nodes/**/templates/*.mjml';
function copyTemplatesTo(outDir) {
	return function copyTemplates() {
		return src([TEMPLATE_GLOB], { base: '.' }).pipe(dest(outDir));
	};
}

exports['build:icons'] = copyIcons;
exports['build:templates'] = copyTemplatesTo('dist');
exports.copyTemplatesTo = copyTemplatesTo;
exports.build = parallel(copyIcons, copyCodex, exports['build:templates']);
exports.default = exports.build;
