import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { adminPageModel } from '../lib/page.js';
import { siteBase } from '../modules/trust-page/render.js';

function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url === '/healthz' || (request.headers.accept ?? '').startsWith('application/json');
}

interface Rendered {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
}

/** Maps an error to what the client may see: 4xx say what to fix, 5xx reveal nothing inside. */
function describe(error: FastifyError | AppError): Rendered {
  if (error instanceof AppError) return { statusCode: error.statusCode, code: error.code, message: error.message, details: error.details };
  const status = error.statusCode ?? 500;
  if (error.validation) return { statusCode: 400, code: 'validation_error', message: `Invalid request: ${error.message}` };
  if (status === 429) return { statusCode: 429, code: 'rate_limited', message: error.message || 'Too many requests. Wait a moment and try again.' };
  if (status >= 400 && status < 500) return { statusCode: status, code: error.code?.toLowerCase() ?? 'bad_request', message: error.message };
  if (isDatabaseDown(error)) return { statusCode: 503, code: 'service_unavailable', message: 'The database is unreachable. Try again in a moment.' };
  return { statusCode: 500, code: 'internal_error', message: 'Something went wrong on our side. It has been logged.' };
}

function isDatabaseDown(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08006', '08001'].includes(code) || /Connection terminated|timeout exceeded when trying to connect/i.test(error.message);
}

export async function sendError(request: FastifyRequest, reply: FastifyReply, rendered: Rendered): Promise<FastifyReply> {
  reply.code(rendered.statusCode);
  if (wantsJson(request) || !reply.view) {
    return reply.send({ error: { code: rendered.code, message: rendered.message, ...(rendered.details ? { details: rendered.details } : {}) }, requestId: request.id });
  }
  const model = { title: `${rendered.statusCode}`, status: rendered.statusCode, message: rendered.message, requestId: request.id };
  // Signed-in staff on an admin page stay in the admin, with its navigation, not the public site's.
  if (request.staff && !request.staff.mfaPending && request.url.startsWith('/admin')) {
    try {
      return await reply.view('views/error.hbs', await adminPageModel(request, { ...model, home: '/admin' }), { layout: 'layouts/admin.hbs' });
    } catch {
      // The admin frame itself failed (its database read): the plain page below still says what happened.
    }
  }
  // The provider's name and logo from the last view model the trust page loaded (none during a
  // cold outage: the page then says "Cloud provider", never the product's name).
  const site = request.server.site?.peek();
  const identity = site ? siteBase(site, request.url.split('?')[0]!) : {};
  return reply.view('views/error.hbs', { ...identity, ...model }, { layout: 'layouts/main.hbs' });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const rendered = describe(error);
    if (rendered.statusCode >= 500) request.log.error({ err: error, reqId: request.id }, 'request failed');
    else request.log.info({ code: rendered.code, reqId: request.id }, rendered.message);
    return sendError(request, reply, rendered);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendError(request, reply, { statusCode: 404, code: 'not_found', message: 'There is nothing at this address.' }),
  );
}
