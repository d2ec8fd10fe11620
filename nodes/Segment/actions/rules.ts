import type { IDataObject, IDisplayOptions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

type Show = NonNullable<IDisplayOptions['show']>;
import { parseRules, type RawCondition, type RuleGroup } from '../../../lib/domain/segmentRules';

/**
 * The rule editor: condition rows (a fixedCollection) combined with AND/OR, and their
 * conversion to the canonical rule JSON that lib/domain/segmentRules.ts validates.
 * Custom fields appear as three fields (Text, Number, Yes/No) so that each row shows
 * exactly the operators and value that fit.
 */

const NUMBER_FIELDS = ['abandonedCartCount', 'averageOrderValue', 'customNumber', 'lastOrderValue', 'orderCount', 'score', 'siteVisits', 'totalSpent'];
const DAYS_FIELDS = ['daysSinceFirstOrder', 'daysSinceLastEngagement', 'daysSinceLastOrder', 'daysSinceLastVisit', 'daysSinceSignup'];
const TEXT_FIELDS = ['city', 'country', 'customText', 'region', 'scoreTier'];
const BOOLEAN_FIELDS = ['customBoolean', 'hasAbandonedCart', 'suppressed'];
const LIST_FIELDS = ['purchasedProduct', 'purchasedProductTag', 'purchasedProductType', 'purchasedSku', 'tag', 'viewedProduct'];
const WINDOW_FIELDS = ['abandonedCartCount', 'hasAbandonedCart', 'purchasedProduct', 'purchasedProductTag', 'purchasedProductType', 'purchasedSku', 'viewedProduct'];
const CUSTOM_FIELDS: Record<string, 'text' | 'number' | 'boolean'> = { customText: 'text', customNumber: 'number', customBoolean: 'boolean' };

const FIELD_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Abandoned Carts (Count)', value: 'abandonedCartCount', description: 'Carts not turned into an order within the abandonment delay (see Options)' },
	{ name: 'Average Order Value', value: 'averageOrderValue', description: 'Total spent ÷ number of orders; empty for contacts without orders' },
	{ name: 'Birthday Month', value: 'birthMonth' },
	{ name: 'Buyer Type (First-Time or Repeat)', value: 'buyerType' },
	{ name: 'City', value: 'city' },
	{ name: 'Country', value: 'country', description: 'As stored, usually an ISO code such as US or DE' },
	{ name: 'Custom Field (Number)', value: 'customNumber', description: 'A custom field holding a number' },
	{ name: 'Custom Field (Text)', value: 'customText', description: 'A custom field holding text' },
	{ name: 'Custom Field (Yes/No)', value: 'customBoolean', description: 'A custom field holding true or false' },
	{ name: 'Days Since First Order', value: 'daysSinceFirstOrder' },
	{ name: 'Days Since Last Email Engagement', value: 'daysSinceLastEngagement', description: 'Whole days since the last email open or click' },
	{ name: 'Days Since Last Order', value: 'daysSinceLastOrder', description: 'Whole days since the last counted order; empty for contacts without orders' },
	{ name: 'Days Since Last Site Visit', value: 'daysSinceLastVisit' },
	{ name: 'Days Since Signup', value: 'daysSinceSignup' },
	{ name: 'Has Abandoned Cart', value: 'hasAbandonedCart', description: 'Has a cart not turned into an order within the abandonment delay (see Options)' },
	{ name: 'Last Order Value', value: 'lastOrderValue' },
	{ name: 'Number of Orders', value: 'orderCount', description: 'Counted orders (cancelled and refunded ones are not counted)' },
	{ name: 'Purchased Product (ID)', value: 'purchasedProduct' },
	{ name: 'Purchased Product Tag', value: 'purchasedProductTag', description: 'Bought a product carrying this tag' },
	{ name: 'Purchased Product Type or Collection', value: 'purchasedProductType' },
	{ name: 'Purchased SKU', value: 'purchasedSku' },
	{ name: 'Region', value: 'region', description: 'State or province' },
	{ name: 'Score (Points)', value: 'score', description: 'Points of a named score, e.g. loyalty or lead; a contact without the score has 0' },
	{ name: 'Score Tier', value: 'scoreTier', description: 'The tier the Score node stored, e.g. Gold for the loyalty score' },
	{ name: 'Site Visits', value: 'siteVisits' },
	{ name: 'Subscription Status', value: 'subscriptionStatus' },
	{ name: 'Suppressed', value: 'suppressed', description: 'Held back from marketing email (unsubscribed, bounced, complained…)' },
	{ name: 'Tag', value: 'tag', description: 'A tag the contact has (expired tags do not count)' },
	{ name: 'Total Spent', value: 'totalSpent' },
	{ name: 'Viewed Product', value: 'viewedProduct', description: 'Viewed a product (or any one product) at least a number of times' },
];

