import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.js';
import { renderAdmin } from '../../lib/page.js';
import { actorOf } from '../audit/actor.js';
import { bodyOf, text } from '../../plugins/input.js';
import { findAnswer, listAnswerHistory } from './queries.js';
import { editAnswer, libraryOverlaps, listAnswers, type AnswerEdit } from './service.js';
import { createLibraryAnswer, KINDS, LEVELS, SHORT_ANSWERS, updateLibraryAnswer, type LibraryAnswerInput } from './write.js';
import { closeVisitorQuestion, findVisitorQuestion } from '../visitor-questions/service.js';

const lines = (value: string | undefined) => (value ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
const words = (value: string | undefined) => (value ?? '').split(/[\s,]+/).map((l) => l.trim()).filter(Boolean);

/** The admin form's fields as a library answer. */
export function formInput(body: Record<string, string | undefined>): LibraryAnswerInput {
  return {
    topic: body.topic || undefined,
    question: body.question ?? '',
    phrasings: lines(body.phrasings),
    kind: body.kind || 'yes-no',
    answer: body.answer || null,
    asOf: body.asOf || null,
    explanation: body.explanation ?? '',
    controls: words(body.controls),
    evidence: words(body.evidence),
    access: body.access || 'nda',
    owner: body.owner || undefined,
  };
}

const optional = (max: number) => ({ ...text(max), default: '' });
const editBody = bodyOf(
  { question: text(2000), phrasings: optional(20_000), answer: text(20), explanation: text(20_000), controls: text(2000), evidence: optional(2000), access: text(20) },
  ['question', 'answer', 'explanation', 'controls', 'access'],
);

const stringList = { type: 'array', maxItems: 200, items: { type: 'string', maxLength: 2000 } } as const;
const nullableText = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;
const apiFields = {
  id: text(100),
  topic: text(100),
  question: text(2000),
  phrasings: stringList,
  kind: { type: 'string', enum: KINDS },
  answer: { type: ['string', 'null'], enum: [...SHORT_ANSWERS, null] },
  asOf: nullableText(10),
  explanation: text(20_000),
  controls: stringList,
  evidence: stringList,
  access: { type: 'string', enum: LEVELS },
  owner: text(200),
};
const createApiBody = { ...bodyOf(apiFields, ['question', 'explanation', 'controls']), additionalProperties: false };
const patchApiBody = { ...bodyOf(apiFields), additionalProperties: false };
const newFormBody = bodyOf(
  { question: text(2000), phrasings: optional(20_000), kind: text(20), answer: optional(20), asOf: optional(10), explanation: text(20_000), controls: text(2000), evidence: optional(2000), access: text(20), owner: optional(200), topic: optional(100), visitorQuestion: optional(100) },
  ['question', 'explanation', 'controls'],
);

export async function libraryRoutes(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;

  // Staff write library answers here; truth's visitor questions link to the form.
  app.post('/api/v1/library', { config: { access: 'editor' }, schema: { body: createApiBody } }, async (request, reply) => {
    const id = await createLibraryAnswer(db, clock, request.body as LibraryAnswerInput, actorOf(request));
    return reply.code(201).header('location', `/admin/library/${encodeURIComponent(id)}`).send({ id });
  });

  app.patch('/api/v1/library/:id', { config: { access: 'editor' }, schema: { body: patchApiBody } }, async (request) => {
    const { id } = request.params as { id: string };
    await updateLibraryAnswer(db, clock, id, request.body as Partial<LibraryAnswerInput>, actorOf(request));
    return { id };
  });

  app.get('/admin/library/new', { config: { access: 'editor' } }, async (request, reply) => {
    const query = request.query as { question?: string; visitorQuestion?: string };
    return renderAdmin(request, reply, 'views/library/new.hbs', {
      title: 'New library answer',
      question: typeof query.question === 'string' ? query.question.slice(0, 2000) : '',
      visitorQuestion: typeof query.visitorQuestion === 'string' ? query.visitorQuestion.slice(0, 100) : '',
      kinds: KINDS,
      shortAnswers: SHORT_ANSWERS,
      levels: LEVELS,
    });
  });

  app.post('/admin/library', { config: { access: 'editor' }, schema: { body: newFormBody } }, async (request, reply) => {
    const body = request.body as Record<string, string>;
    // Checked first, so a wrong link leaves no answer behind.
    if (body.visitorQuestion && !(await findVisitorQuestion(db, body.visitorQuestion))) throw new NotFoundError('No such visitor question.');
    const id = await createLibraryAnswer(db, clock, formInput(body), actorOf(request));
    // Answering a visitor's question closes it, linked to the answer written for it.
    if (body.visitorQuestion) await closeVisitorQuestion(db, clock, body.visitorQuestion, actorOf(request), id);
    return reply.redirect(`/admin/library/${encodeURIComponent(id)}`, 303);
  });

  app.get('/api/v1/library', { config: { access: 'editor' } }, async () => ({
    answers: (await listAnswers(db, { byTopic: true })).map(({ syncedAt: _, ...a }) => a),
  }));

  app.get('/admin/library', { config: { access: 'viewer' } }, async (request, reply) => {
    const { q, topic } = request.query as { q?: string; topic?: string };
    const answers = await listAnswers(db, { byTopic: true });
    // Computed once per knowledge version and stored; a page view only reads them.
    const overlaps = await libraryOverlaps(db, app.engine, clock);
    const needle = q?.toLowerCase().trim();
    const shown = answers.filter(
      (a) => (!topic || a.topic === topic) && (!needle || `${a.id} ${a.question} ${a.phrasings.join(' ')} ${a.explanation}`.toLowerCase().includes(needle)),
    );
    return renderAdmin(request, reply, 'views/library/list.hbs', {
      title: 'Answer library',
      answers: shown,
      total: answers.length,
      topics: [...new Set(answers.map((a) => a.topic))],
      filter: { q, topic },
      overlaps,
    });
  });

  app.get('/admin/library/:id', { config: { access: 'viewer' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const answer = await findAnswer(db, id);
    if (!answer) throw new NotFoundError(`No library answer "${id}".`);
    return renderAdmin(request, reply, 'views/library/show.hbs', {
      title: answer.question,
      answer,
      phrasingsText: answer.phrasings.join('\n'),
      history: await listAnswerHistory(db, id),
      canEdit: request.staff?.user.role !== 'viewer',
      shortAnswers: ['Yes', 'No', 'Partial', 'N/A'],
      levels: ['public', 'nda', 'internal'],
    });
  });

  app.post('/admin/library/:id', { config: { access: 'editor' }, schema: { body: editBody } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    await editAnswer(db, clock, id, request.body as AnswerEdit, actorOf(request));
    return reply.redirect(`/admin/library/${encodeURIComponent(id)}`, 303);
  });
}
