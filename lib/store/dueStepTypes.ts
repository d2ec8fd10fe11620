/** Request and result types of the due-step sweeps (Win-back Window, Campaign Schedule). */
import type { DateEmailTiming, Occasion } from '../domain/dateOccasions';
import type { DueStepFields, Schedule } from '../domain/dueSteps';
import type { WinbackStatus } from '../domain/winback';
import type { ContactProfile, StoredCart } from './types';

/** Which date anchors a contact's win-back window. */
export type WinbackAnchor = 'lastPurchase' | 'lastEngagement' | 'lastActivity';
export const WINBACK_ANCHORS: WinbackAnchor[] = ['lastPurchase', 'lastEngagement', 'lastActivity'];

/** What happens to a contact when the window ends. */
export type LapsedAction = 'tag' | 'suppress' | 'none';
export const LAPSED_ACTIONS: LapsedAction[] = ['tag', 'suppress', 'none'];

export interface SweepBase {
	/** Campaign key: claims are kept per campaign. */
	campaign: string;
	/** "Now" (the Reference Time), epoch ms. */
	now: number;
	/** Most items one sweep claims and returns; the rest stay due for the next run. */
	maxContacts: number;
	/** Contacts read and claimed per round trip (keyset batches). */
	batchSize?: number;
}

export interface SweepResult<T> {
	items: T[];
	/** Max Contacts was reached: more may be due, and come in the next run. */
	limitReached: boolean;
}

/** One due step for one contact. */
export interface DueContact extends DueStepFields {
	email: string;
	contact: ContactProfile;
}

export interface WinbackSettings {
	campaign: string;
	anchor: WinbackAnchor;
	schedule: Schedule;
	action: LapsedAction;
	/** Tag added by the "tag" action. */
	tag: string;
}

export interface WinbackSweep extends SweepBase, WinbackSettings {
	/** Whether expired contacts are returned too (the action is applied either way). */
	includeExpired: boolean;
}

export interface WinbackDue extends DueContact {
	anchor: WinbackAnchor;
	/** What the expiry did: "suppressed", "tagged", or null (not an expiry, or no action / already done). */
	action: 'suppressed' | 'tagged' | null;
}

export interface WinbackSweepResult extends SweepResult<WinbackDue> {
	/** Contacts expired by this sweep and left out of `items` (includeExpired false). */
	expiredNotReturned: number;
}

export interface WinbackCheckRequest extends WinbackSettings {
	email: string;
	now: number;
	/** Claim the due step (and apply an expiry) as Get Due Contacts would. */
	claim: boolean;
}

export interface WinbackCheckResult {
	email: string;
	found: boolean;
	contact: ContactProfile | null;
	campaign: string;
	anchor: WinbackAnchor;
	status: WinbackStatus;
	reason: 'notFound' | 'noAnchor' | 'suppressed' | null;
	anchorAt: string | null;
	/** The due step (status "due"), in the same fields Get Due Contacts outputs. */
	due: DueStepFields | null;
	/** Steps already claimed for this anchor. */
	claimedSteps: string[];
	nextStep: string | null;
	nextStepAt: string | null;
	/** Whether this call claimed the due step. */
	claimed: boolean;
	action: 'suppressed' | 'tagged' | null;
}

export interface CartSweep extends SweepBase {
	schedule: Schedule;
}

export interface CartDue extends DueContact {
	cart: StoredCart;
}

export interface DripEnrollRequest {
	email: string;
	campaign: string;
	enrolledAt: number;
	now: number;
	/** An existing enrollment restarts at `enrolledAt` instead of being kept. */
	restart: boolean;
}

export interface DripEnrollResult {
	email: string;
	contact: ContactProfile;
	campaign: string;
	enrolledAt: string;
	/** A new enrollment was made. */
	enrolled: boolean;
	/** An existing enrollment was restarted at a new date. */
	restarted: boolean;
}

export interface DripSweep extends SweepBase {
	schedule: Schedule;
	/** Stop the drip for contacts who purchased since they enrolled. */
	stopOnPurchase: boolean;
}

export interface DripDue extends DueContact {
	enrolledAt: string;
}

export interface DateEmailSweep extends SweepBase {
	occasion: Occasion;
	timing: DateEmailTiming;
	/** Zone for contacts without a valid time zone. */
	fallbackZone: string;
}

export interface DateEmailDue extends DueContact {
	occasion: Occasion;
	/** The occasion's date on the contact's calendar (29 February → 28 February in other years). */
	date: string;
	year: number;
	/** Age on a birthday (when the birth year is known) or years since signup on an anniversary. */
	years: number | null;
	timeZone: string;
}