const NUMBER_OPERATORS: INodePropertyOptions[] = [
	{ name: 'Is Equal To', value: 'equals' },
	{ name: 'Is Not Equal To', value: 'notEquals' },
	{ name: 'Is Greater Than', value: 'gt' },
	{ name: 'Is Greater Than or Equal To', value: 'gte' },
	{ name: 'Is Less Than', value: 'lt' },
	{ name: 'Is Less Than or Equal To', value: 'lte' },
	{ name: 'Is Between', value: 'between', description: 'Both values included' },
	{ name: 'Is Empty', value: 'isEmpty' },
	{ name: 'Is Not Empty', value: 'isNotEmpty' },
];

const DAYS_OPERATORS: INodePropertyOptions[] = [
	{ name: 'Is More Than', value: 'gt' },
	{ name: 'Is At Least', value: 'gte' },
	{ name: 'Is Less Than', value: 'lt' },
	{ name: 'Is At Most', value: 'lte' },
	{ name: 'Is Exactly', value: 'equals' },
	{ name: 'Is Not', value: 'notEquals' },
	{ name: 'Is Between', value: 'between', description: 'Both values included' },
	{ name: 'Never (Empty)', value: 'isEmpty' },
	{ name: 'Not Never', value: 'isNotEmpty' },
];

const TEXT_OPERATORS: INodePropertyOptions[] = [
	{ name: 'Is Equal To', value: 'equals' },
	{ name: 'Is Not Equal To', value: 'notEquals' },
	{ name: 'Is One Of', value: 'isOneOf', description: 'Several values, separated by commas' },
	{ name: 'Is Not One Of', value: 'isNotOneOf', description: 'Several values, separated by commas' },
	{ name: 'Contains', value: 'contains' },
	{ name: 'Does Not Contain', value: 'notContains' },
	{ name: 'Starts With', value: 'startsWith' },
	{ name: 'Ends With', value: 'endsWith' },
	{ name: 'Is Empty', value: 'isEmpty' },
	{ name: 'Is Not Empty', value: 'isNotEmpty' },
];

const show = (fields: string[], extra: Show = {}): IDisplayOptions => ({ show: { field: fields, ...extra } });

