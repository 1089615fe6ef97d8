import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../errors.js';
import { renderTrustPage } from '../trust-page/render.js';
import { bodyOf, text } from '../../plugins/input.js';
import { confirm, subscribe, unsubscribe } from './service.js';

export async function subscriptionRoutes(app: FastifyInstance): Promise<void> {
  const ctx = { db: app.deps.db, clock: app.deps.clock, config: app.config };
  const limit = { rateLimit: { max: app.config.publicFormRateLimit, timeWindow: 60_000 } };
  const flush = () => void app.mail.flush().catch((e: unknown) => app.log.error({ err: e }, 'mail delivery failed'));
  const page = (message: string, extra: Record<string, unknown> = {}) => () => ({ title: 'Change notices', message, ...extra });

  app.get('/subscribe', { config: { access: 'public' } }, (request, reply) => renderTrustPage(app, request, reply, 'views/trust/subscribe.hbs', page('')));

  app.post('/subscribe', { config: { access: 'public', ...limit }, schema: { body: bodyOf({ email: text(254) }) } }, async (request, reply) => {
    try {
      await subscribe(ctx, (request.body as { email?: unknown }).email, request.ip);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      reply.code(400);
      return renderTrustPage(app, request, reply, 'views/trust/subscribe.hbs', page('', { error: error.message }));
    }
    flush();
    return renderTrustPage(app, request, reply, 'views/trust/subscribe.hbs', page('Check your inbox: follow the link we sent to confirm the subscription.', { done: true }));
  });

  // Opening a link only shows a button, so mail scanners that prefetch links change nothing.
  app.get('/subscribe/:token', { config: { access: 'public' } }, (request, reply) =>
    renderTrustPage(app, request, reply, 'views/trust/subscribe-confirm.hbs', () => ({ title: 'Confirm subscription', token: (request.params as { token: string }).token, action: 'subscribe' })),
  );
  app.post('/subscribe/:token', { config: { access: 'public', ...limit } }, async (request, reply) => {
    const email = await confirm(ctx, (request.params as { token: string }).token);
    return renderTrustPage(app, request, reply, 'views/trust/subscribe.hbs', page(`${email} will receive change notices. Every notice has a one-click unsubscribe link.`, { done: true }));
  });
  app.get('/unsubscribe/:token', { config: { access: 'public' } }, (request, reply) =>
    renderTrustPage(app, request, reply, 'views/trust/subscribe-confirm.hbs', () => ({ title: 'Unsubscribe', token: (request.params as { token: string }).token, action: 'unsubscribe' })),
  );
  // RFC 8058 one-click: mail clients POST here without a form, so no CSRF token is expected.
  app.post('/unsubscribe/:token', { config: { access: 'public', csrf: false, ...limit } }, async (request, reply) => {
    const email = await unsubscribe(ctx, (request.params as { token: string }).token);
    return renderTrustPage(app, request, reply, 'views/trust/subscribe.hbs', page(`${email} is unsubscribed.`, { done: true }));
  });
}
