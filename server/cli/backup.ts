import type { Command } from 'commander';
import { backup, restore } from '../modules/backup/service.js';
import { verifyAuditChain } from '../modules/audit/service.js';
import { say, withDatabase } from './context.js';

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .argument('<file>', 'where to write the snapshot (.jsonl.gz)')
    .description('write a consistent logical snapshot of the database and uploaded files')
    .action(async (file: string) => {
      await withDatabase({}, async ({ config, database }) => {
        const summary = await backup(database.db, config.dataDir, file, say);
        say(`backup written to ${file}`);
        process.stdout.write(JSON.stringify(summary) + '\n');
      });
    });

  program
    .command('restore')
    .argument('<file>', 'a snapshot written by evident backup')
    .description('restore a snapshot into an empty database (PGlite or PostgreSQL)')
    .action(async (file: string) => {
      await withDatabase({}, async ({ config, database }) => {
        const summary = await restore(database.db, config.dataDir, file, say);
        const chain = await verifyAuditChain(database.db);
        say(`restored; ${chain.message}`);
        process.stdout.write(JSON.stringify({ ...summary, auditChain: chain.ok }) + '\n');
        if (!chain.ok) process.exitCode = 1;
      });
    });
}
