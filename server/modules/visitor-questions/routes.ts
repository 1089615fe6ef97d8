import { bodyOf, text } from '../../plugins/input.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../errors.js';
import { renderAdmin } from '../../lib/page.js';
import { answerOptions } from '../questionnaires/service.js';
import { actorOf } from '../staff/routes.js';
import { renderTrustPage } from '../trust-page/render.js';
import { publicAnswer } from './public-answer.js';
import { closeVisitorQuestion, listVisitorQuestions, sendVisitorQuestion, type VisitorQuestionContext } from './service.js';

/** "Ask a security question" for the public, and the questions visitors sent, for staff. */
export async function visitorQuestionRoutes(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;
  const formLimit = { rateLimit: { max: app.config.publicFormRateLimit, timeWindow: 60_000 } };
  const flush = () => void app.mail.flush().catch((e: unknown) => app.log.error({ err: e }, 'mail delivery failed'));

  async function context(): Promise<VisitorQuestionContext> {
    const provider = (await db.selectFrom('content_documents').select('data').where('id', '=', 'provider').executeTakeFirst())?.data as
      | { name?: string; securityContact?: { email?: string } }
      | undefined;
    return { db, clock, teamEmail: app.config.securityTeamEmail ?? provider?.securityContact?.email ?? null, providerName: provider?.name ?? 'The provider' };
  }

  async function ask(question: string, service: string | null) {
    const engine = await app.engine.get();
    // The public page always reads as the public: nothing under NDA or internal is used or named.
    const result = engine.answer({ id: 'ask', sheet: null, row: null, question }, answerOptions(app.config, clock, 'public', service));
    return publicAnswer(engine, result);
  }

  const askPage = (request: FastifyRequest, reply: Parameters<typeof renderTrustPage>[2], model: Record<string, unknown>) =>
    renderTrustPage(app, request, reply, 'views/trust/ask.hbs', () => ({ title: 'Ask a security question', ...model }));

  // The engine is the costliest public page: limited like POST /api/v1/answer.
  app.get('/ask', { config: { access: 'public', rateLimit: { max: 60, timeWindow: 60_000 } } }, async (request, reply) => {
    const { q, service } = request.query as { q?: string; service?: string };
    const question = (q ?? '').trim().slice(0, 2000);
    if (!question) return askPage(request, reply, { question });
    const found = await ask(question, service || null);
    return askPage(request, reply, { question, ...found, yesNo: found.result.kind === 'yes-no' && found.result.answer });
  });

  app.post('/ask/security-team', { config: { access: 'public', ...formLimit }, schema: { body: bodyOf({ question: text(2000), email: text(254) }) } }, async (request, reply) => {
    const body = (request.body ?? {}) as { question?: unknown; email?: unknown };
    try {
      const sent = await sendVisitorQuestion(await context(), body, request.ip);
      if (sent) flush();
      return askPage(request, reply, { sent: true });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      reply.code(400);
      return askPage(request, reply, { question: typeof body.question === 'string' ? body.question : '', email: typeof body.email === 'string' ? body.email : '', error: error.message, published: false });
    }
  });

  app.post('/api/v1/visitor-questions', { config: { access: 'public', ...formLimit }, schema: { body: bodyOf({ question: text(2000), email: text(254) }, ['question', 'email']) } }, async (request, reply) => {
    const body = (request.body ?? {}) as { question?: unknown; email?: unknown };
    const id = await sendVisitorQuestion(await context(), body, request.ip);
    if (id) flush();
    // The same answer whether or not the hourly allowance was used up: nothing to probe.
    return reply.code(202).send({ received: true });
  });

  app.get('/admin/visitor-questions', { config: { access: 'viewer' } }, async (request, reply) => {
    const { status } = request.query as { status?: string };
    const filter = status === 'open' || status === 'done' ? status : undefined;
    return renderAdmin(request, reply, 'views/visitor-questions/list.hbs', {
      title: 'Visitor questions',
      questions: await listVisitorQuestions(db, filter),
      filter: { status: filter },
      canEdit: request.staff?.user.role !== 'viewer',
    });
  });

  app.get('/api/v1/visitor-questions', { config: { access: 'viewer' } }, async () => ({ questions: await listVisitorQuestions(db) }));

  app.post('/admin/visitor-questions/:id/done', { config: { access: 'editor' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    await closeVisitorQuestion(db, clock, id, actorOf(request));
    return reply.redirect('/admin/visitor-questions?status=open', 303);
  });

  app.post('/api/v1/visitor-questions/:id/done', { config: { access: 'editor' }, schema: { body: bodyOf({ libraryAnswerId: text(200) }) } }, async (request) => {
    const { id } = request.params as { id: string };
    const body = (request.body ?? {}) as { libraryAnswerId?: unknown };
    await closeVisitorQuestion(db, clock, id, actorOf(request), typeof body.libraryAnswerId === 'string' && body.libraryAnswerId ? body.libraryAnswerId : null);
    return { ok: true };
  });
}
