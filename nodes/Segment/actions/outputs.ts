/**
 * The node's outputs, computed by n8n from the parameters (like the Switch node's):
 * - Check, "Matched / Not Matched": Matched, Not Matched;
 * - Check, "Route to Segments": one output per segment (its name), plus "Other" when
 *   the Fallback Output option is on;
 * - Sendable: Sendable, Not Sendable;
 * - Find Contacts, RFM Score, Predict Next Order: one output.
 * Written as a literal expression so that what n8n evaluates is exactly what is read here.
 */
export const OUTPUTS_EXPRESSION = (
	"={{((p) => { const main = (displayName) => ({ type: 'main', displayName }); const operation = p.operation || 'check'; " +
	"if (operation === 'sendable') return [main('Sendable'), main('Not Sendable')]; " +
	"if (operation !== 'check') return [{ type: 'main' }]; " +
	"if (p.mode === 'segments') { const outputs = ((p.segments && p.segments.values) || []).map((s, i) => main(s.name || 'Segment ' + (i + 1))); " +
	"if (p.options && p.options.fallbackOutput) outputs.push(main('Other')); return outputs; } " +
	"return [main('Matched'), main('Not Matched')]; })($parameter)}}"
) as `={{${string}}}`;

export const FALLBACK_OUTPUT_NAME = 'Other';
