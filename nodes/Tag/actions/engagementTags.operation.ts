import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import {
	DAY_MS,
	DEFAULT_ENGAGEMENT_GROUP,
	DEFAULT_ENGAGEMENT_THRESHOLDS,
	ENGAGEMENT_SIGNALS,
	normalizeGroup,
	parseEngagementSignals,
	validateEngagementThresholds,
} from '../../../lib/domain/tags';
import type { ContactStore, EngagementChange, EngagementSettings } from '../../../lib/store';
import { getMaxContacts, maxContactsOption } from '../../shared/dueSteps';
import { referenceTime } from '../../shared/execute';
import { emailProperty, getEmail, positiveNumber, referenceTimeOption } from './common';

const show = { operation: ['engagementTags'] };

export const signalsOption: INodeProperties = {
	displayName: 'Engagement Signals',
	name: 'signals',
	type: 'multiOptions',
	options: [
		{ name: 'Email Opens and Clicks', value: 'email' },
		{ name: 'Purchases', value: 'purchase' },
		{ name: 'Site Visits', value: 'siteVisit' },
	],
	default: [...ENGAGEMENT_SIGNALS],
	description: 'What counts as engagement. The latest of these (or the signup date, if later) is the last engagement; a contact with none counts from when they were first recorded.',
};

export const description: INodeProperties[] = [
	{
		displayName: 'Scope',
		name: 'scope',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'All Contacts Whose State Changed',
				value: 'all',
				description: 'A sweep for a Schedule Trigger (e.g. daily): outputs one item per contact whose engagement state changed',
			},
			{ name: 'One Contact', value: 'contact', description: 'Set the state of the contact of each input item (e.g. after an email event)' },
		],
		default: 'all',
		displayOptions: { show },
	},
	{
		displayName:
			'Each contact keeps exactly one of engagement:engaged (engaged within 7 days), engagement:recent-activity (within 21), engagement:disengaged (within 30) and engagement:inactive. The first run tags every contact; later runs read only contacts whose state can have changed.',
		name: 'engagementNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...show, scope: ['all'] } },
	},
	emailProperty(['engagementTags'], 'Email of the contact. An unknown email is left alone (found: false).', { scope: ['contact'] }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Check Every Contact',
				name: 'checkEveryContact',
				type: 'boolean',
				default: false,
				description: 'Whether to re-check all contacts instead of only those whose state can have changed, e.g. after engagement tags were edited by hand or contacts were imported with old dates',
				displayOptions: { show: { '/scope': ['all'] } },
			},
			{
				displayName: 'Disengaged After (Days)',
				name: 'disengagedAfterDays',
				type: 'number',
				typeOptions: { minValue: 0.01 },
				default: DEFAULT_ENGAGEMENT_THRESHOLDS.disengagedAfterDays,
				description: 'Days without engagement after which a contact is disengaged',
			},
			signalsOption,
			{
				displayName: 'Inactive After (Days)',
				name: 'inactiveAfterDays',
				type: 'number',
				typeOptions: { minValue: 0.01 },
				default: DEFAULT_ENGAGEMENT_THRESHOLDS.inactiveAfterDays,
				description: 'Days without engagement after which a contact is inactive',
			},
			{ ...maxContactsOption(), displayOptions: { show: { '/scope': ['all'] } } },
			{
				displayName: 'Recent Activity After (Days)',
				name: 'recentActivityAfterDays',
				type: 'number',
				typeOptions: { minValue: 0.01 },
				default: DEFAULT_ENGAGEMENT_THRESHOLDS.recentActivityAfterDays,
				description: 'Days without engagement after which an engaged contact becomes "recent activity"',
			},
			referenceTimeOption,
			{
				displayName: 'Tag Group',
				name: 'group',
				type: 'string',
				default: DEFAULT_ENGAGEMENT_GROUP,
				description: 'Prefix of the four engagement tags: <group>engaged, <group>recent-activity, <group>disengaged, <group>inactive',
			},
		],
	},
];

export function engagementSettings(ctx: IExecuteFunctions, i: number): EngagementSettings {
	const thresholds = validateEngagementThresholds({
		recentActivityAfterDays: positiveNumber(ctx, 'options.recentActivityAfterDays', i, 'Recent Activity After (Days)', DEFAULT_ENGAGEMENT_THRESHOLDS.recentActivityAfterDays),
		disengagedAfterDays: positiveNumber(ctx, 'options.disengagedAfterDays', i, 'Disengaged After (Days)', DEFAULT_ENGAGEMENT_THRESHOLDS.disengagedAfterDays),
		inactiveAfterDays: positiveNumber(ctx, 'options.inactiveAfterDays', i, 'Inactive After (Days)', DEFAULT_ENGAGEMENT_THRESHOLDS.inactiveAfterDays),
	});
	return {
		group: normalizeGroup(ctx.getNodeParameter('options.group', i, DEFAULT_ENGAGEMENT_GROUP) || DEFAULT_ENGAGEMENT_GROUP, 'Tag Group'),
		thresholds,
		signals: parseEngagementSignals(ctx.getNodeParameter('options.signals', i, ENGAGEMENT_SIGNALS), 'Engagement Signals'),
	};
}

function toJson(change: EngagementChange, now: number): IDataObject {
	return {
		email: change.email,
		found: true,
		state: change.state,
		previousState: change.previousState,
		tag: change.tag,
		previousTags: change.previousTags,
		changed: change.changed,
		lastEngagementAt: new Date(change.engagedAt).toISOString(),
		daysSinceEngagement: Math.max(0, Math.floor((now - change.engagedAt) / DAY_MS)),
	};
}

export interface SweepSummary {
	limitReached: boolean;
	maxContacts: number;
}

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore, summaries: SweepSummary[]): Promise<IDataObject | IDataObject[]> {
	const settings = engagementSettings(this, i);
	const now = referenceTime(this, i);
	const scope = this.getNodeParameter('scope', i, 'all') as 'all' | 'contact';
	if (scope === 'contact') {
		const email = getEmail(this, i);
		const change = await store.applyEngagementTags(email, settings, now);
		if (!change) return { email, found: false, state: null, previousState: null, tag: null, changed: false };
		return toJson(change, now);
	}
	const maxContacts = getMaxContacts(this, i);
	const checkEveryContact = this.getNodeParameter('options.checkEveryContact', i, false) as boolean;
	const result = await store.sweepEngagementTags(settings, { now, maxContacts, checkEveryContact });
	summaries.push({ limitReached: result.limitReached, maxContacts });
	return result.items.map((c) => toJson(c, now));
}
