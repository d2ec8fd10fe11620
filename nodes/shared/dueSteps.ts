/** Parameters and execution hints shared by the due-step nodes (Win-back Window, Campaign Schedule). */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../lib/domain/errors';
import { plural } from './execute';

export const MAX_CONTACTS_DEFAULT = 1000;
const MAX_CONTACTS_LIMIT = 100_000;

export function maxContactsOption(noun = 'contacts'): INodeProperties {
	return {
		displayName: 'Max Contacts',
		name: 'maxContacts',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_CONTACTS_LIMIT },
		default: MAX_CONTACTS_DEFAULT,
		description: `Most ${noun} one run returns. The rest stay due and come in the next run (most recent first).`,
	};
}

export const referenceTimeOption: INodeProperties = {
	displayName: 'Reference Time',
	name: 'referenceTime',
	type: 'dateTime',
	default: '',
	description:
		'Treat this as "now": which steps are due, and when they are claimed. Empty means the current time. Use it to test, replay or backfill a flow at any date.',
};

export function getMaxContacts(ctx: IExecuteFunctions, i: number): number {
	const value = ctx.getNodeParameter('options.maxContacts', i, MAX_CONTACTS_DEFAULT) as unknown;
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_CONTACTS_LIMIT) {
		throw new InputError(`"Max Contacts" must be a whole number from 1 to ${MAX_CONTACTS_LIMIT} (got ${JSON.stringify(value)})`, 'Max Contacts');
	}
	return n;
}

/** A campaign key: trimmed, not empty, at most 100 characters. */
export function getCampaign(ctx: IExecuteFunctions, i: number, parameter = 'campaign', field = 'Campaign', fallback = ''): string {
	const value = ctx.getNodeParameter(parameter, i, fallback) as unknown;
	const text = (typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '').trim() || fallback;
	if (!text) throw new InputError(`"${field}" is empty`, field, 'Name the campaign, e.g. winback or abandoned-cart: each step is sent once per campaign');
	if (text.length > 100) throw new InputError(`"${field}" is longer than 100 characters`, field);
	return text;
}

/** Output items that are not errors. */
export function okItems(items: INodeExecutionData[]): IDataObject[] {
	return items.filter((item) => !item.error).map((item) => item.json);
}

/** "8 first, 3 follow-up, 1 final" in the order the kinds first appear, by a label function. */
export function countBy(items: IDataObject[], label: (json: IDataObject) => string): string {
	const counts = new Map<string, number>();
	for (const json of items) counts.set(label(json), (counts.get(label(json)) ?? 0) + 1);
	return [...counts.entries()].map(([name, n]) => `${n} ${name}`).join(', ');
}

/** Hints every sweep shares: found-late skipping and the Max Contacts limit. */
export function addSweepHints(ctx: IExecuteFunctions, items: IDataObject[], limitReached: boolean, maxContacts: number, noun: string): void {
	const late = items.filter((json) => Array.isArray(json.skippedSteps) && json.skippedSteps.length > 0).length;
	if (late > 0) {
		ctx.addExecutionHints({
			message: `${plural(late, `${noun} was`, `${noun}s were`)} found late: only the latest due step was sent, older steps were skipped (see skippedSteps)`,
			type: 'info',
			location: 'outputPane',
		});
	}
	if (limitReached) {
		ctx.addExecutionHints({
			message: `Max Contacts (${maxContacts}) reached: more are due and will come in the next run`,
			type: 'warning',
			location: 'outputPane',
		});
	}
}
