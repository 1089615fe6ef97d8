import type { ItemSpec } from './schema.js';
import type { FactItem, FactValue, Location, Problem } from './types.js';
import { validateItem, type YamlFile } from './yaml-file.js';

/**
 * content/facts.yaml: the values a provider states once (backup policy per service, retention,
 * notice periods, SLA figures…). Prose shows a fact by writing {{fact.<id>}}; the loader renders
 * it, so an answer, a duty and the FAQ cannot disagree about the number.
 */
const factSpec: ItemSpec = {
  id: { type: 'string', required: true },
  value: { type: 'string' },
  unit: { type: 'string' },
  oneOf: { type: 'string[]' },
  about: { type: 'string[]' },
  note: { type: 'string' },
};

const FACT_ID = /^[a-z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+)*$/;
export const FACT_PLACEHOLDER = /\{\{\s*fact\.([a-zA-Z0-9.-]+?)\s*\}\}/g;

/** Reads the facts list; a fact with a bad id, a missing value or a value outside `oneOf` is an error. */
export function readFacts(file: YamlFile, syncDay: string, problems: Problem[]): FactItem[] {
  const facts: FactItem[] = [];
  const seen = new Set<string>();
  for (const { value: raw, path } of file.list('facts', problems)) {
    const value = raw.value;
    // `value` may be text, a number or true/false; the spec language has no union, so it is checked here.
    const checked = validateItem(file, path, { ...raw, value: undefined }, factSpec, syncDay, problems, 'fact');
    if (!checked) continue;
    const id = checked.id as string;
    const what = `fact "${id}"`;
    if (!FACT_ID.test(id)) problems.push({ level: 'error', ...file.at([...path, 'id']), message: `${what}: ids are dotted words (backup.insights.by)` });
    if (seen.has(id)) problems.push({ level: 'error', ...file.at(path), message: `${what} is stated twice; a fact is said once` });
    seen.add(id);
    if (!(typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') || value === '') {
      problems.push({ level: 'error', ...file.at(path), message: `${what}: "value" must be text, a number or true/false` });
      continue;
    }
    const oneOf = (checked.oneOf as string[] | undefined) ?? null;
    if (oneOf && !oneOf.includes(String(value))) {
      problems.push({ level: 'error', ...file.at([...path, 'value']), message: `${what}: "${String(value)}" is not one of ${oneOf.join(', ')}` });
    }
    facts.push({
      id,
      value,
      unit: (checked.unit as string | undefined) ?? null,
      oneOf,
      about: (checked.about as string[] | undefined) ?? [],
      at: file.at(path),
    });
  }
  return facts;
}

/** How a fact reads in prose: "35 days", "EUR 15000", "99.95%". */
export function factText(fact: Pick<FactItem, 'value' | 'unit'>): string {
  // Large amounts read with a thousands separator (EUR 15,000); fixed locale, so the text never depends on the machine.
  const value = typeof fact.value === 'number' && fact.value >= 10_000 ? fact.value.toLocaleString('en-GB') : String(fact.value);
  if (!fact.unit) return value;
  return /^(days?|hours?|months?|years?|minutes?|weeks?)$/.test(fact.unit) ? `${value} ${fact.unit}` : `${fact.unit} ${value}`;
}

/** Replaces every {{fact.x}} in a text; an unknown fact is reported at the text's location and left visible. */
export function renderFacts(text: string, facts: Map<string, FactItem>, at: Location, what: string, problems: Problem[]): string {
  return text.replace(FACT_PLACEHOLDER, (whole, id: string) => {
    const fact = facts.get(id);
    if (fact) return factText(fact);
    problems.push({ level: 'error', ...at, message: `${what}: unknown fact "${id}" in {{fact.${id}}}` });
    return whole;
  });
}

/** The facts as the engine and the pages read them: id → value. */
export function factValues(facts: FactItem[]): Record<string, FactValue> {
  return Object.fromEntries(facts.map((f) => [f.id, f.value]));
}
