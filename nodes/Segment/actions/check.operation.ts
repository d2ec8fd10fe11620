import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { factsReader } from '../../../lib/domain/contactFacts';
import { InputError } from '../../../lib/domain/errors';
import {
	combineResults,
	compileConditionMatchers,
	compileMatcher,
	explainFailure,
	factNeeds,
	profileFacts,
	type ContactFacts,
	type EvalContext,
	type Matcher,
	type RuleGroup,
} from '../../../lib/domain/segmentRules';
import type { ContactProfile, ContactStore, SegmentCheckRow } from '../../../lib/store';
import { plural } from '../../shared/execute';
import {
	abandonedCartOption,
	chunks,
	contactSourceProperty,
	emailProperty,
	emailReader,
	errorItem,
	evalContext,
	includeContactOption,
	LOOKUP_BATCH,
	parametersAreStatic,
	referenceTimeOption,
	summarizeCounts,
	withFields,
	type ContactSource,
} from './common';
import { FALLBACK_OUTPUT_NAME } from './outputs';
import { ruleSetProperties, rulesFromParameters, segmentsProperty } from './rules';

const show = { operation: ['check'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Matched / Not Matched',
				value: 'matched',
				description: 'One segment: its contacts go to "Matched", the others to "Not Matched"',
			},
			{
				name: 'Route to Segments',
				value: 'segments',
				description: 'Several named segments, one output each (like the Switch node)',
			},
		],
		default: 'matched',
		displayOptions: { show },
	},
	contactSourceProperty(
		['check'],
		'Look the contact up by email in the contact store (all history available). A contact not in the store is "not matched", with found: false and the reason.',
	),
	emailProperty(['check']),
	...ruleSetProperties({ operation: ['check'], mode: ['matched'] }),
	segmentsProperty({ operation: ['check'], mode: ['segments'] }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [
			includeContactOption,
			abandonedCartOption,
			{
				displayName: 'Fallback Output',
				name: 'fallbackOutput',
				type: 'boolean',
				default: false,
				description: `Whether contacts in no segment go to an extra output, "${FALLBACK_OUTPUT_NAME}" (otherwise they are dropped)`,
				displayOptions: { show: { '/mode': ['segments'] } },
			},
			referenceTimeOption,
			{
				displayName: 'Send to All Matching Segments',
				name: 'allMatchingOutputs',
				type: 'boolean',
				default: false,
				description: 'Whether a contact in several segments goes to each of their outputs (otherwise only to the first)',
				displayOptions: { show: { '/mode': ['segments'] } },
			},
		],
	},
];

/** Everything that decides an item's route; the same for all items unless a parameter is an expression. */
interface CheckSpec {
	key: string;
	ruleSets: RuleGroup[];
	context: EvalContext;
	/** Reads only the facts the rules use from an item. */
	readFacts: (json: IDataObject) => ContactFacts;
	/** One matcher per rule set. */
	matchers: Matcher[];
	/** Per rule set, one matcher per condition (to say which failed). */
	conditionMatchers: Matcher[][];
}

interface Plan {
	mode: 'matched' | 'segments';
	names: string[];
	fallback: boolean;
	allMatching: boolean;
	includeContact: boolean;
}

type Verdict =
	| { kind: 'matched'; results: boolean[][] | null; facts?: ContactFacts }
	| { kind: 'unknown' };

function readPlan(ctx: IExecuteFunctions): Plan {
	const mode = ctx.getNodeParameter('mode', 0, 'matched') as Plan['mode'];
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const names =
		mode === 'segments'
			? (((ctx.getNodeParameter('segments', 0, {}) as IDataObject).values as IDataObject[] | undefined) ?? []).map(
					(s, i) => String(s.name ?? '').trim() || `Segment ${i + 1}`,
				)
			: ['Matched'];
	return {
		mode,
		names,
		fallback: mode === 'segments' && options.fallbackOutput === true,
		allMatching: mode === 'segments' && options.allMatchingOutputs === true,
		includeContact: options.includeContact !== false,
	};
}

