import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../lib/domain/errors';
import { parsePoints, pointsForAmount, type Rounding } from '../../../lib/domain/scores';
import { optionalString, optionalTimestamp, parseMoney } from '../../../lib/domain/values';
import type { ContactStore } from '../../../lib/store';
import { referenceTime } from '../../shared/execute';
import { emailProperty, expireAfterOption, getAwardExpiry, getEmail, getScoreName, reasonOption, referenceTimeOption, scoreOutput } from './common';

const show = { operation: ['adjust'] };
const showAward = (award: string[]) => ({ show: { operation: ['adjust'], award } });

export const description: INodeProperties[] = [
	emailProperty(['adjust'], 'Email of the contact. A new email creates the contact (except for Points per Page Visit).'),
	{
		displayName: 'Award',
		name: 'award',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Points', value: 'points', description: 'Add a number of points (negative to subtract)' },
			{ name: 'Points per Currency Unit Spent', value: 'perCurrencyUnit', description: 'E.g. 1 loyalty point per euro of an order' },
			{
				name: 'Points per Page Visit',
				value: 'pageVisits',
				description: 'Points for each visit to matching pages within a date range, each visit awarded once',
			},
		],
		default: 'points',
		displayOptions: { show },
	},
	{
		displayName: 'Points',
		name: 'points',
		type: 'number',
		default: 10,
		description: 'Points to add; a negative number subtracts',
		displayOptions: showAward(['points']),
	},
	{
		displayName: 'Amount',
		name: 'amount',
		type: 'string',
		default: '={{ $json.order?.total ?? $json.total }}',
		placeholder: '59.90',
		description: 'The money spent, in currency units (by default the total of an order from Marketing Contact › Record Order)',
		displayOptions: showAward(['perCurrencyUnit']),
	},
	{
		displayName: 'Points per Currency Unit',
		name: 'pointsPerUnit',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 1,
		displayOptions: showAward(['perCurrencyUnit']),
	},
	{
		displayName: 'Rounding',
		name: 'rounding',
		type: 'options',
		options: [
			{ name: 'Down to Whole Points', value: 'down' },
			{ name: 'To Nearest Whole Point', value: 'nearest' },
			{ name: 'None (Two Decimals)', value: 'none' },
		],
		default: 'down',
		displayOptions: showAward(['perCurrencyUnit']),
	},
	{
		displayName: 'Event Key',
		name: 'eventKey',
		type: 'string',
		default: '={{ $json.order?.orderId ?? "" }}',
		description: 'A unique ID of what earns the points, e.g. the order ID: the same ID never earns this score twice (a retried webhook or an order update changes nothing). Empty: every run awards points.',
		displayOptions: showAward(['perCurrencyUnit']),
	},
	{
		displayName: 'Event Key',
		name: 'eventKey',
		type: 'string',
		default: '',
		description: 'A unique ID of what earns the points, e.g. a webhook or event ID: the same ID never earns this score twice. Empty: every run awards points.',
		displayOptions: showAward(['points']),
	},
	{
		displayName: 'Points per Visit',
		name: 'pointsPerVisit',
		type: 'number',
		default: 5,
		displayOptions: showAward(['pageVisits']),
	},
	{
		displayName: 'URL Pattern',
		name: 'urlPattern',
		type: 'string',
		default: '',
		placeholder: '/pricing',
		description: 'Which pages count: URLs containing this text, or with * wildcards a whole-URL match (https://shop.example.com/products/*). Empty means every page. Not case-sensitive.',
		displayOptions: showAward(['pageVisits']),
	},
	{
		displayName: 'Visited From',
		name: 'visitedFrom',
		type: 'dateTime',
		default: '',
		description: 'Start of the date range. Empty means no start.',
		displayOptions: showAward(['pageVisits']),
	},
	{
		displayName: 'Visited Until',
		name: 'visitedUntil',
		type: 'dateTime',
		default: '',
		description: 'End of the date range. Empty means now (the Reference Time).',
		displayOptions: showAward(['pageVisits']),
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Max Visits Counted',
				name: 'maxVisits',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Most visits this rule ever awards per contact. 0 means no limit.',
				displayOptions: { show: { '/award': ['pageVisits'] } },
			},
			expireAfterOption,
			reasonOption,
			referenceTimeOption,
			{
				displayName: 'Rule Name',
				name: 'ruleName',
				type: 'string',
				default: '',
				placeholder: 'pricing-page-march',
				description: 'Visits are awarded once per rule. Empty means the rule is named after its URL pattern and dates; name it to keep counting when you edit those.',
				displayOptions: { show: { '/award': ['pageVisits'] } },
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, i: number, store: ContactStore): Promise<IDataObject> {
	const email = getEmail(this, i);
	const name = getScoreName(this, i);
	const award = this.getNodeParameter('award', i, 'points') as 'points' | 'perCurrencyUnit' | 'pageVisits';
	const now = referenceTime(this, i);
	const expiresAt = getAwardExpiry(this, i, now);
	const reason = optionalString(this.getNodeParameter('options.reason', i, ''), 'Reason', 500);

	if (award === 'pageVisits') {
		const pointsPerVisit = parsePoints(this.getNodeParameter('pointsPerVisit', i, 5), 'Points per Visit');
		const urlPattern = optionalString(this.getNodeParameter('urlPattern', i, ''), 'URL Pattern', 2000);
		const from = optionalTimestamp(this.getNodeParameter('visitedFrom', i, ''), 'Visited From');
		const to = optionalTimestamp(this.getNodeParameter('visitedUntil', i, ''), 'Visited Until');
		if (from !== undefined && to !== undefined && from > to) throw new InputError('"Visited From" is after "Visited Until"', 'Visited From');
		const maxVisits = Number(this.getNodeParameter('options.maxVisits', i, 0) ?? 0);
		if (!Number.isInteger(maxVisits) || maxVisits < 0) throw new InputError('"Max Visits Counted" must be a whole number, 0 for no limit', 'Max Visits Counted');
		const ruleName = optionalString(this.getNodeParameter('options.ruleName', i, ''), 'Rule Name', 200);
		const ruleKey = ruleName ?? `${urlPattern ?? '*'}|${from ?? ''}|${to ?? ''}`;
		const r = await store.awardPageVisits(email, name, { ruleKey, urlPattern, from, to, pointsPerVisit, maxVisits }, { now, expiresAt, reason });
		if (!r.found) return { email, found: false, name, points: 0, awarded: 0, changed: false, visits: 0, newVisits: 0, contact: null };
		return scoreOutput(email, r, { found: true, visits: r.visits, newVisits: r.newVisits });
	}

	const eventKey = optionalString(this.getNodeParameter('eventKey', i, ''), 'Event Key', 500);
	if (award === 'perCurrencyUnit') {
		const amount = parseMoney(this.getNodeParameter('amount', i, ''), 'Amount');
		const rate = parsePoints(this.getNodeParameter('pointsPerUnit', i, 1), 'Points per Currency Unit', { allowNegative: false });
		const rounding = this.getNodeParameter('rounding', i, 'down') as Rounding;
		const points = pointsForAmount(amount, rate, rounding);
		const r = await store.adjustScore(email, name, points, { now, expiresAt, eventKey, reason: reason ?? `${amount} spent × ${rate}` });
		return scoreOutput(email, r, { amount, pointsPerUnit: rate });
	}
	const points = parsePoints(this.getNodeParameter('points', i, 0), 'Points');
	const r = await store.adjustScore(email, name, points, { now, expiresAt, eventKey, reason });
	return scoreOutput(email, r);
}
