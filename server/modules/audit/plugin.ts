import type { FastifyInstance } from 'fastify';
import { appendCheckpointFile, currentCheckpoint } from './checkpoint.js';
import { auditKeysOf } from './keys.js';

/**
 * Writes an audit checkpoint to AUDIT_CHECKPOINT_DIR at start, every AUDIT_CHECKPOINT_MINUTES
 * while the head moves, and at shutdown. Kept outside the database, it lets `evident audit verify
 * --checkpoint` notice removed or rewritten entries.
 */
export function registerAuditCheckpoints(app: FastifyInstance): void {
  const dir = app.config.auditCheckpointDir;
  if (!dir) return;
  const { db, clock } = app.deps;
  let lastHash: string | null | undefined;
  const write = async () => {
    const checkpoint = await currentCheckpoint(db, auditKeysOf(db), clock);
    if (checkpoint.hash === lastHash) return;
    appendCheckpointFile(dir, checkpoint);
    lastHash = checkpoint.hash;
  };
  const writeLogged = () => write().catch((err: unknown) => app.log.error({ err }, 'could not write the audit checkpoint'));
  let timer: NodeJS.Timeout | null = null;
  app.addHook('onReady', async () => {
    await writeLogged();
    timer = setInterval(() => void writeLogged(), app.config.auditCheckpointMinutes * 60_000);
    timer.unref();
  });
  app.addHook('preClose', async () => {
    if (timer) clearInterval(timer);
    await writeLogged();
  });
}