function readRuleSets(ctx: IExecuteFunctions, i: number, plan: Plan): RuleGroup[] {
	if (plan.mode === 'matched') {
		return [rulesFromParameters(ctx.getNodeParameter('combinator', i, 'and'), ctx.getNodeParameter('conditions', i, {}), 'Conditions', 'conditions')];
	}
	const segments = ((ctx.getNodeParameter('segments', i, {}) as IDataObject).values as IDataObject[] | undefined) ?? [];
	return segments.map((s, k) => rulesFromParameters(s.combinator, s.conditions, `Segment "${plan.names[k]}"`, 'segments'));
}

function specReader(ctx: IExecuteFunctions, plan: Plan): (i: number) => CheckSpec {
	const build = (i: number): CheckSpec => {
		const ruleSets = readRuleSets(ctx, i, plan);
		const context = evalContext(ctx, i);
		return {
			key: JSON.stringify([ruleSets, context]),
			ruleSets,
			context,
			readFacts: factsReader(factNeeds(ruleSets), profileFacts(ruleSets)),
			matchers: ruleSets.map((rules) => compileMatcher(rules, context)),
			conditionMatchers: ruleSets.map((rules) => compileConditionMatchers(rules, context)),
		};
	};
	if (parametersAreStatic(ctx, ['combinator', 'conditions', 'segments', 'options'])) {
		let spec: CheckSpec | undefined;
		return (i) => (spec ??= build(i));
	}
	const cache = new Map<string, CheckSpec>();
	return (i) => {
		const spec = build(i);
		const known = cache.get(spec.key);
		if (known) return known;
		cache.set(spec.key, spec);
		return spec;
	};
}

/**
 * Check: routes every input item by whether its contact is in the segment (or in which
 * segments). Rules are compiled once per run; store lookups go a batch of emails per query.
 */
