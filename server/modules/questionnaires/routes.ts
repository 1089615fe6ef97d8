import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../errors.js';
import { publicAnswer } from '../visitor-questions/public-answer.js';
import { readUpload } from './upload.js';
import { bodyOf, text } from '../../plugins/input.js';
import type { AccessLevel } from '../content/tables.js';
import { actorOf } from '../audit/actor.js';
import { exportQuestionnaire } from './export-service.js';
import { listQuestionnaireOverviews, updateDetails, type DetailsInput } from './workflow.js';
import { today } from '../../clock.js';
import { answerOptions, approveAllAnswered, questionnaireResult, requireQuestionnaire, reviewItem, uploadQuestionnaire, type EditOutcome, type ReviewAction } from './service.js';

// Kept here too for imports that still use this path.
export { readUpload, sheetList } from './upload.js';

const itemParams = { type: 'object', properties: { id: text(100), itemId: { type: 'integer', minimum: 1 } }, required: ['id', 'itemId'] } as const;
const reviewBody = bodyOf(
  { action: { type: 'string', enum: ['approve', 'reject', 'edit', 'assign', 'swap'] }, reason: text(2000), answer: text(20), text: text(20_000), saveAsPhrasingOf: text(200), assignee: text(254),
    outcome: { type: 'string', enum: ['questionnaire', 'update-library', 'new-library'] },
    newAnswer: { type: 'object', properties: { kind: text(20), controls: { type: 'array', maxItems: 50, items: text(100) }, access: { type: 'string', enum: ['public', 'nda', 'internal'] } }, additionalProperties: false },
    matchConfirmed: { type: 'boolean' } },
  ['action'],
);
const nullableText = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;
export const detailsBody = bodyOf({ customer: nullableText(200), owner: nullableText(254), dueDate: nullableText(10), state: { type: 'string', enum: ['ready', 'in-review', 'completed'] } });
const answerBody = bodyOf({ question: text(2000), service: text(100), audience: { type: 'string', enum: ['public', 'nda', 'internal'] } }, ['question']);

