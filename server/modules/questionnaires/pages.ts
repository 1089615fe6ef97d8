import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, NotFoundError } from '../../errors.js';
import { renderAdmin } from '../../lib/page.js';
import { listUsers } from '../staff/queries.js';
import { actorOf } from '../audit/actor.js';
import { ImportError } from './import/errors.js';
import { fileLimits, previewInPool } from './import/run.js';
import { DatabasePendingUploads, MemoryPendingUploads, type PendingUploads } from './pending.js';
import { countItems, findItem, listItems, listSections, type ItemFilter } from './queries.js';
import { backTo, bandRange, filterQuery, gridRow, parseFilter, type GridFilter } from './grid.js';
import { bulkDecide, previewBulkApprove, undoBatch, type BulkAction, type BulkSelection } from './bulk.js';
import { listQuestionnaireOverviews, updateDetails } from './workflow.js';
import { today } from '../../clock.js';
import { explain, loadWhyContext } from './why.js';
import { readUpload, sheetList } from './upload.js';
import { bodyOf, text, textList } from '../../plugins/input.js';
import { AUDIENCES, questionnaireResult, reviewItem, toQuestionView, uploadQuestionnaire, type EditOutcome, type ReviewAction } from './service.js';

const SHORT = ['Yes', 'No', 'Partial', 'N/A'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const itemBody = bodyOf({ action: { type: 'string', enum: ['approve', 'reject', 'edit', 'assign', 'swap'] }, reason: text(2000), answer: text(20), text: text(20_000), saveAsPhrasing: text(10), answerId: text(200), assignee: text(254), back: text(1000), outcome: { type: 'string', enum: ['questionnaire', 'update-library', 'new-library'] }, newKind: text(20), newControls: text(2000), newAccess: text(20), matchConfirmed: text(10) }, ['action']);

/** An edit from the form: its outcome, and the phrasing only when the reviewer confirmed the match. */
function editDecision(body: Record<string, string | undefined>): ReviewAction {
  return {
    action: 'edit',
    answer: body.answer ?? '',
    text: body.text ?? '',
    outcome: (body.outcome as EditOutcome | undefined) ?? 'questionnaire',
    newAnswer: { kind: body.newKind || undefined, controls: (body.newControls ?? '').split(/[\s,]+/).filter(Boolean), access: body.newAccess || undefined },
    matchConfirmed: body.matchConfirmed === 'on',
    saveAsPhrasingOf: body.saveAsPhrasing === 'on' ? body.answerId || null : null,
  };
}
const bulkBody = bodyOf({ action: { type: 'string', enum: ['approve', 'reject', 'assign'] }, items: textList(20), reason: text(2000), assignee: text(254), confirmed: text(1), back: text(1000) });

/** The progressive-enhancement script asks for JSON; a plain form post gets a redirect. */
function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').startsWith('application/json');
}

const DONE_WORD: Record<ReviewAction['action'], string> = { approve: 'approved', reject: 'rejected', edit: 'edited', assign: 'assigned', swap: 'swapped' };

/** The success line after a form post, from the redirect's own query string (fixed words only). */
function doneMessage(query: Record<string, string | undefined>): string | null {
  const count = Number(query.count) || 0;
  const rows = `${count} ${count === 1 ? 'question' : 'questions'}`;
  switch (query.done) {
    case 'approved': case 'rejected': case 'edited': case 'assigned': case 'swapped':
      return `Saved: the question was ${query.done === 'swapped' ? 'answered with the runner-up instead' : query.done}.`;
    case 'bulk-approve': return `Approved ${rows}.`;
    case 'bulk-reject': return `Rejected ${rows}.`;
    case 'bulk-assign': return `Assigned ${rows}.`;
    case 'undone': return `Undone: ${rows} back to pending.`;
    default: return null;
  }
}

/** Adds the success note to a back link (before its #fragment). */
function withDone(url: string, extra: Record<string, string>): string {
  const [path, fragment] = url.split('#');
  const [base, query] = path.split('?');
  const params = new URLSearchParams(query ?? '');
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return `${base}?${params}${fragment ? `#${fragment}` : ''}`;
}

function confirmMessage(preview: Awaited<ReturnType<typeof previewBulkApprove>>): string {
  if (!preview.count) return 'There is nothing to approve: no ticked question is pending with a suggested answer.';
  const lowest = preview.lowest ? ` Lowest confidence: ${preview.lowest.id}, ${preview.lowest.confidence.toFixed(2)}.` : '';
  return `Approve ${preview.count} ${preview.count === 1 ? 'answer' : 'answers'}?${lowest}`;
}

function toItemFilter(filter: GridFilter, bands: { high: number; check: number }, me: string): ItemFilter {
  const range = filter.band ? bandRange(filter.band, bands) : {};
  return {
    status: filter.status,
    reviewState: filter.review,
    section: filter.section,
    assignee: filter.mine ? me : filter.assignee,
    search: filter.q,
    minConfidence: range.min,
    maxConfidence: range.max,
  };
}

interface UploadProblem {
  status: number;
  fileName: string | null;
  message: string;
  advice: string;
}

