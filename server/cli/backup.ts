import type { Command } from 'commander';
import path from 'node:path';
import { cliActor, say, withDatabase } from './context.js';

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .argument('<file>', 'where to write the snapshot (.jsonl.gz)')
    .description('write a consistent logical snapshot of the database and uploaded files')
    .action(async (file: string) => {
      const [{ backup }, { appendAudit }] = await Promise.all([import('../modules/backup/service.js'), import('../modules/audit/service.js')]);
      await withDatabase({}, async ({ config, clock, database }) => {
        const summary = await backup(database.db, config.dataDir, file, say);
        // A snapshot holds every personal record there is: taking one is on the log.
        await appendAudit(database.db, clock, { ...cliActor, action: 'backup.created', details: { file: path.basename(file), tables: summary.tables, files: summary.files } });
        say(`backup written to ${file}`);
        process.stdout.write(JSON.stringify(summary) + '\n');
      });
    });

  program
    .command('restore')
    .argument('<file>', 'a snapshot written by evident backup')
    .description('restore a snapshot into an empty database (PGlite or PostgreSQL)')
    .action(async (file: string) => {
      const [{ restore }, { sealLegacyAudit, verifyAuditChain }] = await Promise.all([import('../modules/backup/service.js'), import('../modules/audit/service.js')]);
      await withDatabase({}, async ({ config, clock, database }) => {
        const summary = await restore(database.db, config.dataDir, file, say);
        // A snapshot from before the log was keyed is sealed like an upgraded database.
        await sealLegacyAudit(database.db, clock);
        const chain = await verifyAuditChain(database.db);
        say(`restored; ${chain.message}`);
        process.stdout.write(JSON.stringify({ ...summary, auditChain: chain.ok }) + '\n');
        if (!chain.ok) process.exitCode = 1;
      });
    });
}
