import type { FastifyInstance } from 'fastify';
import { renderAdmin } from '../../lib/page.js';
import { bodyOf, text, textList } from '../../plugins/input.js';
import { actorOf } from '../audit/actor.js';
import { exportCheck, reanswerItems } from './export-check.js';
import { requireQuestionnaire } from './service.js';

/** The check before export: what goes out, what stays blank, what may no longer hold; re-answer from here. */
export async function questionnaireExportPages(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;
  app.addHook('onSend', async (request, reply) => {
    if (request.staff) reply.header('cache-control', 'private, no-store');
  });

  app.get('/admin/questionnaires/:id/export-check', { config: { access: 'viewer' } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const questionnaire = await requireQuestionnaire(db, id);
    const check = await exportCheck(db, clock, app.config, id);
    const { reanswered } = request.query as { reanswered?: string };
    return renderAdmin(request, reply, 'views/questionnaires/export-check.hbs', {
      title: `Before you export: ${questionnaire.name}`,
      questionnaire,
      check,
      ready: questionnaire.status === 'ready',
      reanswered: reanswered && /^\d+$/.test(reanswered) ? Number(reanswered) : null,
      canEdit: request.staff?.user.role !== 'viewer',
    });
  });

  app.post(
    '/admin/questionnaires/:id/reanswer',
    { config: { access: 'editor' }, schema: { body: bodyOf({ items: textList(20), scope: { type: 'string', enum: ['rows', 'stale'] } }) } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = request.body as { items?: string | string[]; scope?: string };
      // "Re-answer all" takes every row the check finds stale now, not a list sent from the page.
      const itemIds =
        body.scope === 'stale'
          ? (await exportCheck(db, clock, app.config, id)).stale.map((s) => s.itemId)
          : (Array.isArray(body.items) ? body.items : body.items ? [body.items] : []).map(Number).filter((n) => Number.isInteger(n) && n > 0);
      const count = await reanswerItems(db, clock, app.config, await app.engine.get(), id, itemIds, actorOf(request));
      return reply.redirect(`/admin/questionnaires/${id}/export-check?reanswered=${count}`, 303);
    },
  );
}
