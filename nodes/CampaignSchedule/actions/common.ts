export type Operation = 'getDueCartReminders' | 'enrollInDrip' | 'getDueDripEmails' | 'getDueDateEmails';

/** What a sweep reports besides its items, for the execution hints. */
export interface SweepSummary {
	limitReached: boolean;
	maxContacts: number;
}