/** The fields of one condition row. */
export const conditionFields: INodeProperties[] = [
	{
		displayName: 'Field',
		name: 'field',
		type: 'options',
		options: FIELD_OPTIONS,
		default: 'totalSpent',
		description: 'What to test about the contact',
	},
	{
		displayName: 'Score Name',
		name: 'scoreName',
		type: 'string',
		default: 'loyalty',
		placeholder: 'loyalty',
		description: 'The named score, as the Score node writes it (e.g. loyalty, lead, engagement)',
		displayOptions: show(['score', 'scoreTier']),
	},
	{
		displayName: 'Custom Field Name',
		name: 'customFieldName',
		type: 'string',
		default: '',
		placeholder: 'shoeSize',
		description: 'Key of the custom field in the contact\'s profile (exact, case-sensitive)',
		displayOptions: show(Object.keys(CUSTOM_FIELDS)),
	},
	{ displayName: 'Operator', name: 'numberOperator', type: 'options', options: NUMBER_OPERATORS, default: 'gte', displayOptions: show(NUMBER_FIELDS) },
	{ displayName: 'Operator', name: 'daysOperator', type: 'options', options: DAYS_OPERATORS, default: 'gt', displayOptions: show(DAYS_FIELDS) },
	{ displayName: 'Operator', name: 'textOperator', type: 'options', options: TEXT_OPERATORS, default: 'equals', displayOptions: show(TEXT_FIELDS) },
	{
		displayName: 'Operator',
		name: 'choiceOperator',
		type: 'options',
		options: [
			{ name: 'Is One Of', value: 'isOneOf' },
			{ name: 'Is Not One Of', value: 'isNotOneOf' },
		],
		default: 'isOneOf',
		displayOptions: show(['birthMonth', 'buyerType', 'subscriptionStatus']),
	},
	{
		displayName: 'Operator',
		name: 'booleanOperator',
		type: 'options',
		options: [
			{ name: 'Is Yes', value: 'isTrue' },
			{ name: 'Is No', value: 'isFalse' },
		],
		default: 'isTrue',
		displayOptions: show(BOOLEAN_FIELDS),
	},
	{
		displayName: 'Operator',
		name: 'listOperator',
		type: 'options',
		options: [
			{ name: 'Has', value: 'includes' },
			{ name: 'Has Not', value: 'notIncludes' },
		],
		default: 'includes',
		displayOptions: show(LIST_FIELDS),
	},
	{
		displayName: 'Value',
		name: 'number',
		type: 'number',
		default: 0,
		displayOptions: { show: { field: NUMBER_FIELDS }, hide: { numberOperator: ['isEmpty', 'isNotEmpty'] } },
	},
	{
		displayName: 'And',
		name: 'number2',
		type: 'number',
		default: 0,
		description: 'Upper end of the range (included)',
		displayOptions: show(NUMBER_FIELDS, { numberOperator: ['between'] }),
	},
	{
		displayName: 'Days',
		name: 'days',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 30,
		description: 'Whole days',
		displayOptions: { show: { field: DAYS_FIELDS }, hide: { daysOperator: ['isEmpty', 'isNotEmpty'] } },
	},
	{
		displayName: 'And (Days)',
		name: 'days2',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 90,
		description: 'Upper end of the range (included)',
		displayOptions: show(DAYS_FIELDS, { daysOperator: ['between'] }),
	},
	{
		displayName: 'Value',
		name: 'text',
		type: 'string',
		default: '',
		placeholder: 'US',
		description: 'Letter case is ignored. For "Is One Of", separate values with commas.',
		displayOptions: { show: { field: TEXT_FIELDS }, hide: { textOperator: ['isEmpty', 'isNotEmpty'] } },
	},
	{
		displayName: 'Statuses',
		name: 'statuses',
		type: 'multiOptions',
		options: [
			{ name: 'Not Subscribed', value: 'not_subscribed' },
			{ name: 'Pending (Double Opt-In)', value: 'pending' },
			{ name: 'Subscribed', value: 'subscribed' },
			{ name: 'Unsubscribed', value: 'unsubscribed' },
		],
		default: ['subscribed'],
		displayOptions: show(['subscriptionStatus']),
	},
	{
		displayName: 'Buyer Types',
		name: 'buyerTypes',
		type: 'multiOptions',
		options: [
			{ name: 'First-Time Buyer (1 Order)', value: 'firstTime' },
			{ name: 'No Orders Yet', value: 'none' },
			{ name: 'Repeat Buyer (2+ Orders)', value: 'repeat' },
		],
		default: ['repeat'],
		displayOptions: show(['buyerType']),
	},
	{
		displayName: 'Months',
		name: 'months',
		type: 'multiOptions',
		options: [
			{ name: 'This Month', value: 'current', description: 'The month of the Reference Time (UTC)' },
			{ name: 'Next Month', value: 'next' },
			...['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'].map((name, i) => ({
				name,
				value: String(i + 1),
			})),
		],
		default: ['current'],
		displayOptions: show(['birthMonth']),
	},
	{ displayName: 'Tag', name: 'tag', type: 'string', default: '', placeholder: 'vip', description: 'Letter case is ignored', displayOptions: show(['tag']) },
	{ displayName: 'Product ID', name: 'productId', type: 'string', default: '', placeholder: '7513594', description: 'Exactly as your store sends it', displayOptions: show(['purchasedProduct']) },
	{ displayName: 'SKU', name: 'sku', type: 'string', default: '', description: 'Exactly as your store sends it', displayOptions: show(['purchasedSku']) },
	{ displayName: 'Product Type or Collection', name: 'productType', type: 'string', default: '', placeholder: 'Shoes', displayOptions: show(['purchasedProductType']) },
	{ displayName: 'Product Tag', name: 'productTag', type: 'string', default: '', placeholder: 'summer', displayOptions: show(['purchasedProductTag']) },
	{
		displayName: 'Product ID',
		name: 'viewedProductId',
		type: 'string',
		default: '',
		description: 'Exactly as your store sends it. Leave empty for "any one product viewed that often".',
		displayOptions: show(['viewedProduct']),
	},
	{
		displayName: 'At Least (Times)',
		name: 'times',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 2,
		displayOptions: show(['viewedProduct']),
	},
	{
		displayName: 'Within the Last (Days)',
		name: 'withinDays',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		hint: '0 = any time',
		description: 'Only count what happened in this many days before the Reference Time; 0 means any time',
		displayOptions: show(WINDOW_FIELDS),
	},
];

