import path from 'node:path';
import { specs } from '../schema.js';
import type { AnswerItem, Problem } from '../types.js';
import type { YamlFile } from '../yaml-file.js';
import type { CheckedItem, LoadContext } from './context.js';

/** library/: the answer library, one file per topic (the file name is the topic). */
export function readLibrary(ctx: LoadContext): AnswerItem[] {
  const answers: AnswerItem[] = [];
  for (const absolute of ctx.yamlFilesIn('library')) {
    const file = ctx.read(absolute);
    const topic = path.basename(absolute).replace(/\.ya?ml$/, '');
    for (const checked of ctx.items(file, 'answers', specs.answer, 'answer')) answers.push(toAnswer(file, topic, checked));
  }
  return answers;
}

function toAnswer(file: YamlFile, topic: string, { item, path: p }: CheckedItem): AnswerItem {
  return {
    id: item.id as string,
    topic,
    question: item.question as string,
    phrasings: item.phrasings as string[],
    kind: (item.kind as AnswerItem['kind'] | undefined) ?? 'yes-no',
    answer: (item.answer as AnswerItem['answer'] | undefined) ?? null,
    asOf: (item.asOf as string | undefined) ?? null,
    explanation: item.explanation as string,
    controls: item.controls as string[],
    evidence: (item.evidence as string[] | undefined) ?? [],
    access: item.access as AnswerItem['access'],
    owner: item.owner as string,
    reviewed: item.reviewed as string,
    services: (item.services as AnswerItem['services'] | undefined) ?? {},
    at: file.at(p),
  };
}

/** A canonical short answer belongs to yes/no and event answers only; an event states its day. */
export function checkAnswerKind(answer: AnswerItem, problems: Problem[]): void {
  const canonical = answer.kind === 'yes-no' || answer.kind === 'event';
  if (canonical && !answer.answer) problems.push({ level: 'error', ...answer.at, message: `library answer "${answer.id}" (${answer.kind}) needs an "answer"` });
  if (!canonical && answer.answer) {
    problems.push({ level: 'error', ...answer.at, message: `library answer "${answer.id}" is ${answer.kind === 'open' ? 'an open question' : `a ${answer.kind} question`}: a canonical "answer" (${answer.answer}) would force Yes/No onto it; remove it` });
  }
  if (answer.kind === 'event' && !answer.asOf) problems.push({ level: 'error', ...answer.at, message: `library answer "${answer.id}" is an event: give the day it is true on ("asOf")` });
}
