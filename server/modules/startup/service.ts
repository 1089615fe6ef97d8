import type { Kysely } from 'kysely';
import { withAdvisoryLock } from '../../db/advisory-lock.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { DatabaseKind } from '../../db/connect.js';
import { syncContent, type SyncReport } from '../content/service.js';
import { failInterruptedJobs } from '../jobs/service.js';
import { failInterrupted } from '../questionnaires/queries.js';
import { announceChanges } from '../subscriptions/service.js';
import { sealLegacyAudit } from '../audit/service.js';
import { ensureDemoAdmin } from '../staff/demo-admin.js';

/** One key for the whole start-up; instances of other apps on the same server use other keys. */
const STARTUP_LOCK = 'evident.startup';

export interface StartupReport {
  content: SyncReport;
  interruptedJobs: number;
  interruptedQuestionnaires: number;
  sealedLegacyAudit: boolean;
  demoAdmin: { email: string; password: string } | null;
  announced: number;
}

export interface StartupDeps {
  db: Kysely<Database>;
  kind: DatabaseKind;
  clock: Clock;
  config: Config;
}

/**
 * Everything an instance does once before it serves: sync content, fail work whose owner is gone,
 * seal the legacy audit log, create the demo admin, announce changes. On PostgreSQL several
 * instances may start at once; they take turns under one advisory lock, so the second finds the
 * work done instead of colliding with the first.
 */
export async function runStartup(deps: StartupDeps): Promise<StartupReport> {
  return withStartupLock(deps.db, deps.kind, () => startupSteps(deps));
}

async function startupSteps({ db, kind, clock, config }: StartupDeps): Promise<StartupReport> {
  const content = await syncContent(db, config.contentDir, clock, { expiringWithinDays: config.expiringWithinDays, skipIfUnchanged: true });
  // Jobs whose owner stopped renewing its lease fail first, then every questionnaire no job is working on.
  // On the embedded database the data-folder lock admits one process: every claim is a dead one's.
  const interruptedJobs = (await failInterruptedJobs(db, clock, { anyOwner: kind !== 'postgres' })).length;
  const interruptedQuestionnaires = await failInterrupted(db, clock.now());
  const sealedLegacyAudit = await sealLegacyAudit(db, clock);
  const demoAdmin = await ensureDemoAdmin(db, clock, config);
  const announced = await announceChanges({ db, clock, config });
  return { content, interruptedJobs, interruptedQuestionnaires, sealedLegacyAudit, demoAdmin, announced };
}

/**
 * Runs `work` while holding a session-level advisory lock on one pooled connection (the work
 * itself uses other connections). PGlite needs none: its data-folder lock admits one process.
 */
export async function withStartupLock<T>(db: Kysely<Database>, kind: DatabaseKind, work: () => Promise<T>): Promise<T> {
  if (kind !== 'postgres') return work();
  return withAdvisoryLock(db, STARTUP_LOCK, work);
}