const LIST_VALUE_PARAMETER: Record<string, string> = {
	tag: 'tag',
	purchasedProduct: 'productId',
	purchasedSku: 'sku',
	purchasedProductType: 'productType',
	purchasedProductTag: 'productTag',
	viewedProduct: 'viewedProductId',
};

/** One condition row from the editor, as canonical rule JSON. */
export function conditionFromParameters(row: IDataObject): RawCondition {
	const uiField = String(row.field ?? 'totalSpent');
	const customType = CUSTOM_FIELDS[uiField];
	const raw: RawCondition = { field: customType ? 'customField' : uiField, operator: '' };
	if (customType) {
		raw.valueType = customType;
		raw.name = row.customFieldName;
	}
	if (uiField === 'score' || uiField === 'scoreTier') raw.name = row.scoreName;
	if (WINDOW_FIELDS.includes(uiField)) raw.withinDays = row.withinDays;
	if (NUMBER_FIELDS.includes(uiField)) {
		raw.operator = String(row.numberOperator ?? '');
		raw.value = row.number;
		raw.value2 = row.number2;
	} else if (DAYS_FIELDS.includes(uiField)) {
		raw.operator = String(row.daysOperator ?? '');
		raw.value = row.days;
		raw.value2 = row.days2;
	} else if (TEXT_FIELDS.includes(uiField)) {
		raw.operator = String(row.textOperator ?? '');
		raw.value = row.text;
	} else if (BOOLEAN_FIELDS.includes(uiField)) {
		raw.operator = String(row.booleanOperator ?? '');
	} else if (LIST_FIELDS.includes(uiField)) {
		raw.operator = String(row.listOperator ?? '');
		raw.value = row[LIST_VALUE_PARAMETER[uiField]];
		if (uiField === 'viewedProduct') raw.times = row.times;
	} else {
		raw.operator = String(row.choiceOperator ?? '');
		raw.value = uiField === 'subscriptionStatus' ? row.statuses : uiField === 'buyerType' ? row.buyerTypes : row.months;
	}
	return raw;
}

/** A rule set from the editor's "Match" and "Conditions" values. */
export function rulesFromParameters(combinator: unknown, conditions: unknown, where: string, fieldPath: string): RuleGroup {
	const rows = ((conditions as IDataObject | undefined)?.condition as IDataObject[] | undefined) ?? [];
	return parseRules({ combinator, conditions: rows.map(conditionFromParameters) }, where, fieldPath);
}

const combinatorProperty = (showFor: Show): INodeProperties => ({
	displayName: 'Match',
	name: 'combinator',
	type: 'options',
	options: [
		{ name: 'All Conditions (AND)', value: 'and' },
		{ name: 'Any Condition (OR)', value: 'or' },
	],
	default: 'and',
	displayOptions: { show: showFor },
});

const conditionsCollection = (description: string, showFor?: Show): INodeProperties => ({
	displayName: 'Conditions',
	name: 'conditions',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true, sortable: true },
	placeholder: 'Add Condition',
	default: {},
	description,
	options: [{ name: 'condition', displayName: 'Condition', values: conditionFields }],
	...(showFor ? { displayOptions: { show: showFor } } : {}),
});

/** "Match" and "Conditions" for one rule set, shown where `showFor` says. */
export function ruleSetProperties(showFor: Show): INodeProperties[] {
	return [
		combinatorProperty(showFor),
		conditionsCollection('Who is in the segment. No conditions: every contact.', showFor),
	];
}

/** Named segments, each its own rule set and output (like the Switch node's rules). */
export function segmentsProperty(showFor: Show): INodeProperties {
	return {
		displayName: 'Segments',
		name: 'segments',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Segment',
		default: {},
		description: 'Each segment gets its own output, in this order',
		displayOptions: { show: showFor },
		options: [
			{
				name: 'values',
				displayName: 'Segment',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'VIP',
						description: 'The name of this segment\'s output',
					},
					{
						displayName: 'Match',
						name: 'combinator',
						type: 'options',
						options: [
							{ name: 'All Conditions (AND)', value: 'and' },
							{ name: 'Any Condition (OR)', value: 'or' },
						],
						default: 'and',
					},
					conditionsCollection('Who is in this segment. No conditions: every contact.'),
				],
			},
		],
	};
}
