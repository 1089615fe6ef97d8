import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { currentKnowledgeVersion } from '../engine/queries.js';
import { knowledgeTrackerOf } from '../../lib/knowledge-version.js';
import { SESSION_COOKIE } from '../../plugins/auth.js';
import { loadSite, type Site } from './site.js';

/**
 * The trust page's view model, rebuilt only when content changes (a sync or a staff edit), so
 * pages render from memory. The version also makes the ETag: a repeat visit gets a 304.
 */
export class SiteCache {
  private site: Promise<Site> | null = null;
  private version: string | null = null;
  private last: Site | null = null;
  /** The version `last` was built from. */
  private lastFor: string | null = null;

  constructor(private readonly app: FastifyInstance) {}

  private day = '';
  private dayEnds = 0;

  /** The day is part of the version: statuses (expiring, upcoming) change at midnight (UTC). */
  private today(): string {
    const now = this.app.deps.clock.now().getTime();
    if (now >= this.dayEnds || now < this.dayEnds - 86_400_000) {
      this.day = new Date(now).toISOString().slice(0, 10);
      this.dayEnds = Date.parse(`${this.day}T00:00:00Z`) + 86_400_000;
    }
    return this.day;
  }

  async get(): Promise<Site> {
    const { db, clock } = this.app.deps;
    const version = `${await currentKnowledgeVersion(db)}|${this.today()}`;
    if (!this.site || version !== this.version) {
      this.version = version;
      this.site = loadSite(db, clock, this.app.config.expiringWithinDays, createHash('sha256').update(version).digest('hex').slice(0, 16));
      this.site.then(
        (site) => {
          this.last = site;
          this.lastFor = version;
        },
        () => void (this.site = null),
      );
    }
    return this.site;
  }

  /**
   * The view model without waiting, when it is known to be current: the knowledge version was
   * read within its poll interval (or no change came since) and this model was built from it.
   * Otherwise null, and the caller takes the asynchronous way, which refreshes both.
   */
  settled(): Site | null {
    const known = knowledgeTrackerOf(this.app.deps.db)?.settled(this.app.deps.db);
    if (known === undefined || this.lastFor !== `${known}|${this.today()}`) return null;
    return this.last;
  }

  /** The last view model loaded, without asking the database (error pages use its identity). */
  peek(): Site | null {
    return this.last;
  }

