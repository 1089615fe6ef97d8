import { specs } from '../schema.js';
import type { FaqItem } from '../types.js';
import type { LoadContext } from './context.js';

/** faq.yaml: the questions the trust page answers up front. */
export function readFaq(ctx: LoadContext): FaqItem[] {
  const file = ctx.optionalFile('faq.yaml');
  if (!file) return [];
  return ctx.items(file, 'faq', specs.faq, 'FAQ entry').map(({ item, path: p }) => ({
    id: item.id as string,
    question: item.question as string,
    answer: item.answer as string,
    citations: (item.citations as never) ?? [],
    at: file.at(p),
  }));
}
