import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A strict policy for every page: no inline scripts or styles, no framing, same-origin forms. */
export const contentSecurityPolicy = {
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    upgradeInsecureRequests: null,
  },
};

/**
 * Signing out of a session started at the company's provider posts the form here and is then
 * redirected to the provider's end-session page; browsers check that redirect against form-action.
 */
function policyFor(issuer: string | null): typeof contentSecurityPolicy {
  if (!issuer) return contentSecurityPolicy;
  const { directives } = contentSecurityPolicy;
  return { directives: { ...directives, formAction: [...directives.formAction, new URL(issuer).origin] } };
}

/**
 * The headers helmet would set, worked out once: they depend only on the configuration (no
 * nonces), and building helmet's middleware on every request (as @fastify/helmet does) cost
 * more than serving a cached page.
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => {});
  return headers;
}

/**
 * The API answers JSON and files, never documents: a browser that opens one must not run, frame
 * or sniff it, which a short policy says as well as the pages' long one. The headers that only
 * shape how a document behaves (cross-origin opener, agent cluster, prefetching, old browsers'
 * XSS filter) are left off; every response parsed by every client pays for each header.
 */
export function apiHeaders(document: Record<string, string>): Record<string, string> {
  const keep = ['x-content-type-options', 'cross-origin-resource-policy', 'referrer-policy', 'strict-transport-security'];
  const headers: Record<string, string> = { 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" };
  for (const name of keep) if (document[name]) headers[name] = document[name];
  return headers;
}

/** The security headers a response to this URL carries: the API's short set, or the pages'. */
export type SecurityHeadersFor = (url: string) => Record<string, string>;

/** Sets the security headers on every response; returns the rule, for answers made outside Fastify. */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<SecurityHeadersFor> {
  const headers = securityHeaders({
    contentSecurityPolicy: policyFor(app.config.oidc?.issuer ?? null),
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    strictTransportSecurity: app.config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  const api = apiHeaders(headers);
  const headersFor: SecurityHeadersFor = (url) => (url.startsWith('/api/') ? api : headers);
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headersFor(request.url));
    done();
  });
  return headersFor;
}
