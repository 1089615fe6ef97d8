import type { FastifyInstance } from 'fastify';
import { renderAdmin } from '../../lib/page.js';

/** The admin landing page; the operating-model sections add their pictures here. */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  app.get('/admin', { config: { access: 'viewer' } }, async (request, reply) =>
    renderAdmin(request, reply, 'views/dashboard/index.hbs', { title: 'Dashboard' }),
  );
}