  /**
   * Forgets the view model and every rendered response, for a writer outside this process's
   * knowledge tracker (another instance's notice, a test). The next request renders afresh.
   */
  invalidate(): void {
    this.site = null;
    this.version = null;
    this.lastFor = null;
    this.app.publicResponses.clear();
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

/** One public response, rendered once per content version and kept as bytes. */
export interface CachedResponse {
  version: string;
  type: string;
  body: Buffer;
  etag: string;
  /** Set for a permanent redirect (an old control number), with an empty body. */
  redirect?: string;
  /** Compressed copies, made on the first request that asks for each. */
  br?: Promise<Buffer>;
  gzip?: Promise<Buffer>;
  /** The same copies once made, for the front door, which does not wait. */
  made?: { br?: Buffer; gzip?: Buffer };
  /**
   * Set once the route's own checks have served this entry to the public (a public route with no
   * rate limit of its own): from then on the front door may answer its URL without the route.
   */
  forAnyone?: true;
  /** The front door's headers for this entry, per copy sent (see front-door.ts). */
  heads?: { notModified: Record<string, string>; identity: Record<string, string | number>; br?: Record<string, string | number>; gzip?: Record<string, string | number> };
}

/** What a cached route produces: a body and its type, or a redirect. */
export type Rendered = { type: string; body: string | Buffer } | { redirect: string };

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
/** Below this, compression saves less than its headers cost. */
export const COMPRESS_FROM = 1024;
/** What shared caches may do with a public response: keep it a minute, then ask again (an ETag makes that cheap). */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=60, must-revalidate';

/**
 * Rendered public responses keyed by URL (query included), least recently used dropped first.
 * Bounded in entries and bytes, so a crawler walking odd query strings cannot grow it.
 */
export class ResponseCache {
  private readonly entries = new Map<string, CachedResponse>();
  private readonly pending = new Map<string, Promise<CachedResponse>>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 2000,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  /** The entry for a key, whatever its version (a stale one still serves in an outage). */
  peek(key: string): CachedResponse | undefined {
    return this.entries.get(key);
  }

  /** The entry for this version if it is already rendered (it moves to the young end), else nothing. */
  current(key: string, version: string): CachedResponse | undefined {
    const known = this.entries.get(key);
    if (!known || known.version !== version) return undefined;
    this.entries.delete(key);
    this.entries.set(key, known);
    return known;
  }

  /** The entry for this version, rendering it once however many requests ask at the same moment. */
  async obtain(key: string, version: string, render: () => Promise<Rendered>): Promise<CachedResponse> {
    // Re-inserted, a known entry moves to the young end of the map's order.
    const known = this.current(key, version);
    if (known) return known;
    const flight = `${version}|${key}`;
    let made = this.pending.get(flight);
    if (!made) {
      made = render().then((out) => entryOf(version, out));
      this.pending.set(flight, made);
      made.then(
        (entry) => this.store(key, entry),
        () => undefined,
      ).finally(() => this.pending.delete(flight));
    }
    return made;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  private store(key: string, entry: CachedResponse): void {
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.body.length;
      this.entries.delete(key);
    }
    this.entries.set(key, entry);
    this.bytes += entry.body.length;
    for (const [oldest, value] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= value.body.length;
    }
  }
}

function entryOf(version: string, out: Rendered): CachedResponse {
  if ('redirect' in out) return { version, type: 'text/plain; charset=utf-8', body: Buffer.alloc(0), etag: '', redirect: out.redirect };
  const body = typeof out.body === 'string' ? Buffer.from(out.body) : out.body;
  return { version, type: out.type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** The encoding to send: brotli, then gzip, when the client lists it (q=0 excluded). */
export function chooseEncoding(accept: string | undefined): 'br' | 'gzip' | null {
  if (!accept) return null;
  const offered = new Set(
    accept
      .split(',')
      .map((part) => part.trim().toLowerCase())
      .filter((part) => !/;\s*q=0(\.0*)?$/.test(part))
      .map((part) => part.split(';')[0]!.trim()),
  );
  if (offered.has('br')) return 'br';
  if (offered.has('gzip') || offered.has('*')) return 'gzip';
  return null;
}

function compressed(entry: CachedResponse, encoding: 'br' | 'gzip'): Promise<Buffer> {
  if (encoding === 'br') {
    entry.br ??= keep(entry, 'br', brotli(entry.body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: entry.body.length } }));
    return entry.br;
  }
  entry.gzip ??= keep(entry, 'gzip', gzip(entry.body, { level: 9 }));
  return entry.gzip;
}

function keep(entry: CachedResponse, encoding: 'br' | 'gzip', made: Promise<Buffer>): Promise<Buffer> {
  void made.then((bytes) => void ((entry.made ??= {})[encoding] = bytes), () => undefined);
  return made;
}

export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/**
 * Sends a cached response. Only headers are per request: the public gets a shared-cacheable
 * copy with an ETag (304 when it matches); signed-in staff get the same bytes marked private,
 * so no shared cache keeps what a staff session saw. Nothing here sets a cookie.
 */
export async function sendCached(request: FastifyRequest, reply: FastifyReply, entry: CachedResponse): Promise<FastifyReply> {
  if (request.staff) reply.header('cache-control', 'private, no-store').header('vary', 'Cookie, Authorization, Accept-Encoding');
  else reply.header('cache-control', PUBLIC_CACHE_CONTROL).header('vary', 'Accept-Encoding');
  if (entry.redirect) return reply.redirect(entry.redirect, 301);
  reply.header('etag', entry.etag);
  if (matchesEtag(request.headers['if-none-match'], entry.etag)) return reply.code(304).send();
  reply.header('content-type', entry.type);
  const encoding = entry.body.length >= COMPRESS_FROM ? chooseEncoding(request.headers['accept-encoding']) : null;
  if (!encoding) return reply.send(entry.body);
  return reply.header('content-encoding', encoding).send(await compressed(entry, encoding));
}

/** Where the layout leaves room for a notice that the page may be out of date. */
export const NOTICE_MARK = '<!--evident:notice-->';

/**
 * During a database outage: the last rendered copy, said to be possibly out of date (a banner on
 * pages, a header on JSON), never stored by caches.
 */
function sendStale(reply: FastifyReply, entry: CachedResponse): FastifyReply {
  reply.header('cache-control', 'no-store').header('x-evident-stale', '1');
  if (entry.redirect) return reply.redirect(entry.redirect, 301);
  const banner = '<div class="stale-notice" role="status"><div class="wrap">This page may be out of date: we cannot reach our records right now, so you see the last copy we made.</div></div>';
  const body = entry.type.startsWith('text/html') ? entry.body.toString('utf8').replace(NOTICE_MARK, banner) : entry.body;
  return reply.header('content-type', entry.type).send(body);
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Rendered public pages and public JSON, per content version (see cachedResponse). */
    publicResponses: ResponseCache;
  }
}

/**
 * A public response served from memory: rendered (by `render`, from the cached view model) only
 * when the content version moved or it was never asked for. When the database cannot be read,
 * the last copy still serves, marked stale; a page never rendered fails as before.
 */
export async function cachedResponse(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, render: (site: Site) => Promise<Rendered>): Promise<FastifyReply> {
  const key = request.url;
  let entry: CachedResponse;
  try {
    const site = await app.site.get();
    entry = await app.publicResponses.obtain(key, site.version, () => render(site));
  } catch (error) {
    const stale = app.publicResponses.peek(key);
    if (!stale || isClientError(error)) throw error;
    request.log.warn({ err: error }, 'serving a stale copy');
    return sendStale(reply, stale);
  }
  return sendCached(request, reply, entry);
}

/**
 * The first request hook for public responses already rendered for the current content version:
 * a caller with no session cookie and no token is the public, who gets the same bytes whoever
 * asks, so signing in, CSRF and access checks (and the route itself) have nothing left to decide.
 * Routes with a rate limit, and anything not yet rendered or out of date, take the usual way.
 */
export function servePublicFromMemory(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || request.headers.authorization !== undefined || request.headers.cookie?.includes(SESSION_COOKIE)) return;
    const { config } = request.routeOptions;
    if (config.access !== 'public' || (config as { rateLimit?: unknown }).rateLimit !== undefined) return;
    const known = app.publicResponses.peek(request.url);
    if (!known) return;
    let version: string;
    try {
      version = (await app.site.get()).version;
    } catch {
      return; // the route serves a stale copy, saying so
    }
    const entry = app.publicResponses.current(request.url, version);
    if (!entry) return;
    entry.forAnyone = true;
    return sendCached(request, reply, entry);
  });
}

function isClientError(error: unknown): boolean {
  const status = (error as { statusCode?: number }).statusCode;
  return typeof status === 'number' && status < 500;
}
