import type { FastifyInstance } from 'fastify';
import { findContentDocument } from '../content/queries.js';
import { deliverDueMail } from './service.js';
import { outboxTransport, smtpTransport, type MailTransport } from './transport.js';

declare module 'fastify' {
  interface FastifyInstance {
    mail: { transport: MailTransport; flush(): Promise<{ sent: number; failed: number }> };
  }
}

/** Delivers queued mail right after a change and every half minute, so retries happen by themselves. */
export function registerMail(app: FastifyInstance, options: { background: boolean }): void {
  const { db, clock } = app.deps;
  const transport = app.config.smtpUrl ? smtpTransport(app.config.smtpUrl) : outboxTransport(app.config.dataDir);
  let running: Promise<{ sent: number; failed: number }> | null = null;
  /** MAIL_FROM, else "<Provider> Trust Center <no-reply@host>": mail speaks in the provider's name. */
  const sender = async () => {
    if (app.config.mailFrom) return app.config.mailFrom;
    const provider = await findContentDocument<{ name?: string }>(db, 'provider');
    const name = (provider?.name ?? 'Cloud provider').replace(/["\\\r\n<>]/g, '').trim();
    return `"${name} Trust Center" <no-reply@${new URL(app.config.baseUrl).hostname}>`;
  };
  let again: Promise<{ sent: number; failed: number }> | null = null;
  // A flush asked for while one runs may concern mail that run did not see (queued after it read
  // the outbox): it runs once more when the current one ends, however many ask meanwhile.
  const flush = (): Promise<{ sent: number; failed: number }> => {
    if (running) {
      again ??= running.catch(() => undefined).then(() => {
        again = null;
        return flush();
      });
      return again;
    }
    running = sender()
      .then((from) => deliverDueMail(db, clock, transport, from, (m) => app.log.warn(m)))
      .finally(() => {
        running = null;
      });
    return running;
  };
  app.decorate('mail', { transport, flush });
  if (!options.background) return;
  let timer: NodeJS.Timeout | null = null;
  app.addHook('onReady', async () => {
    if (app.config.env === 'production' && !app.config.smtpUrl) app.log.warn('SMTP_URL is not set: e-mail is written to DATA_DIR/outbox/ instead of being sent');
    timer = setInterval(() => void flush().catch((e: unknown) => app.log.error({ err: e }, 'mail delivery failed')), 30_000);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    await running;
    await again;
  });
}
