import { buildApp } from './app.js';
import { fixedClock, systemClock } from './clock.js';
import { loadConfig } from './config.js';
import { armFault } from './lib/fault.js';
import { openConfiguredDatabase } from './db/bootstrap.js';
import { appDatabase } from './app-database.js';
import { formatProblem } from './modules/content/service.js';
import { runStartup } from './modules/startup/service.js';
import { knowledgeTrackerOf } from './lib/knowledge-version.js';
import { sealPlainTotpSecrets } from './modules/staff/mfa.js';

/** Loads config, opens and migrates the database, syncs content, listens, shuts down gracefully. */
export async function serve(): Promise<void> {
  const config = loadConfig();
  armFault(config.faultPause, config.dataDir);
  const clock = config.fixedNow ? fixedClock(config.fixedNow) : systemClock;
  const started = performance.now();
  const database = appDatabase(await openConfiguredDatabase(config), config, clock);
  const startup = await runStartup({ db: database.db, kind: database.kind, clock, config });
  const report = startup.content;
  const app = await buildApp(config, { db: database.db, databaseKind: database.kind, clock, listen: database.listen });
  for (const conflict of report.conflicts) app.log.warn(conflict);
  for (const notice of report.notices) app.log.info(notice);
  if (startup.interruptedQuestionnaires || startup.interruptedJobs) {
    app.log.warn({ interrupted: startup.interruptedQuestionnaires, jobs: startup.interruptedJobs }, 'questionnaires left processing by a stopped instance were marked failed');
  }
  for (const problem of report.problems.filter((p) => p.level === 'warning').slice(0, 20)) app.log.debug(formatProblem(problem));
  // Outside the start-up lock on purpose: sealing the same plain secret twice (two instances at
  // once) writes two valid ciphertexts of it, so there is nothing to serialise.
  const sealedTotp = await sealPlainTotpSecrets({ db: database.db, clock, totpKey: config.totpKey });
  if (sealedTotp) app.log.info({ count: sealedTotp }, 'TOTP secrets stored in plain text were encrypted with TOTP_KEY');
  if (startup.sealedLegacyAudit) app.log.info('the audit log is now keyed: entries from before the upgrade are sealed by the first keyed entry');
  const demoAdmin = startup.demoAdmin;

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    try {
      await app.close();
    } finally {
      // Change notices of the last writes go out before the connections close.
      await knowledgeTrackerOf(database.db)?.noticesSent();
      await database.close();
      process.exitCode = 0;
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

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
