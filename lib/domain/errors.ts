/**
 * An input problem the user can fix. `field` names the offending field so the
 * node can say exactly what to change; nothing is written when one is thrown.
 */
export class InputError extends Error {
	constructor(
		message: string,
		readonly field?: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'InputError';
	}
}
