import { sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import { randomUUID } from 'node:crypto';
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
/** One read of the version: when it was asked, in which generation, and its value once it came. */
interface Read {
  at: number;
  generation: number;
  value: Promise<string>;
  settled?: string;
}

export class KnowledgeTracker implements KyselyPlugin {
  private generation = 0;
  private readonly memo = new WeakMap<object, Read>();
  private ttlMs: number;
  /** Names this process in its own notifications, so it can ignore them when they come back. */
  readonly origin = randomUUID();
  private readonly notices = new Set<Promise<void>>();

  constructor(
    private readonly clock: Clock,
    private readonly read: (db: DbOrTx) => Promise<string>,
    private readonly pollMs = 1000,
    /** On PostgreSQL: tell the other instances (NOTIFY) whenever this process changes the knowledge. */
    private readonly notifyOthers = false,
  ) {
    this.ttlMs = pollMs;
  }

  changed(db?: DbOrTx): void {
    this.generation++;
    // After the commit, outside any transaction: a failed notice costs the others a stale page
    // until their next change notice or reconnect, never this write.
    if (db && this.notifyOthers) {
      const notice = notifyKnowledgeChanged(db, this.origin).catch(() => {});
      this.notices.add(notice);
      void notice.finally(() => this.notices.delete(notice));
    }
  }

  /** Resolves when every change notice has been sent: a process that exits right after a write (the CLI) waits for it. */
  async noticesSent(): Promise<void> {
    while (this.notices.size) await Promise.all([...this.notices]);
  }

  /** Another instance changed the knowledge (its notice arrived, or notices may have been missed). */
  changedElsewhere(): void {
    this.generation++;
  }

  /**
   * While notices from the other instances arrive, the version is read again only when one
   * does; without them (embedded database, lost listener) it is polled every `pollMs`.
   */
  listening(on: boolean): void {
    this.ttlMs = on ? Number.POSITIVE_INFINITY : this.pollMs;
  }

  current(db: DbOrTx): Promise<string> {
    const known = this.fresh(db);
    if (known) return known.value;
    const value = this.read(db);
    const entry: Read = { at: this.clock.now().getTime(), generation: this.generation, value };
    this.memo.set(db, entry);
    value.then(
      (v) => void (entry.settled = v),
      () => this.memo.delete(db),
    );
    return value;
  }

  /**
   * The version without waiting: known only while `current` would answer from its memo and that
   * read has finished; otherwise undefined, and the caller takes the asynchronous way.
   */
  settled(db: DbOrTx): string | undefined {
    return this.fresh(db)?.settled;
  }

  private fresh(db: DbOrTx): Read | undefined {
    const now = this.clock.now().getTime();
    const known = this.memo.get(db);
    if (known && known.generation === this.generation && now - known.at >= 0 && now - known.at < this.ttlMs) return known;
    return undefined;
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

/**
 * Every write to the knowledge calls this after it commits, so the next read in this process
 * sees it at once, and on PostgreSQL the other instances are told.
 */
export function knowledgeChanged(db: DbOrTx): void {
  knowledgeTrackerOf(db)?.changed(db);
}

/** One channel per schema, so several Evident schemas on one server (tests, staging) stay apart. */
export const KNOWLEDGE_CHANNEL_PREFIX = 'evident_knowledge_';

async function notifyKnowledgeChanged(db: DbOrTx, origin: string): Promise<void> {
  await sql`select pg_notify(${KNOWLEDGE_CHANNEL_PREFIX} || current_schema(), ${origin})`.execute(db);
}
