import type { FastifyInstance } from 'fastify';
import type { Listen, Listener } from '../../db/connect.js';
import { KNOWLEDGE_CHANNEL_PREFIX, knowledgeTrackerOf } from '../../lib/knowledge-version.js';

const RECONNECT_MS = 2_000;

/**
 * Keeps this instance's caches (engine, trust page, search: everything keyed by the knowledge
 * version) in step with the other instances: on PostgreSQL a content sync, an evidence upload or
 * a library edit anywhere sends a NOTIFY, and the listener here marks the version changed, so
 * the next read fetches it. No polling while the listener is connected; while it is not, the
 * tracker falls back to asking the database at most once a second.
 */
export function listenForChanges(app: FastifyInstance, listen: Listen | undefined): void {
  const tracker = knowledgeTrackerOf(app.deps.db);
  if (!listen || !tracker) return;
  let listener: Listener | null = null;
  let retry: NodeJS.Timeout | null = null;
  let closed = false;

  const connect = async () => {
    retry = null;
    try {
      listener = await listen((schema) => `${KNOWLEDGE_CHANNEL_PREFIX}${schema}`, {
        message: (origin) => {
          if (origin !== tracker.origin) tracker.changedElsewhere();
        },
        lost: (error) => {
          app.log.warn({ err: error }, 'change notices lost; polling the knowledge version until reconnected');
          listener = null;
          tracker.listening(false);
          tracker.changedElsewhere();
          schedule();
        },
      });
      if (closed) return void (await listener.close());
      tracker.listening(true);
      // Anything changed between start-up and now was not announced to this listener.
      tracker.changedElsewhere();
    } catch (error) {
      app.log.warn({ err: error }, 'could not listen for change notices; retrying');
      schedule();
    }
  };
  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(() => void connect(), RECONNECT_MS);
    retry.unref();
  };

  app.addHook('onReady', connect);
  app.addHook('onClose', async () => {
    closed = true;
    if (retry) clearTimeout(retry);
    tracker.listening(false);
    await listener?.close();
  });
}
