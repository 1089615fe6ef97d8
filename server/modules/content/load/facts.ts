import { readFacts, renderFacts } from '../facts.js';
import type { AnswerItem, ContentBundle, FactItem, Problem } from '../types.js';
import type { LoadContext } from './context.js';

/** facts.yaml: the values prose refers to (see ../facts.ts). */
export function readFactsFile(ctx: LoadContext): FactItem[] {
  const file = ctx.optionalFile('facts.yaml');
  if (file?.data === undefined || file.data === null) return [];
  return readFacts(file, ctx.syncDay, ctx.problems);
}

/**
 * Prose that shows a fact writes {{fact.<id>}}; here it becomes the fact's value. It runs once
 * everything is read, over answers, duties and the FAQ, so each can cite the same figure.
 */
export function renderFactsIn(bundle: ContentBundle, problems: Problem[]): void {
  const facts = new Map(bundle.facts.map((f) => [f.id, f]));
  const render = (text: string, at: AnswerItem['at'], what: string) => renderFacts(text, facts, at, what, problems);
  for (const answer of bundle.library) {
    answer.explanation = render(answer.explanation, answer.at, `answer "${answer.id}"`);
    for (const override of Object.values(answer.services)) {
      if (override.explanation) override.explanation = render(override.explanation, answer.at, `answer "${answer.id}"`);
    }
  }
  for (const r of bundle.responsibilities) {
    const what = `responsibility ${r.controlId} / ${r.serviceId}`;
    if (r.provider) r.provider = render(r.provider, r.at, what);
    if (r.customer) r.customer = render(r.customer, r.at, what);
    for (const o of Object.values(r.regions)) {
      if (o.provider) o.provider = render(o.provider, r.at, what);
      if (o.customer) o.customer = render(o.customer, r.at, what);
    }
  }
  for (const r of bundle.ismsPractices) r.provider = render(r.provider, r.at, `responsibility ${r.controlId} / isms`);
  for (const entry of bundle.faq) entry.answer = render(entry.answer, entry.at, `FAQ entry "${entry.id}"`);
}
