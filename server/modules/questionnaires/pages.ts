import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.js';
import { renderAdmin } from '../../lib/page.js';
import { listUsers } from '../staff/queries.js';
import { actorOf } from '../audit/actor.js';
import { ImportError } from './import/errors.js';
import { fileLimits, previewInPool } from './import/run.js';
import { DatabasePendingUploads, MemoryPendingUploads, type PendingUploads } from './pending.js';
import { countItems, listItems } from './queries.js';
import { listQuestionnaireOverviews, updateDetails } from './workflow.js';
import { today } from '../../clock.js';
import { readUpload, sheetList } from './upload.js';
import { bodyOf, text, textList } from '../../plugins/input.js';
import { approveAllAnswered, AUDIENCES, questionnaireResult, reviewItem, toQuestionView, uploadQuestionnaire, type ReviewAction } from './service.js';

const SHORT = ['Yes', 'No', 'Partial', 'N/A'];
const itemParams = { type: 'object', properties: { id: text(100), itemId: { type: 'integer', minimum: 1 } }, required: ['id', 'itemId'] } as const;

/** Questions per page of the review page: a 20,000-question file is 200 pages, not 46 MB of HTML. */
export const PAGE_SIZE = 100;


/** The review workspace: upload, watch, filter, decide, export — all plain forms. */
export async function questionnairePages(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;
  // In rows when instances share PostgreSQL: the column choice may reach another instance.
  const pending: PendingUploads = app.deps.databaseKind === 'postgres' ? new DatabasePendingUploads(db) : new MemoryPendingUploads();
  const deps = { db, clock, config: app.config, pool: app.pool, jobs: app.jobs };
  const services = () => db.selectFrom('services').select(['id', 'name', 'model']).orderBy('position').execute();

  app.get('/admin/questionnaires', { config: { access: 'viewer' } }, async (request, reply) =>
    renderAdmin(request, reply, 'views/questionnaires/list.hbs', {
      title: 'Questionnaires',
      questionnaires: await listQuestionnaireOverviews(db, clock),
      services: await services(),
      audiences: AUDIENCES.filter((a) => a !== 'internal' || request.staff?.user.role === 'admin'),
      canEdit: request.staff?.user.role !== 'viewer',
    }),
  );

  const submit = async (request: Parameters<typeof renderAdmin>[0], reply: Parameters<typeof renderAdmin>[1], input: Awaited<ReturnType<typeof readUpload>>) => {
    try {
      // The page shows "Answering… n of N" and refreshes itself until the job is done.
      const { id } = await uploadQuestionnaire(deps, input, { ...actorOf(request), role: request.staff!.user.role });
      return reply.redirect(`/admin/questionnaires/${id}`, 303);
    } catch (error) {
      if (error instanceof ImportError && /No questions found/.test(error.message)) {
        const token = await pending.put(input, request.staff!.user.id, clock.now());
        const sheets = await previewInPool(app.pool, input.data, input.fileName, fileLimits(app.config));
        reply.code(422);
        return renderAdmin(request, reply, 'views/questionnaires/pick-column.hbs', { title: 'Pick the question column', error: error.message, token, sheets });
      }
      throw error;
    }
  };

  app.post('/admin/questionnaires', { config: { access: 'editor' } }, async (request, reply) => submit(request, reply, await readUpload(request)));

  app.post('/admin/questionnaires/pending/:token', { config: { access: 'editor' }, schema: { body: bodyOf({ questionColumn: text(200), includeHidden: text(10), includeSheets: textList() }) } }, async (request, reply) => {
    const { token } = request.params as { token: string };
    const body = request.body as { questionColumn?: string; includeHidden?: string; includeSheets?: string | string[] };
    const input = await pending.take(token, request.staff!.user.id, clock.now());
    if (!input) throw new NotFoundError('That upload has expired (uploads wait 15 minutes for a column choice). Upload the file again.');
    return submit(request, reply, { ...input, layout: { questionColumn: body.questionColumn || undefined, includeHidden: body.includeHidden === 'on', includeSheets: sheetList(body.includeSheets) } });
  });

  app.get('/admin/questionnaires/:id', { config: { access: 'viewer' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const query = request.query as { status?: string; review?: string; page?: string };
    const filter = { status: query.status || undefined, review: query.review || undefined };
    const matching = await countItems(db, id, { status: filter.status, reviewState: filter.review });
    const pages = Math.max(1, Math.ceil(matching / PAGE_SIZE));
    const page = Math.min(pages, Math.max(1, Math.floor(Number(query.page)) || 1));
    // The header only: the questions come a page at a time below.
    const result = await questionnaireResult(db, id, { offset: 0, limit: 0 }, today(clock));
    const items = await listItems(db, id, { status: filter.status, reviewState: filter.review, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
    const link = (n: number) => `?${new URLSearchParams({ ...(filter.status ? { status: filter.status } : {}), ...(filter.review ? { review: filter.review } : {}), page: String(n) })}`;
    return renderAdmin(request, reply, 'views/questionnaires/show.hbs', {
      title: result.name,
      questionnaire: result,
      questions: items.map(toQuestionView),
      filter,
      paging: pages > 1 ? { page, pages, from: (page - 1) * PAGE_SIZE + 1, to: Math.min(matching, page * PAGE_SIZE), matching, previous: page > 1 ? link(page - 1) : null, next: page < pages ? link(page + 1) : null } : null,
      page,
      processing: result.status === 'processing',
      savedDetails: (request.query as { saved?: string }).saved === 'details',
      canEdit: request.staff?.user.role !== 'viewer',
      answers: SHORT,
      staffUsers: (await listUsers(db)).filter((u) => !u.disabled_at).map((u) => u.email),
    });
  });

  app.post('/admin/questionnaires/:id/items/:itemId', { config: { access: 'editor' }, schema: { params: itemParams, body: bodyOf({ action: text(20), reason: text(2000), answer: text(20), text: text(20_000), saveAsPhrasing: text(10), answerId: text(200), assignee: text(254) }) } }, async (request, reply) => {
    const { id, itemId } = request.params as { id: string; itemId: string };
    const body = request.body as Record<string, string | undefined>;
    const decision: ReviewAction =
      body.action === 'approve'
        ? { action: 'approve' }
        : body.action === 'reject'
          ? { action: 'reject', reason: body.reason }
          : body.action === 'assign'
            ? { action: 'assign', assignee: body.assignee || null }
            : { action: 'edit', answer: body.answer ?? '', text: body.text ?? '', saveAsPhrasingOf: body.saveAsPhrasing === 'on' ? body.answerId || null : null };
    await reviewItem(db, clock, id, Number(itemId), decision, actorOf(request));
    // Back to the page the reviewer was on (only the paging and filter fields are carried).
    const back = new URLSearchParams();
    for (const key of ['status', 'review', 'page'] as const) if (body[key] && /^[a-z0-9]{1,20}$/.test(body[key]!)) back.set(key, body[key]!);
    return reply.redirect(`/admin/questionnaires/${id}${back.size ? `?${back}` : ''}#item-${itemId}`, 303);
  });

  app.post(
    '/admin/questionnaires/:id/details',
    { config: { access: 'editor' }, schema: { body: bodyOf({ customer: text(200), owner: text(254), dueDate: text(10), state: text(20) }) } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = request.body as Record<string, string | undefined>;
      await updateDetails(db, clock, id, { customer: body.customer ?? null, owner: body.owner ?? null, dueDate: body.dueDate ?? null, state: body.state || null }, actorOf(request));
      return reply.redirect(`/admin/questionnaires/${id}?saved=details`, 303);
    },
  );

  app.post('/admin/questionnaires/:id/approve-answered', { config: { access: 'editor' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    await approveAllAnswered(db, clock, id, actorOf(request));
    return reply.redirect(`/admin/questionnaires/${id}`, 303);
  });
}
