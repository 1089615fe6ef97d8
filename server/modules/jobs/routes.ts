import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.js';

export async function jobRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/jobs/:id', { config: { access: 'viewer' }, schema: { tags: ['jobs'], summary: 'A job: its state and progress (n of N)' } }, async (request) => {
    const job = await app.jobs.get((request.params as { id: string }).id);
    if (!job) throw new NotFoundError('No such job.');
    return job;
  });
}