export async function questionnaireRoutes(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;
  const config = app.config;
  const deps = { db, clock, config, pool: app.pool, jobs: app.jobs };
  // What staff read here is theirs alone: never kept by a browser or a shared cache.
  app.addHook('onSend', async (request, reply) => {
    if (request.staff) reply.header('cache-control', 'private, no-store');
  });

  // Answering runs as a job: the upload returns at once, and GET …/:id (or /api/v1/jobs/:jobId) shows progress.
  app.post('/api/v1/questionnaires', { config: { access: 'editor' } }, async (request, reply) => {
    const input = await readUpload(request);
    const { id, jobId } = await uploadQuestionnaire(deps, input, { ...actorOf(request), role: request.staff!.user.role });
    const { status } = await requireQuestionnaire(db, id);
    return reply.code(201).header('location', `/api/v1/questionnaires/${id}`).send({ id, status, jobId });
  });

  app.get('/api/v1/questionnaires', { config: { access: 'viewer' } }, async () => ({
    questionnaires: (await listQuestionnaireOverviews(db, clock)).map((q) => ({
      id: q.id,
      name: q.name,
      status: q.status,
      state: q.state,
      customer: q.customer,
      owner: q.owner,
      dueDate: q.dueDate,
      overdue: q.overdue,
      review: q.review,
      summary: q.summary,
      service: q.service_id,
      audience: q.audience,
      createdAt: q.created_at,
      createdBy: q.created_by,
    })),
  }));

  // Who the questionnaire is for, who owns it, when it is due and its review stage.
  app.patch('/api/v1/questionnaires/:id', { config: { access: 'editor' }, schema: { body: detailsBody } }, async (request) => {
    const { id } = request.params as { id: string };
    await updateDetails(db, clock, id, request.body as DetailsInput, actorOf(request));
    const { questions: _questions, ...header } = await questionnaireResult(db, id, { offset: 0, limit: 0 }, today(clock));
    return header;
  });

  app.get(
    '/api/v1/questionnaires/:id',
    {
      config: { access: 'viewer' },
      schema: {
        querystring: {
          type: 'object',
          properties: { offset: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 1000 } },
        },
      },
    },
    async (request) => {
      // Opt-in paging: without offset or limit every question comes back, as before.
      const { offset, limit } = request.query as { offset?: number; limit?: number };
      const page = offset === undefined && limit === undefined ? undefined : { offset: offset ?? 0, limit: limit ?? 100 };
      return questionnaireResult(db, (request.params as { id: string }).id, page, today(clock));
    },
  );

  // Exports run on the worker pool; each person may start a few per minute.
  const exportLimit = {
    rateLimit: {
      max: config.limits.exportsPerMinute,
      timeWindow: 60_000,
      hook: 'preHandler' as const,
      keyGenerator: (request: FastifyRequest) => `export:${request.staff?.user.id ?? request.ip}`,
      errorResponseBuilder: (_request: FastifyRequest, context: { max: number; after: string }) => ({
        statusCode: 429,
        message: `You have started ${context.max} exports in the last minute, the most allowed. Try again in ${context.after}.`,
      }),
    },
  };

  app.get('/api/v1/questionnaires/:id/export', { config: { access: 'viewer', ...exportLimit } }, async (request, reply) => {
    const { format = 'xlsx' } = request.query as { format?: string };
    const file = await exportQuestionnaire({ db, clock, config, pool: app.pool }, (request.params as { id: string }).id, format, actorOf(request));
    return reply.header('content-type', file.mediaType).header('content-disposition', `attachment; filename="${file.fileName.replace(/"/g, '')}"`).send(file.body);
  });

  app.post('/api/v1/questionnaires/:id/items/:itemId/review', { config: { access: 'editor' }, schema: { params: itemParams, body: reviewBody } }, async (request) => {
    const { id, itemId } = request.params as { id: string; itemId: string };
    const body = (request.body ?? {}) as Record<string, unknown>;
    const decision = parseDecision(body);
    await reviewItem(db, clock, id, Number(itemId), decision, actorOf(request));
    return { ok: true };
  });

  app.post('/api/v1/questionnaires/:id/approve-answered', { config: { access: 'editor' } }, async (request) => ({
    approved: await approveAllAnswered(db, clock, (request.params as { id: string }).id, actorOf(request)),
  }));

  app.post('/api/v1/answer', { config: { access: 'public', rateLimit: { max: 60, timeWindow: 60_000 } }, schema: { body: answerBody } }, async (request) => {
    const body = (request.body ?? {}) as { question?: unknown; service?: unknown; audience?: unknown };
    if (typeof body.question !== 'string' || !body.question.trim()) throw new ValidationError('Send {"question": "..."}.');
    if (body.question.length > 2000) throw new ValidationError('The question is too long (2,000 characters at most).');
    // Anonymous callers always read as the public; staff may ask for more.
    const staff = request.staffReader;
    const wanted = (typeof body.audience === 'string' ? body.audience : 'nda') as AccessLevel;
    const audience: AccessLevel = !staff ? 'public' : wanted === 'internal' && staff.user.role !== 'admin' ? 'nda' : ['public', 'nda', 'internal'].includes(wanted) ? wanted : 'nda';
    const service = typeof body.service === 'string' && body.service ? body.service : null;
    const engine = await app.engine.get();
    const result = engine.answer({ id: 'q1', sheet: null, row: null, question: body.question.trim() }, answerOptions(config, clock, audience, service));
    if (staff) return result;
    // The public reads only answers given without review; otherwise, plainly, none (and the closest on the subject).
    const shown = publicAnswer(engine, result);
    return { ...shown.result, published: shown.published, closest: shown.closest, askTheTeam: '/ask' };
  });
}

function parseDecision(body: Record<string, unknown>): ReviewAction {
  switch (body.action) {
    case 'approve':
      return { action: 'approve' };
    case 'reject':
      return { action: 'reject', reason: typeof body.reason === 'string' ? body.reason : undefined };
    case 'edit':
      return {
        action: 'edit',
        answer: String(body.answer ?? ''),
        text: String(body.text ?? ''),
        saveAsPhrasingOf: typeof body.saveAsPhrasingOf === 'string' && body.saveAsPhrasingOf ? body.saveAsPhrasingOf : null,
        matchConfirmed: body.matchConfirmed === true,
        outcome: (body.outcome as EditOutcome | undefined) ?? 'questionnaire',
        newAnswer: (body.newAnswer as { kind?: string; controls?: string[]; access?: string } | undefined) ?? undefined,
      };
    case 'assign':
      return { action: 'assign', assignee: typeof body.assignee === 'string' && body.assignee ? body.assignee : null };
    case 'swap':
      return { action: 'swap' };
    default:
      throw new ValidationError('action must be approve, reject, edit, assign or swap.');
  }
}
