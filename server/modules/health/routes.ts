import type { FastifyInstance } from 'fastify';
import { pingDatabase } from '../../db/connect.js';
import { pendingMigrations } from '../../db/migrate.js';
import { findLatestRevision } from '../content/queries.js';

/**
 * Three probes with three meanings: /livez (the process answers: restart it if not), /readyz
 * (it can serve: route traffic to it), /healthz (the database answers, with the content revision).
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async (_request, reply) => {
    const { db, databaseKind } = app.deps;
    if (!(await pingDatabase(db))) {
      return reply.code(503).send({ status: 'unavailable', database: databaseKind, message: 'The database is unreachable.' });
    }
    const revision = await findLatestRevision(db);
    return { status: 'ok', database: databaseKind, contentRevision: revision ? `${revision.id}:${revision.hash.slice(0, 12)}` : null };
  });

  // Touches nothing outside the process: a database outage must not make an orchestrator restart every instance.
  app.get('/livez', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    const { db, databaseKind } = app.deps;
    if (!(await pingDatabase(db))) {
      return reply.code(503).send({ status: 'unavailable', database: databaseKind, message: 'The database is unreachable.' });
    }
    const pending = await pendingMigrations(db).catch(() => null);
    if (pending === null) return reply.code(503).send({ status: 'unavailable', database: databaseKind, message: 'The migration state could not be read.' });
    if (pending.length) {
      return reply.code(503).send({ status: 'unavailable', database: databaseKind, message: `${pending.length} migration${pending.length === 1 ? '' : 's'} not applied yet.`, pending });
    }
    return { status: 'ok', database: databaseKind };
  });
}
