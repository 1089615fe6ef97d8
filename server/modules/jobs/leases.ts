import type { FastifyInstance } from 'fastify';
import type { JobQueue } from './service.js';

/**
 * Renews this instance's job leases four times per lease and fails the jobs of instances that
 * stopped renewing theirs, then lets the caller clean up what those jobs worked on. Tests call
 * `jobs.heartbeat()` themselves instead of waiting for a timer.
 */
export function keepJobLeases(app: FastifyInstance, jobs: JobQueue, leaseMs: number, afterLapsed: (count: number) => Promise<void>): void {
  let timer: NodeJS.Timeout | null = null;
  let beating: Promise<void> | null = null;
  const beat = async () => {
    const lapsed = await jobs.heartbeat();
    if (lapsed.length) app.log.warn({ jobs: lapsed.length }, 'jobs of a stopped instance were marked failed');
    await afterLapsed(lapsed.length);
  };
  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      beating ??= beat()
        .catch((e: unknown) => app.log.error({ err: e }, 'job heartbeat failed'))
        .finally(() => (beating = null));
    }, Math.max(250, Math.floor(leaseMs / 4)));
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    await beating;
  });
}
