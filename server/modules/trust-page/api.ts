import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OPINIONS } from '../content/schema.js';
import { cachedResponse } from './cache.js';
import type { Site } from './site.js';
import { LAYERS, PARTIES } from '../content/schema.js';

const str = { type: 'string' } as const;
const strs = { type: 'array', items: str } as const;
const optional = (schema: object) => ({ ...schema, nullable: true });

const provider = {
  type: 'object',
  properties: { name: str, legalEntity: str, website: str, trustUrl: str, statusPage: str, securityContact: { type: 'object', properties: { email: str, url: str } } },
};
const layer = {
  type: 'object',
  required: ['layer', 'party', 'note', 'subprocessors'],
  properties: {
    layer: { type: 'string', enum: [...LAYERS] }, party: { type: 'string', enum: [...PARTIES] }, note: str,
    subprocessors: { ...strs, description: 'subprocessor ids of the subservice organisations (third-party layers)' },
  },
};
const service = {
  type: 'object',
  properties: { id: str, name: str, model: str, summary: str, layers: { type: 'array', items: layer, description: 'who runs each layer of the stack, bottom-up (facility first)' } },
};
const certification = {
  type: 'object',
  required: ['id', 'standard', 'status', 'issued', 'expires'],
  properties: {
    id: str, kind: str, standard: str, title: str, scope: str, body: str, accreditation: str, certificateNumber: str, verificationUrl: str,
    scopeServices: strs, scopeRegions: strs, scopeSites: strs, soaVersion: str, issued: str, expires: str, periodStart: str, periodEnd: str,
    opinion: { type: 'string', enum: [...OPINIONS] }, complementaryCustomerControls: strs, supersedes: str,
    status: { type: 'string', enum: ['valid', 'expiring', 'expired'] }, lapsed: { type: 'boolean' },
    document: optional({ type: 'object', properties: { id: str, access: { type: 'string', enum: ['public', 'nda'] } } }),
  },
};
const location = {
  type: 'object',
  required: ['id', 'country', 'services', 'dataCategories'],
  properties: {
    id: str, name: str, city: str, country: str, countryName: str, jurisdiction: str, lat: { type: 'number' }, lon: { type: 'number' },
    services: strs, dataCategories: strs, backupRegion: str, since: str, notes: str,
    supervisoryAuthority: { type: 'object', properties: { name: str, url: str } },
  },
};
const subprocessor = {
  type: 'object',
  required: ['id', 'name', 'purpose', 'locations'],
  properties: { id: str, name: str, purpose: str, dataCategories: strs, locations: strs, services: strs, transferMechanism: str, started: str, ended: str, url: str },
};
const change = {
  type: 'object',
  required: ['id', 'published', 'effective', 'kind', 'title'],
  properties: { id: str, published: str, effective: str, kind: str, title: str, summary: str, reason: str, refs: strs, upcoming: { type: 'boolean' } },
};
const faq = {
  type: 'object',
  properties: { id: str, question: str, answerHtml: str, citations: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' }, title: str, url: str } } } },
};
const document = {
  type: 'object',
  required: ['id', 'title', 'access'],
  properties: {
    id: str, title: str, summary: str, kind: str, access: { type: 'string', enum: ['public', 'nda'] }, current: { type: 'boolean' },
    download: optional(str), request: optional(str), sha256: optional(str), size: optional({ type: 'integer' }),
    issued: optional(str), periodStart: optional(str), periodEnd: optional(str), version: optional(str), approver: optional(str),
    redistribution: { type: 'string', enum: ['allowed', 'with-consent', 'not-allowed'] },
  },
};

/** Response schemas: documented at /docs, and the serializer drops anything not named here. */
export const schemas = { provider, service, certification, location, subprocessor, change, faq, document };

const list = (key: string, item: object) => ({ 200: { type: 'object', required: [key], properties: { [key]: { type: 'array', items: item } } } });

function documentsOf(site: Site) {
  return site.documents.map((d) => ({
    ...d,
    download: d.access === 'public' ? `/documents/${encodeURIComponent(d.id)}/file` : null,
    request: d.access === 'nda' ? `/access/request?documents=${encodeURIComponent(d.id)}` : null,
  }));
}

export async function trustApiRoutes(app: FastifyInstance): Promise<void> {
  /** Serialised once per content version through the route's response schema, then served as bytes. */
  const cachedJson = (request: FastifyRequest, reply: FastifyReply, build: (site: Site) => unknown) =>
    cachedResponse(app, request, reply, async (site) => ({ type: 'application/json; charset=utf-8', body: reply.serialize(build(site)) as string }));
  const get = (url: string, key: string, item: object, summary: string, pick: (site: Site) => unknown[]) =>
    app.get(url, { config: { access: 'public' }, schema: { tags: ['trust'], summary, response: list(key, item) } }, (request, reply) => cachedJson(request, reply, (site) => ({ [key]: pick(site) })));

  get('/api/v1/certifications', 'certifications', certification, 'Certifications and attestations with computed status', (s) => s.certifications);
  get('/api/v1/locations', 'locations', location, 'Regions where data is stored and processed', (s) => s.regions);
  get('/api/v1/subprocessors', 'subprocessors', subprocessor, 'Current subprocessors (retired ones in /api/v1/trust)', (s) => s.subprocessors);
  get('/api/v1/changes', 'changes', change, 'Dated change log of disclosures', (s) => s.changes);
  get('/api/v1/faq', 'faq', faq, 'FAQ with citations', (s) => s.faq);
  get('/api/v1/documents', 'documents', document, 'Public documents (downloadable) and NDA documents (requestable)', documentsOf);

  app.get(
    '/api/v1/trust',
    {
      config: { access: 'public' },
      schema: {
        tags: ['trust'],
        summary: 'Everything public in one document',
        response: {
          200: {
            type: 'object',
            required: ['provider', 'services', 'certifications', 'locations', 'subprocessors', 'changes'],
            properties: {
              provider,
              services: { type: 'array', items: service },
              certifications: { type: 'array', items: certification },
              locations: { type: 'array', items: location },
              subprocessors: { type: 'array', items: subprocessor },
              retiredSubprocessors: { type: 'array', items: subprocessor },
              changes: { type: 'array', items: change },
              documents: { type: 'array', items: document },
            },
          },
        },
      },
    },
    (request, reply) =>
      cachedJson(request, reply, (site) => ({
        provider: site.provider,
        services: site.services,
        certifications: site.certifications,
        locations: site.regions,
        subprocessors: site.subprocessors,
        retiredSubprocessors: site.retiredSubprocessors,
        changes: site.changes,
        documents: documentsOf(site),
      })),
  );
}
