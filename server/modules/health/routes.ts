import type { FastifyInstance } from 'fastify';
import { pingDatabase } from '../../db/connect.js';
import { findLatestRevision } from '../content/queries.js';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async (_request, reply) => {
    const { db, databaseKind } = app.deps;
    if (!(await pingDatabase(db))) {
      return reply.code(503).send({ status: 'unavailable', database: databaseKind, message: 'The database is unreachable.' });
    }
    const revision = await findLatestRevision(db);
    return { status: 'ok', database: databaseKind, contentRevision: revision ? `${revision.id}:${revision.hash.slice(0, 12)}` : null };
  });
}
