import type { FastifyInstance } from 'fastify';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { logsRequests } from '../../lib/access-log.js';
import { SESSION_COOKIE } from '../../plugins/auth.js';
import type { SecurityHeadersFor } from '../../plugins/security.js';
import { chooseEncoding, COMPRESS_FROM, matchesEtag, PUBLIC_CACHE_CONTROL, type CachedResponse } from './cache.js';

/** What the front door needs of the app, known once the app is built. */
interface Behind {
  app: FastifyInstance;
  /** The security headers the app sets on each response (see plugins/security.ts). */
  headersFor: SecurityHeadersFor;
}

/**
 * Answers the public's repeat requests for rendered public pages and JSON before Fastify sees
 * them, as a caching proxy in front of the app would: the same bytes and headers the route sent,
 * without building a request, a reply and their hooks for each one (that was most of the time a
 * cached response took). It answers only what the app itself has already served to the public
 * through the route's own checks (`forAnyone`), only while the content version is known to be
 * current without waiting, and only to a caller with no session cookie and no token; anything
 * else, and any doubt, goes to the app.
 */
export class FrontDoor {
  private behind: Behind | null = null;

  /** Starts answering for the app (after it is built); `close` stops it before the app closes. */
  open(behind: Behind): void {
    this.behind = behind;
  }

  close(): void {
    this.behind = null;
  }

  /** True when it answered; false leaves the request to the app, untouched. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    const behind = this.behind;
    if (!behind || req.method !== 'GET' || req.headers.authorization !== undefined || req.headers.cookie?.includes(SESSION_COOKIE)) return false;
    const { app } = behind;
    const url = req.url ?? '';
    const known = app.publicResponses.peek(url);
    if (!known?.forAnyone || known.redirect) return false;
    const site = app.site.settled();
    if (!site || site.version !== known.version) return false;
    const entry = app.publicResponses.current(url, site.version);
    if (!entry) return false;
    const started = performance.now();
    const status = send(req, res, entry, behind.headersFor(url));
    if (status === 0) return false;
    if (logsRequests(app.log.level)) app.log.info({ method: 'GET', url, status, ms: Math.round(performance.now() - started) }, 'request');
    return true;
  }
}

/** Writes the response; 0 when a compressed copy the client asks for is not made yet (the app makes it). */
function send(req: IncomingMessage, res: ServerResponse, entry: CachedResponse, security: Record<string, string>): number {
  const heads = (entry.heads ??= headsOf(entry, security));
  if (matchesEtag(req.headers['if-none-match'], entry.etag)) {
    res.writeHead(304, heads.notModified).end();
    return 304;
  }
  const encoding = entry.body.length >= COMPRESS_FROM ? chooseEncoding(req.headers['accept-encoding']) : null;
  if (!encoding) {
    res.writeHead(200, heads.identity).end(entry.body);
    return 200;
  }
  const body = entry.made?.[encoding];
  if (!body) return 0;
  res.writeHead(200, (heads[encoding] ??= { ...heads.identity, 'content-encoding': encoding, 'content-length': body.length })).end(body);
  return 200;
}

/** An entry's headers, worked out once: the entry's bytes never change, only which copy is sent. */
function headsOf(entry: CachedResponse, security: Record<string, string>): NonNullable<CachedResponse['heads']> {
  const notModified = { ...security, 'cache-control': PUBLIC_CACHE_CONTROL, vary: 'Accept-Encoding', etag: entry.etag };
  return { notModified, identity: { ...notModified, 'content-type': entry.type, 'content-length': entry.body.length } };
}

/**
 * The HTTP server Fastify would make (its timeouts included), with the front door asked first.
 * For Fastify's `serverFactory` option.
 */
export function serverWithFrontDoor(door: FrontDoor) {
  return (handler: http.RequestListener, options: { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number; maxRequestsPerSocket?: number }): http.Server => {
    const server = http.createServer((req, res) => {
      if (!door.serve(req, res)) handler(req, res);
    });
    // As Fastify sets its own server (lib/server.js), zeros included: 0 turns Node's timeout off.
    server.keepAliveTimeout = options.keepAliveTimeout ?? server.keepAliveTimeout;
    server.requestTimeout = options.requestTimeout ?? server.requestTimeout;
    server.setTimeout(options.connectionTimeout ?? 0);
    if (options.maxRequestsPerSocket && options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };
}
