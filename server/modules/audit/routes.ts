import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../errors.js';
import { renderAdmin } from '../../lib/page.js';
import { toCsv } from '../../lib/csv.js';
import { listAuditRows, type AuditFilter } from './queries.js';
import { appendAudit, verifyAuditChain } from './service.js';
import { actorOf } from './actor.js';

function parseDay(value: string | undefined, name: string, endOfDay = false): Date | undefined {
  if (!value) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new ValidationError(`${name} must be a date like 2026-11-28.`);
  const d = new Date(`${value}T00:00:00Z`);
  if (endOfDay) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

function filterOf(request: FastifyRequest): AuditFilter & { query: Record<string, string | undefined> } {
  const query = request.query as Record<string, string | undefined>;
  const limit = query.limit ? Number(query.limit) : 200;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ValidationError('limit must be between 1 and 10000.');
  return {
    actor: query.actor || undefined,
    action: query.action || undefined,
    subject: query.subject || undefined,
    from: parseDay(query.from, 'from'),
    to: parseDay(query.to, 'to', true),
    limit,
    query,
  };
}

export async function auditRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;

  app.get('/admin/audit', { config: { access: 'admin' } }, async (request, reply) => {
    const filter = filterOf(request);
    const [entries, chain] = await Promise.all([listAuditRows(db, filter), verifyAuditChain(db)]);
    const csvQuery = new URLSearchParams(Object.entries(filter.query).filter((e): e is [string, string] => Boolean(e[1]))).toString();
    return renderAdmin(request, reply, 'views/audit/list.hbs', { title: 'Audit log', entries, filter: filter.query, chain, csvQuery });
  });

  app.get('/admin/audit.csv', { config: { access: 'admin' } }, async (request, reply) => {
    const filter = filterOf(request);
    const rows = await listAuditRows(db, { ...filter, limit: filter.query.limit ? filter.limit : 10_000 });
    // The log holds emails and addresses: taking a copy of it is itself on the log.
    await appendAudit(db, app.deps.clock, { ...actorOf(request), action: 'audit.exported', details: { rows: rows.length, filter: filter.query } });
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit-log.csv"');
    return toCsv(
      ['id', 'at', 'actor', 'actor_kind', 'action', 'subject', 'details', 'ip', 'key_id', 'hash'],
      rows.map((r) => [r.id, r.at, r.actor, r.actor_kind, r.action, r.subject, r.details, r.ip, r.key_id, r.hash]),
    );
  });

  app.get('/api/v1/audit', { config: { access: 'admin' } }, async (request) => {
    const entries = await listAuditRows(db, filterOf(request));
    return { entries: entries.map(({ prev_hash: _prev, ...e }) => e) };
  });

  app.get('/api/v1/audit/verify', { config: { access: 'admin' } }, async () => verifyAuditChain(db));
}
