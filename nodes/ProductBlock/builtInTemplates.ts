import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../lib/domain/errors';

export type BuiltInTemplate = 'list' | 'grid2' | 'grid3';

/** The MJML files shipped beside this module (the build copies templates/*.mjml next to the compiled node). */
export const BUILT_IN_TEMPLATES: Record<BuiltInTemplate, { file: string; columns: number }> = {
	list: { file: 'list.mjml', columns: 1 },
	grid2: { file: 'grid2.mjml', columns: 2 },
	grid3: { file: 'grid3.mjml', columns: 3 },
};

/** nodes/ProductBlock/templates in the sources, dist/nodes/ProductBlock/templates once built. */
export const TEMPLATES_DIR = join(__dirname, 'templates');

const sources = new Map<string, string>();

/** The MJML text of a built-in template, read once per process. */
export function builtInTemplateSource(name: BuiltInTemplate, dir = TEMPLATES_DIR): string {
	const entry = BUILT_IN_TEMPLATES[name];
	if (!entry) throw new InputError(`Unknown template "${name}"`, 'Template');
	const path = join(dir, entry.file);
	let source = sources.get(path);
	if (source === undefined) {
		if (!existsSync(path)) throw new InputError(`The template file ${path} is missing`, 'Template', 'Reinstall the n8n-nodes-ecommerce-marketing package');
		source = readFileSync(path, 'utf8');
		sources.set(path, source);
	}
	return source;
}
