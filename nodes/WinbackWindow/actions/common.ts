import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../lib/domain/errors';
import { normalizeTag } from '../../../lib/domain/tags';
import { parseWinbackTiming, winbackSchedule, WINBACK_DEFAULTS } from '../../../lib/domain/winback';
import { LAPSED_ACTIONS, WINBACK_ANCHORS, type LapsedAction, type WinbackAnchor, type WinbackSettings } from '../../../lib/store';
import { getCampaign } from '../../shared/dueSteps';

export type Operation = 'getDueContacts' | 'checkContact';

const both = { operation: ['getDueContacts', 'checkContact'] };

/** The window's settings, shared by both operations (Check Contact must see the same window as the sweep). */
export const windowProperties: INodeProperties[] = [
	{
		displayName: 'Campaign',
		name: 'campaign',
		type: 'string',
		required: true,
		default: 'winback',
		description:
			'Name of this win-back window. Each step is claimed once per contact and campaign. Use another name for a second window, or when you change the timings of a running one (steps are counted by position).',
		displayOptions: { show: both },
	},
	{
		displayName: 'Window Starts From',
		name: 'anchor',
		type: 'options',
		options: [
			{ name: 'Last Purchase', value: 'lastPurchase', description: 'Customers who have not bought for a while. A new order takes them out of the window.' },
			{ name: 'Last Email Engagement', value: 'lastEngagement', description: 'Subscribers who stopped opening and clicking. An open or click takes them out.' },
			{ name: 'Last Purchase or Engagement', value: 'lastActivity', description: 'Whichever is later: an order, an open or a click takes them out' },
		],
		default: 'lastPurchase',
		description: 'The date each contact\'s window is counted from. When it moves (they buy or engage again), the contact leaves the window and starts afresh.',
		displayOptions: { show: both },
	},
	{
		displayName: 'First Email After (Days)',
		name: 'firstAfterDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: WINBACK_DEFAULTS.firstAfterDays,
		description: 'Days without activity before the first win-back email (about 3 months is usual)',
		displayOptions: { show: both },
	},
	{
		displayName: 'Follow-Up Every (Days)',
		name: 'followUpEveryDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: WINBACK_DEFAULTS.followUpEveryDays,
		description:
			'Longest gap between two emails. Follow-ups are spread evenly between the first and the final email: with 90, 60 and 270 days they come at days 150 and 210.',
		displayOptions: { show: both },
	},
	{
		displayName: 'Final Email After (Days)',
		name: 'finalAfterDays',
		type: 'number',
		typeOptions: { minValue: 2 },
		default: WINBACK_DEFAULTS.finalAfterDays,
		description: 'Days without activity before the last email: the end of the window (about 9 months is usual)',
		displayOptions: { show: both },
	},
	{
		displayName: 'After the Window',
		name: 'afterWindow',
		type: 'options',
		options: [
			{ name: 'Tag as Lapsed', value: 'tag', description: 'Add a tag (e.g. to leave them out of segments); easy to undo' },
			{ name: 'Suppress as Lapsed', value: 'suppress', description: 'Stop all marketing email to them, with the reason "lapsed"; an explicit re-subscription lifts it' },
			{ name: 'Do Nothing', value: 'none', description: 'Only output them with step "expired"' },
		],
		default: 'tag',
		description: 'What happens to contacts who never came back, once the window is over. Keeps the list clean and protects sender reputation.',
		displayOptions: { show: both },
	},
	{
		displayName: 'Lapsed Tag',
		name: 'lapsedTag',
		type: 'string',
		default: 'lapsed',
		description: 'Tag added to contacts when their window is over',
		displayOptions: { show: { ...both, afterWindow: ['tag'] } },
	},
	{
		displayName: 'Expire After Final (Days)',
		name: 'expireAfterDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: WINBACK_DEFAULTS.expireAfterDays,
		description: 'Days after the final email before the contact expires, to give it time to work',
		displayOptions: { show: both },
	},
];

export function windowSettings(ctx: IExecuteFunctions, i: number): WinbackSettings {
	const campaign = getCampaign(ctx, i);
	const anchor = ctx.getNodeParameter('anchor', i, 'lastPurchase') as WinbackAnchor;
	if (!WINBACK_ANCHORS.includes(anchor)) throw new InputError(`"Window Starts From" must be one of ${WINBACK_ANCHORS.join(', ')}`, 'Window Starts From');
	const action = ctx.getNodeParameter('afterWindow', i, 'tag') as LapsedAction;
	if (!LAPSED_ACTIONS.includes(action)) throw new InputError(`"After the Window" must be one of ${LAPSED_ACTIONS.join(', ')}`, 'After the Window');
	const tag = action === 'tag' ? normalizeTag(ctx.getNodeParameter('lapsedTag', i, 'lapsed'), 'Lapsed Tag') : 'lapsed';
	const timing = parseWinbackTiming({
		firstAfterDays: ctx.getNodeParameter('firstAfterDays', i, WINBACK_DEFAULTS.firstAfterDays),
		followUpEveryDays: ctx.getNodeParameter('followUpEveryDays', i, WINBACK_DEFAULTS.followUpEveryDays),
		finalAfterDays: ctx.getNodeParameter('finalAfterDays', i, WINBACK_DEFAULTS.finalAfterDays),
		expireAfterDays: ctx.getNodeParameter('expireAfterDays', i, WINBACK_DEFAULTS.expireAfterDays),
	});
	return { campaign, anchor, schedule: winbackSchedule(timing), action, tag };
}
