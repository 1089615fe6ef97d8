import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { Clock } from '../clock.js';
import type { DbOrTx } from '../db/database.js';

/**
 * Tells readers (the engine, the trust page, search) whether the knowledge changed, without
 * asking the database on every page view: the version is asked at most once per `ttlMs` of the
 * injected clock, and writes in this process (`changed()`, called after they commit) show at
 * once. One tracker per database; it travels with the database handle (a do-nothing Kysely
 * plugin, inherited by transactions and by handles derived from it), so every writer reaches
 * it without a module global.
 */
export class KnowledgeTracker implements KyselyPlugin {
  private generation = 0;
  private readonly memo = new WeakMap<object, { at: number; generation: number; value: Promise<string> }>();

  constructor(
    private readonly clock: Clock,
    private readonly read: (db: DbOrTx) => Promise<string>,
    private readonly ttlMs = 1000,
  ) {}

  changed(): void {
    this.generation++;
  }

  current(db: DbOrTx): Promise<string> {
    const now = this.clock.now().getTime();
    const known = this.memo.get(db);
    if (known && known.generation === this.generation && now - known.at >= 0 && now - known.at < this.ttlMs) return known.value;
    const value = this.read(db);
    this.memo.set(db, { at: now, generation: this.generation, value });
    value.catch(() => this.memo.delete(db));
    return value;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

export function knowledgeTrackerOf(db: DbOrTx): KnowledgeTracker | null {
  return db.getExecutor().plugins.find((p): p is KnowledgeTracker => p instanceof KnowledgeTracker) ?? null;
}

/** Every in-process write to the knowledge calls this after it commits, so the next read sees it at once. */
export function knowledgeChanged(db: DbOrTx): void {
  knowledgeTrackerOf(db)?.changed();
}