export async function execute(this: IExecuteFunctions, store: ContactStore | undefined): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const plan = readPlan(this);
	const source = this.getNodeParameter('contactSource', 0, 'store') as ContactSource;
	const outputs: INodeExecutionData[][] = Array.from({ length: plan.mode === 'matched' ? 2 : plan.names.length + (plan.fallback ? 1 : 0) }, () => []);
	const errorOutput = plan.mode === 'matched' ? 1 : plan.fallback ? plan.names.length : 0;
	const routed: Array<Array<[number, INodeExecutionData]>> = new Array(items.length);
	const counts = new Map<string, number>();
	let unknown = 0;
	let dropped = 0;
	const count = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);

	const fail = (i: number, error: unknown) => {
		routed[i] = [[errorOutput, errorItem(this, error, i)]];
	};

	const route = (i: number, spec: CheckSpec, verdict: Verdict, contact?: ContactProfile) => {
		const extra: IDataObject = {};
		if (contact && plan.includeContact) extra.contact = contact as unknown as IDataObject;
		if (verdict.kind === 'unknown') unknown++;
		if (plan.mode === 'matched') {
			let segment: IDataObject;
			if (verdict.kind === 'unknown') {
				segment = { matched: false, found: false, reason: 'Not in the contact store' };
			} else {
				const rules = spec.ruleSets[0];
				const matched = verdict.results ? combineResults(rules, verdict.results[0]) : spec.matchers[0](verdict.facts!);
				if (matched) segment = { matched: true };
				else {
					const results = verdict.results ? verdict.results[0] : spec.conditionMatchers[0].map((matcher) => matcher(verdict.facts!));
					segment = { matched: false, failed: explainFailure(rules, results) };
				}
			}
			const output = segment.matched ? 0 : 1;
			count(output === 0 ? 'matched' : 'not matched');
			routed[i] = [[output, withFields(items[i], i, { ...extra, segment })]];
			return;
		}
		const matchedNames: string[] = [];
		const indexes: number[] = [];
		if (verdict.kind === 'matched') {
			for (let s = 0; s < spec.ruleSets.length; s++) {
				const hit = verdict.results ? combineResults(spec.ruleSets[s], verdict.results[s]) : spec.matchers[s](verdict.facts!);
				if (!hit) continue;
				matchedNames.push(plan.names[s]);
				indexes.push(s);
				if (!plan.allMatching) break;
			}
		}
		if (indexes.length === 0) {
			const segment: IDataObject = { name: null, segments: [] };
			if (verdict.kind === 'unknown') Object.assign(segment, { found: false, reason: 'Not in the contact store' });
			if (plan.fallback) {
				count(FALLBACK_OUTPUT_NAME);
				routed[i] = [[plan.names.length, withFields(items[i], i, { ...extra, segment })]];
			} else {
				dropped++;
				routed[i] = [];
			}
			return;
		}
		routed[i] = indexes.map((s) => {
			count(plan.names[s]);
			return [s, withFields(items[i], i, { ...extra, segment: { name: plan.names[s], segments: matchedNames } })];
		});
	};

	const specFor = specReader(this, plan);
	if (source === 'item') {
		for (let i = 0; i < items.length; i++) {
			try {
				const spec = specFor(i);
				const json = items[i].json;
				// A Marketing Contact "Get" that found no one: not matched, like an unknown email in the store.
				if (json.found === false && json.contact === null) {
					route(i, spec, { kind: 'unknown' });
					continue;
				}
				route(i, spec, { kind: 'matched', results: null, facts: spec.readFacts(json) });
			} catch (error) {
				fail(i, error);
			}
		}
	} else {
		if (!store) throw new InputError('No contact store', 'contactSource');
		const emailOf = emailReader(this);
		const groups = new Map<string, { spec: CheckSpec; entries: Array<{ i: number; email: string }> }>();
		for (let i = 0; i < items.length; i++) {
			try {
				const spec = specFor(i);
				const email = emailOf(i);
				let group = groups.get(spec.key);
				if (!group) groups.set(spec.key, (group = { spec, entries: [] }));
				group.entries.push({ i, email });
			} catch (error) {
				fail(i, error);
			}
		}
		for (const { spec, entries } of groups.values()) {
			for (const batch of chunks(entries, LOOKUP_BATCH)) {
				let found: Map<string, SegmentCheckRow>;
				try {
					found = await store.checkSegmentContacts([...new Set(batch.map((e) => e.email))], spec.ruleSets, spec.context, plan.includeContact);
				} catch (error) {
					for (const { i } of batch) fail(i, error);
					continue;
				}
				for (const { i, email } of batch) {
					const row = found.get(email);
					route(i, spec, row ? { kind: 'matched', results: row.results } : { kind: 'unknown' }, row?.contact);
				}
			}
		}
	}

	for (const entries of routed) for (const [output, item] of entries ?? []) outputs[output].push(item);

	if (counts.size > 0) {
		const total = items.length;
		this.addExecutionHints({
			message:
				plan.mode === 'matched'
					? `${counts.get('matched') ?? 0} of ${plural(total, 'contact')} matched`
					: `${plural(total, 'contact')} checked: ${summarizeCounts(counts)}`,
			type: 'info',
			location: 'outputPane',
		});
	}
	if (unknown > 0) {
		this.addExecutionHints({ message: `${plural(unknown, 'contact was', 'contacts were')} not in the contact store`, type: 'warning', location: 'outputPane' });
	}
	if (dropped > 0) {
		this.addExecutionHints({
			message: `${plural(dropped, 'contact')} matched no segment and ${dropped === 1 ? 'was' : 'were'} dropped (turn on the Fallback Output option to keep them)`,
			type: 'info',
			location: 'outputPane',
		});
	}
	return outputs;
}
