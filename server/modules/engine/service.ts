import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { buildEngine, type Engine } from './engine.js';
import { currentKnowledgeVersion, loadKnowledge } from './queries.js';

/**
 * The engine built from the current content, rebuilt only when content or the library changes
 * (building indexes every request would waste most of the time on the same work).
 */
export class EngineCache {
  private version: string | null = null;
  private engine: Promise<Engine> | null = null;

  constructor(private readonly db: Kysely<Database>) {}

  async get(): Promise<Engine> {
    const version = await currentKnowledgeVersion(this.db);
    if (!this.engine || version !== this.version) {
      this.version = version;
      this.engine = loadKnowledge(this.db).then(buildEngine);
    }
    return this.engine;
  }
}
