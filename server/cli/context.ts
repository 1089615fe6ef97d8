import type { Clock } from '../clock.js';
import { fixedClock, systemClock } from '../clock.js';
import { loadConfig, type Config } from '../config.js';
import { configurePasswordHashing } from '../modules/staff/passwords.js';
import { armFault } from '../lib/fault.js';
import type { OpenDatabase } from '../db/connect.js';
import type { Actor } from '../modules/audit/service.js';

/** Who acts on the audit log when a command changes or exports something. */
export const cliActor: Actor = { actor: `cli:${process.env.USER ?? 'operator'}`, actorKind: 'system' };

export interface CliContext {
  config: Config;
  clock: Clock;
  database: OpenDatabase;
}

/** Progress, hints and logs go to stderr; stdout is for machine-readable output only. */
export function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function loadCliConfig(): { config: Config; clock: Clock } {
  const config = loadConfig();
  armFault(config.faultPause, config.dataDir);
  configurePasswordHashing(config.passwordHashing);
  return { config, clock: config.fixedNow ? fixedClock(config.fixedNow) : systemClock };
}

/**
 * Runs a command against the configured database (migrated; content synced when asked, so
 * commands work on a fresh data folder), and closes it whatever happens.
 */
export async function withDatabase<T>(options: { syncContent?: boolean }, run: (ctx: CliContext) => Promise<T>): Promise<T> {
  const { config, clock } = loadCliConfig();
  // Loaded here, not at the top: building the program (and --help) then needs none of it.
  const [{ openConfiguredDatabase }, { appDatabase }, { sealLegacyAudit }, { syncContent }] = await Promise.all([
    import('../db/bootstrap.js'),
    import('../app-database.js'),
    import('../modules/audit/service.js'),
    import('../modules/content/service.js'),
  ]);
  const database = appDatabase(await openConfiguredDatabase(config), config, clock);
  try {
    await sealLegacyAudit(database.db, clock);
    if (options.syncContent) {
      const report = await syncContent(database.db, config.contentDir, clock, { expiringWithinDays: config.expiringWithinDays });
      for (const conflict of report.conflicts) say(`conflict: ${conflict}`);
      for (const notice of report.notices) say(`notice: ${notice}`);
    }
    return await run({ config, clock, database });
  } finally {
    // A sync or edit from the CLI tells the running instances before the connection goes.
    const { knowledgeTrackerOf } = await import('../lib/knowledge-version.js');
    await knowledgeTrackerOf(database.db)?.noticesSent();
    await database.close();
  }
}
