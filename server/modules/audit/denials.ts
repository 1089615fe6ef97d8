import type { FastifyError, FastifyInstance } from 'fastify';
import { actorOf } from './actor.js';
import { appendAudit } from './service.js';

/**
 * At most one entry per actor and route per window; what it held back is counted into the next
 * entry it lets through. A script hammering a forbidden route then costs the log one line a
 * minute, not one per request.
 */
export class DenialLimiter {
  private readonly seen = new Map<string, { since: number; suppressed: number }>();

  constructor(private readonly windowMs = 60_000) {}

  /** Null: hold this one back. Otherwise: how many were held back since the last one let through. */
  admit(key: string, now: number): number | null {
    const known = this.seen.get(key);
    if (known && now - known.since < this.windowMs) {
      known.suppressed++;
      return null;
    }
    if (this.seen.size >= 10_000) this.prune(now);
    this.seen.set(key, { since: now, suppressed: 0 });
    return known?.suppressed ?? 0;
  }

  private prune(now: number): void {
    for (const [key, value] of this.seen) if (now - value.since >= this.windowMs) this.seen.delete(key);
  }
}

/**
 * Records on the audit log when a signed-in person or token is refused (403): a role that does
 * not reach, a CSRF failure with a session, an MFA policy. Anonymous refusals are not recorded:
 * anyone can produce them, and they say nothing about an account.
 */
export function registerDenialAudit(app: FastifyInstance): void {
  const limiter = new DenialLimiter();
  const { db, clock } = app.deps;
  app.addHook('onError', async (request, _reply, error: FastifyError) => {
    if (error.statusCode !== 403 || !request.staff) return;
    const by = actorOf(request);
    const route = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
    const suppressed = limiter.admit(`${by.actor}|${route}`, clock.now().getTime());
    if (suppressed === null) return;
    try {
      await appendAudit(db, clock, { ...by, action: 'staff.denied', subject: route, details: { reason: error.message, ...(suppressed ? { suppressed } : {}) } });
    } catch (err) {
      // The refusal stands whether or not it could be written down.
      request.log.error({ err }, 'could not record the refusal on the audit log');
    }
  });
}
