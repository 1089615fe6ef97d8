import path from 'node:path';
import type { Config } from '../config.js';
import { openDatabase, type OpenDatabase } from './connect.js';
import { lockDataFolder } from './lock.js';
import { migrateToLatest } from './migrate.js';

/**
 * Opens the configured database (PGlite in the data folder, or DATABASE_URL), holding the
 * data-folder lock for PGlite, and migrates it. Used by the server and every CLI command.
 */
export async function openConfiguredDatabase(config: Config, options: { migrate?: boolean } = {}): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    const opened = await openDatabase({ url: config.databaseUrl });
    if (options.migrate !== false) await migrateToLatest(opened.db);
    return opened;
  }
  const release = lockDataFolder(config.dataDir);
  try {
    const opened = await openDatabase({ pgliteDir: path.join(config.dataDir, 'pglite') });
    if (options.migrate !== false) await migrateToLatest(opened.db);
    return {
      ...opened,
      async close() {
        try {
          await opened.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