/** What went wrong with an upload and what to do next; null for errors that are not the file's (5xx). */
function uploadProblem(error: unknown, fileName: string | null): UploadProblem | null {
  if (!(error instanceof AppError) || error.statusCode >= 500 || error.statusCode === 401) return null;
  const advice =
    error.statusCode === 413
      ? 'Upload a smaller file, or split it into several.'
      : error.statusCode === 429
        ? 'Wait until the questionnaires being answered now are done, then upload it again.'
        : error instanceof ImportError
          ? 'Check that it opens in a spreadsheet program and is an .xlsx, .xlsm, .csv or .json file, then upload it again.'
          : 'Correct the form and upload the file again.';
  return { status: error.statusCode, fileName, message: error.message, advice };
}

const itemParams = { type: 'object', properties: { id: text(100), itemId: { type: 'integer', minimum: 1 } }, required: ['id', 'itemId'] } as const;

/** Questions per page of the review page: a 20,000-question file is 200 pages, not 46 MB of HTML. */
export const PAGE_SIZE = 100;


/** The review workspace: upload, watch, filter, decide, export — all plain forms. */
export async function questionnairePages(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;
  // In rows when instances share PostgreSQL: the column choice may reach another instance.
  const pending: PendingUploads = app.deps.databaseKind === 'postgres' ? new DatabasePendingUploads(db) : new MemoryPendingUploads();
  const deps = { db, clock, config: app.config, pool: app.pool, jobs: app.jobs };
  const bands = app.config.confidenceBands;
  // What staff read here is theirs alone: never kept by a browser or a shared cache.
  app.addHook('onSend', async (request, reply) => {
    if (request.staff) reply.header('cache-control', 'private, no-store');
  });
  const services = () => db.selectFrom('services').select(['id', 'name', 'model']).orderBy('position').execute();

  const listPage = async (request: FastifyRequest, reply: FastifyReply, uploadError: UploadProblem | null = null) =>
    renderAdmin(request, reply, 'views/questionnaires/list.hbs', {
      title: 'Questionnaires',
      questionnaires: await listQuestionnaireOverviews(db, clock),
      services: await services(),
      audiences: AUDIENCES.filter((a) => a !== 'internal' || request.staff?.user.role === 'admin'),
      canEdit: request.staff?.user.role !== 'viewer',
      uploadError,
    });

  app.get('/admin/questionnaires', { config: { access: 'viewer' } }, async (request, reply) => listPage(request, reply));

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

  // A file that cannot be taken is said in the upload card, in plain words: staff stay in the admin.
  app.post('/admin/questionnaires', { config: { access: 'editor' } }, async (request, reply) => {
    let fileName: string | null = null;
    try {
      const input = await readUpload(request);
      fileName = input.fileName;
      return await submit(request, reply, input);
    } catch (error) {
      const problem = uploadProblem(error, fileName);
      if (!problem) throw error;
      reply.code(problem.status);
      return listPage(request, reply, problem);
    }
  });

  app.post('/admin/questionnaires/pending/:token', { config: { access: 'editor' }, schema: { body: bodyOf({ questionColumn: text(200), includeHidden: text(10), includeSheets: textList() }) } }, async (request, reply) => {
    const { token } = request.params as { token: string };
    const body = request.body as { questionColumn?: string; includeHidden?: string; includeSheets?: string | string[] };
    const input = await pending.take(token, request.staff!.user.id, clock.now());
    if (!input) throw new NotFoundError('That upload has expired (uploads wait 15 minutes for a column choice). Upload the file again.');
    return submit(request, reply, { ...input, layout: { questionColumn: body.questionColumn || undefined, includeHidden: body.includeHidden === 'on', includeSheets: sheetList(body.includeSheets) } });
  });

  app.get('/admin/questionnaires/:id', { config: { access: 'viewer' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const query = request.query as Record<string, string | undefined>;
    const filter = parseFilter(query);
    const me = request.staff!.user.email;
    const itemFilter = toItemFilter(filter, bands, me);
    const matching = await countItems(db, id, itemFilter);
    const pages = Math.max(1, Math.ceil(matching / PAGE_SIZE));
    const page = Math.min(pages, filter.page ?? 1);
    // The header only: the questions come a page at a time below.
    const result = await questionnaireResult(db, id, { offset: 0, limit: 0 }, today(clock));
    const items = await listItems(db, id, { ...itemFilter, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
    const link = (n: number) => `?${filterQuery(filter, n) || 'page=1'}`;
    const views = items.map(toQuestionView);
    const why = await loadWhyContext(db, views, today(clock), app.config.expiringWithinDays);
    const back = filterQuery(filter, page);
    const staffUsers = (await listUsers(db)).filter((u) => !u.disabled_at).map((u) => u.email);
    const undo = typeof query.undo === 'string' && UUID.test(query.undo) ? query.undo : null;
    return renderAdmin(request, reply, 'views/questionnaires/show.hbs', {
      title: result.name,
      questionnaire: result,
      rows: views.map((view) => ({ ...gridRow(view, bands), explain: explain(view.why, view.citations, why) })),
      filter,
      back,
      filtered: Boolean(filterQuery(filter)),
      sections: await listSections(db, id),
      paging: pages > 1 ? { page, pages, from: (page - 1) * PAGE_SIZE + 1, to: Math.min(matching, page * PAGE_SIZE), matching, previous: page > 1 ? link(page - 1) : null, next: page < pages ? link(page + 1) : null } : null,
      matching,
      page,
      processing: result.status === 'processing',
      savedDetails: query.saved === 'details',
      done: doneMessage(query),
      undo,
      canEdit: request.staff?.user.role !== 'viewer',
      answers: SHORT,
      bands,
      staffUsers,
    });
  });

  app.post('/admin/questionnaires/:id/items/:itemId', { config: { access: 'editor' }, schema: { params: itemParams, body: itemBody } }, async (request, reply) => {
    const { id, itemId } = request.params as { id: string; itemId: string };
    const body = request.body as Record<string, string | undefined>;
    const decision: ReviewAction =
      body.action === 'approve'
        ? { action: 'approve' }
        : body.action === 'reject'
          ? { action: 'reject', reason: body.reason }
          : body.action === 'assign'
            ? { action: 'assign', assignee: body.assignee || null }
            : body.action === 'swap'
              ? { action: 'swap' }
              : editDecision(body);
    await reviewItem(db, clock, id, Number(itemId), decision, actorOf(request));
    if (wantsJson(request)) {
      const item = await findItem(db, id, Number(itemId));
      return { ok: true, row: gridRow(toQuestionView(item!), bands), ...(await headerOf(id)) };
    }
    // Back to the page the reviewer was on: the same filters, search and page, at the row.
    return reply.redirect(withDone(backTo(id, body.back, Number(itemId)), { done: DONE_WORD[decision.action] }), 303);
  });

  /** Bulk approve asks first (count, least certain row); once confirmed it can be undone. */
  const bulk = async (request: FastifyRequest, reply: FastifyReply, selection: BulkSelection) => {
    const { id } = request.params as { id: string };
    const body = request.body as Record<string, string | string[] | undefined>;
    const action = String(body.action ?? 'approve');
    const back = typeof body.back === 'string' ? body.back : '';
    if (action === 'approve' && body.confirmed !== '1') {
      const preview = await previewBulkApprove(db, id, selection);
      // Confirming approves exactly the rows previewed, through the bulk route.
      if (wantsJson(request)) return { confirm: true, ...preview, message: confirmMessage(preview), confirmUrl: `/admin/questionnaires/${id}/bulk` };
      return renderAdmin(request, reply, 'views/questionnaires/confirm-bulk.hbs', {
        title: 'Confirm bulk approval',
        questionnaireId: id,
        message: confirmMessage(preview),
        preview,
        back,
        cancel: backTo(id, back),
        action: `/admin/questionnaires/${id}/bulk`,
      });
    }
    const decision: BulkAction =
      action === 'approve'
        ? { action: 'approve' }
        : action === 'reject'
          ? { action: 'reject', reason: typeof body.reason === 'string' ? body.reason : undefined }
          : { action: 'assign', assignee: typeof body.assignee === 'string' && body.assignee ? body.assignee : null };
    const done = await bulkDecide(db, clock, id, selection, decision, actorOf(request));
    if (wantsJson(request)) {
      const rows = (await listItems(db, id, { itemIds: done.itemIds })).map((item) => gridRow(toQuestionView(item), bands));
      return { ok: true, count: done.count, batch: done.batch, rows, ...(await headerOf(id)) };
    }
    return reply.redirect(withDone(backTo(id, back), { done: `bulk-${decision.action}`, count: String(done.count), ...(done.batch ? { undo: done.batch } : {}) }), 303);
  };

  app.post('/admin/questionnaires/:id/bulk', { config: { access: 'editor' }, schema: { body: bulkBody } }, async (request, reply) => {
    const body = request.body as { items?: string | string[] };
    const itemIds = (Array.isArray(body.items) ? body.items : body.items ? [body.items] : []).map(Number).filter((n) => Number.isInteger(n) && n > 0);
    return bulk(request, reply, { itemIds });
  });

  app.post('/admin/questionnaires/:id/approve-answered', { config: { access: 'editor' }, schema: { body: bulkBody } }, async (request, reply) => bulk(request, reply, { answered: true }));

  app.post('/admin/questionnaires/:id/undo', { config: { access: 'editor' }, schema: { body: bodyOf({ batch: { type: 'string', pattern: UUID.source }, back: text(1000) }, ['batch']) } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = request.body as { batch: string; back?: string };
    const count = await undoBatch(db, clock, id, body.batch, actorOf(request));
    if (wantsJson(request)) return { ok: true, count, ...(await headerOf(id)) };
    return reply.redirect(withDone(backTo(id, body.back), { done: 'undone', count: String(count) }), 303);
  });

  /** What an in-place update needs to refresh the sticky header. */
  const headerOf = async (id: string) => {
    const result = await questionnaireResult(db, id, { offset: 0, limit: 0 }, today(clock));
    return { header: { state: result.state, reviewLine: result.reviewLine, review: result.review } };
  };

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

}
