import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.js';
import { renderAdmin } from '../../lib/page.js';
import { actorOf } from '../audit/actor.js';
import { bodyOf, text } from '../../plugins/input.js';
import { findAnswer, listAnswerHistory } from './queries.js';
import { editAnswer, findOverlaps, listAnswers, type AnswerEdit } from './service.js';

const optional = (max: number) => ({ ...text(max), default: '' });
const editBody = bodyOf(
  { question: text(2000), phrasings: optional(20_000), answer: text(20), explanation: text(20_000), controls: text(2000), evidence: optional(2000), access: text(20) },
  ['question', 'answer', 'explanation', 'controls', 'access'],
);

export async function libraryRoutes(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;

  app.get('/api/v1/library', { config: { access: 'editor' } }, async () => ({
    answers: (await listAnswers(db)).map((a) => ({
      id: a.id,
      topic: a.topic,
      question: a.question,
      phrasings: a.phrasings,
      answer: a.answer,
      explanation: a.explanation,
      controls: a.control_ids,
      evidence: a.evidence_ids,
      access: a.access,
      owner: a.owner,
      reviewed: a.reviewed_on,
      services: a.service_overrides,
      editedBy: a.edited_by,
      editedAt: a.edited_at,
    })),
  }));

  app.get('/admin/library', { config: { access: 'viewer' } }, async (request, reply) => {
    const { q, topic } = request.query as { q?: string; topic?: string };
    const answers = await listAnswers(db);
    const overlaps = findOverlaps(await app.engine.get(), answers.map((a) => ({ id: a.id, question: a.question, answer: a.answer, phrasings: a.phrasings })));
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
