import { buildApp } from './app.js';
import { fixedClock, systemClock } from './clock.js';
import { loadConfig } from './config.js';
import { armFault } from './lib/fault.js';
import { openConfiguredDatabase } from './db/bootstrap.js';
import { formatProblem, syncContent } from './modules/content/service.js';
import { ensureDemoAdmin } from './modules/staff/demo-admin.js';
import { failInterrupted } from './modules/questionnaires/queries.js';
import { failInterruptedJobs } from './modules/jobs/service.js';
import { announceChanges } from './modules/subscriptions/service.js';
import { appDatabase } from './app-database.js';
import { sealLegacyAudit } from './modules/audit/service.js';

/** Loads config, opens and migrates the database, syncs content, listens, shuts down gracefully. */
export async function serve(): Promise<void> {
  const config = loadConfig();
  armFault(config.faultPause, config.dataDir);
  const clock = config.fixedNow ? fixedClock(config.fixedNow) : systemClock;
  const started = performance.now();
  const database = appDatabase(await openConfiguredDatabase(config), config, clock);
  const report = await syncContent(database.db, config.contentDir, clock, { expiringWithinDays: config.expiringWithinDays });
  // Jobs this instance left unfinished fail first, then every questionnaire no job is working on.
  const interruptedJobs = await failInterruptedJobs(database.db, clock, config.limits.instanceId);
  const interrupted = await failInterrupted(database.db, clock.now());
  const app = await buildApp(config, { db: database.db, databaseKind: database.kind, clock });
  for (const conflict of report.conflicts) app.log.warn(conflict);
  for (const notice of report.notices) app.log.info(notice);
  if (interrupted || interruptedJobs.length) app.log.warn({ interrupted, jobs: interruptedJobs.length }, 'questionnaires left processing by a previous stop were marked failed');
  for (const problem of report.problems.filter((p) => p.level === 'warning').slice(0, 20)) app.log.debug(formatProblem(problem));

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    try {
      await app.close();
    } finally {
      await database.close();
      process.exitCode = 0;
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  if (await sealLegacyAudit(database.db, clock)) app.log.info('the audit log is now keyed: entries from before the upgrade are sealed by the first keyed entry');
  const demoAdmin = await ensureDemoAdmin(database.db, clock, config);
  await announceChanges({ db: database.db, clock, config });
  void app.mail.flush().catch(() => {});
  await app.listen({ host: config.host, port: config.port });
  if (config.port === 0) {
    // PORT=0 lets the system pick a free port (tests, several local instances): say which.
    const address = app.server.address();
    process.stderr.write(`Evident is listening on port ${typeof address === 'object' && address ? address.port : '?'}\n`);
  }
  if (demoAdmin) {
    // Shown once: the password is stored only as a hash.
    process.stderr.write(
      `\n  Demo admin created (shown once): ${demoAdmin.email} / ${demoAdmin.password}\n  Sign in at ${config.baseUrl}/admin/login\n\n`,
    );
  }
  app.log.info(
    { database: database.kind, contentRevision: report.revision, startupMs: Math.round(performance.now() - started) },
    `Evident is listening on ${config.baseUrl}`,
  );
}
