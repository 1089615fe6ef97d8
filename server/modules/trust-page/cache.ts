import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { currentKnowledgeVersion } from '../engine/queries.js';
import { loadSite, type Site } from './site.js';

/**
 * The trust page's view model, rebuilt only when content changes (a sync or a staff edit), so
 * pages render from memory. The version also makes the ETag: a repeat visit gets a 304.
 */
export class SiteCache {
  private site: Promise<Site> | null = null;
  private version: string | null = null;

  constructor(private readonly app: FastifyInstance) {}

  async get(): Promise<Site> {
    const { db, clock } = this.app.deps;
    // The day is part of the version: statuses (expiring, upcoming) change at midnight.
    const version = `${await currentKnowledgeVersion(db)}|${clock.now().toISOString().slice(0, 10)}`;
    if (!this.site || version !== this.version) {
      this.version = version;
      this.site = loadSite(db, clock, this.app.config.expiringWithinDays, createHash('sha256').update(version).digest('hex').slice(0, 16));
      this.site.catch(() => {
        this.site = null;
      });
    }
    return this.site;
  }
}

/**
 * Computes a derived view once per site version (the site object is replaced when content
 * changes, and its memo with it). Keys come from validated ids only; the bound keeps odd
 * query strings from growing it without limit.
 */
export function memoOn<T>(site: Site, key: string, compute: () => T): T {
  if (site.memo.has(key)) return site.memo.get(key) as T;
  if (site.memo.size >= 500) site.memo.clear();
  const value = compute();
  site.memo.set(key, value);
  if (value instanceof Promise) value.catch(() => site.memo.delete(key));
  return value;
}

/** Sets ETag and caching; answers 304 when the client already has this version. Returns true if it did. */
export function notModified(request: FastifyRequest, reply: FastifyReply, site: Site): boolean {
  const etag = `W/"${createHash('sha256').update(`${site.version}|${request.url}`).digest('hex').slice(0, 20)}"`;
  reply.header('etag', etag).header('cache-control', 'public, max-age=60, must-revalidate');
  if (request.headers['if-none-match'] === etag) {
    reply.code(304).send();
    return true;
  }
  return false;
}
