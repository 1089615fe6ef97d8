import { groupDocuments } from './documents.js';
import { findEvidence } from '../evidence/queries.js';
import { attachmentHeader, downloadName } from '../../lib/download-name.js';
import type { FastifyInstance } from 'fastify';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError } from '../../errors.js';
import { evidenceFilePath } from '../content/files.js';
import { frameworkBadges } from './badges.js';
import { cachedResponse, memoOn } from './cache.js';
import { certificationsModel } from './certifications.js';
import { cachedPage } from './render.js';
import { readUploadedEvidence } from '../evidence/files.js';
import { renderAtom, renderSecurityTxt, renderSitemap } from './feed.js';
import { countryCentroid, renderMap, type MapMarker } from './map.js';
import type { Site } from './site.js';

// Kept here too for imports that still use this path.
export { pageBase, renderTrustPage, cachedPage } from './render.js';

const HEX = /^#[0-9a-fA-F]{6}$/;

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
/** "DE" → "Germany"; an unknown code stays as written. */
function countryName(alpha2: string): string {
  try {
    return regionNames.of(alpha2.toUpperCase()) ?? alpha2;
  } catch {
    return alpha2;
  }
}

function locationRows(site: Site, service?: string, category?: string) {
  const serviceName = new Map(site.services.map((s) => [s.id, s.name]));
  const categoryName = new Map(site.categories.map((c) => [c.id, c.name]));
  const regionName = new Map(site.regions.map((r) => [r.id, r.name]));
  return site.regions.map((r) => {
    const matches = (!service || r.services.includes(service)) && (!category || r.dataCategories.includes(category));
    return {
      ...r,
      matches,
      serviceNames: r.services.map((s) => serviceName.get(s) ?? s),
      categoryNames: r.dataCategories.map((c) => categoryName.get(c) ?? c),
      // `same-region` and `none` are words of locations.yaml, not region ids.
      backupRegionName: r.backupRegion === 'none' ? 'none outside the region' : r.backupRegion ? (regionName.get(r.backupRegion) ?? null) : null,
    };
  });
}

/**
 * One card per certificate on the overview: current certificates, and reports only where no
 * certificate covers the same framework (a SOC 2 report stands alone; a surveillance audit of a
 * certified ISMS belongs on /certifications, not as a second ISO/IEC 27001 card).
 */
export function atAGlance(certifications: Site['certifications']): Site['certifications'] {
  const current = certifications.filter((c) => !c.lapsed);
  const certified = new Set(current.filter((c) => c.kind === 'certificate').flatMap((c) => frameworksOf(c)));
  return current.filter((c) => c.kind === 'certificate' || !frameworksOf(c).some((f) => certified.has(f)));
}

const frameworksOf = (c: Site['certifications'][number]) => c.frameworks ?? [c.standard];

export async function trustPageRoutes(app: FastifyInstance): Promise<void> {
  const base = app.config.baseUrl;
  const pub = { config: { access: 'public' as const } };

  app.get('/', pub, (request, reply) =>
    cachedPage(app, request, reply, 'views/trust/home.hbs', (site) => ({
      title: 'Overview',
      provider: site.provider,
      overviewHtml: site.overviewHtml,
      certifications: atAGlance(site.certifications),
      badges: frameworkBadges(site.certifications, site.frameworkNames),
      services: site.services,
      changes: site.changes.slice(0, 5),
      regionCount: site.regions.length,
      countryCount: new Set(site.regions.map((r) => r.country)).size,
    })),
  );

  app.get('/certifications', pub, (request, reply) =>
    cachedPage(app, request, reply, 'views/trust/certifications.hbs', certificationsModel),
  );

  app.get('/data-locations', pub, (request, reply) => {
    const { service, category } = request.query as { service?: string; category?: string };
    return cachedPage(app, request, reply, 'views/trust/data-locations.hbs', (site) => {
      // Only known ids make a memo key, so odd query strings are rendered, not remembered.
      const known = (!service || site.services.some((x) => x.id === service)) && (!category || site.categories.some((c) => c.id === category));
      return known ? memoOn(site, `locations|${service ?? ''}|${category ?? ''}`, () => dataLocationsModel(site, service, category)) : dataLocationsModel(site, service, category);
    });
  });

  function dataLocationsModel(site: Site, service: string | undefined, category: string | undefined) {
    const rows = locationRows(site, service || undefined, category || undefined);
    // Numbered badges keyed to the table: regions 1, 2, 3…; countries of subprocessors A, B, C….
    const shown = rows.filter((r) => r.matches).map((r, i) => ({ ...r, key: String(i + 1) }));
    const markers: MapMarker[] = shown.map((r) => ({
      id: r.id,
      key: r.key,
      label: r.name,
      details: `${r.name}${r.city ? ` (${r.city})` : ''}, ${r.countryName}: ${r.serviceNames.join(', ')}`,
      href: `#${r.id}`,
      country: r.country,
      lat: r.lat,
      lon: r.lon,
      kind: 'region',
      dimmed: false,
    }));
    const subprocessors = site.subprocessors.filter((s) => !category || s.dataCategories.includes(category));
    const subCountries = [...new Set(subprocessors.flatMap((s) => s.locations))].filter((country) => !shown.some((r) => r.country === country) && countryCentroid(country));
    const countryKey = new Map(subCountries.map((country, i) => [country, String.fromCharCode(65 + (i % 26))]));
    for (const country of subCountries) {
      const [lon, lat] = countryCentroid(country)!;
      const names = subprocessors.filter((s) => s.locations.includes(country)).map((s) => s.name);
      markers.push({ id: `sub-${country}`, key: countryKey.get(country)!, label: country, details: `subprocessors in ${countryName(country)}: ${names.join(', ')}`, href: '#subprocessor-locations', country, lon, lat, kind: 'subprocessor', dimmed: false });
    }
    return {
      title: 'Data locations',
      map: renderMap(markers, `Map of the regions where ${site.provider.name} stores and processes data, numbered as in the table below.`),
      rows,
      shown,
      services: site.services.map((s) => ({ ...s, selected: s.id === service })),
      categories: site.categories.map((c) => ({ ...c, selected: c.id === category })),
      filtered: Boolean(service || category),
      subprocessorLocations: subprocessors.map((s) => ({
        name: s.name,
        locations: s.locations.map((country) => ({ country: countryName(country), key: countryKey.get(country) ?? null })),
        purpose: s.purpose,
        transferMechanism: s.transferMechanism,
      })),
    };
  }

  app.get('/subprocessors', pub, (request, reply) =>
    cachedPage(app, request, reply, 'views/trust/subprocessors.hbs', (site) => {
      const categoryName = new Map(site.categories.map((c) => [c.id, c.name]));
      const view = (s: Site['subprocessors'][number]) => ({ ...s, categoryNames: s.dataCategories.map((c) => categoryName.get(c) ?? c) });
      return {
        title: 'Subprocessors',
        noticeDays: site.provider.noticePeriodDays ?? 30,
        active: site.subprocessors.map(view),
        retired: site.retiredSubprocessors.map(view),
        upcoming: site.changes.filter((c) => c.upcoming && c.kind === 'subprocessor'),
      };
    }),
  );

  app.get('/documents', pub, (request, reply) =>
    cachedPage(app, request, reply, 'views/trust/documents.hbs', (site) => ({
      title: 'Documents',
      publicGroups: groupDocuments(site.documents.filter((d) => d.access === 'public')),
      ndaGroups: groupDocuments(site.documents.filter((d) => d.access === 'nda')),
      hasBundles: site.bundles.length > 0,
    })),
  );

  /** Public documents only; NDA files are served solely through a grant (/access/…). */
  app.get('/documents/:id/file', pub, async (request, reply) => {
    const { id } = request.params as { id: string };
    const row = await findEvidence(app.deps.db, id);
    if (!row || row.access !== 'public' || !row.fileName) throw new NotFoundError('There is nothing at this address.');
    const body = row.storage === 'upload' ? await readUploadedEvidence(app.deps.db, app.config.dataDir, String(row.sha256)) : await readFile(evidenceFilePath(app.config.contentDir, row.fileName));
    const name = downloadName([(await app.site.get()).provider.name, row.title], path.extname(row.fileName) || 'bin');
    return reply
      .header('content-type', row.mediaType ?? 'application/octet-stream')
      .header('content-disposition', attachmentHeader(name))
      .header('x-content-sha256', row.sha256 ?? '')
      .send(body);
  });

  app.get('/faq', pub, (request, reply) => cachedPage(app, request, reply, 'views/trust/faq.hbs', (site) => ({ title: 'Frequently asked questions', faq: site.faq })));

  app.get('/changes', pub, (request, reply) =>
    cachedPage(app, request, reply, 'views/trust/changes.hbs', (site) => ({
      title: 'Change log',
      upcoming: site.changes.filter((c) => c.upcoming),
      past: site.changes.filter((c) => !c.upcoming),
    })),
  );

  app.get('/changes.atom', pub, (request, reply) => cachedResponse(app, request, reply, async (site) => ({ type: 'application/atom+xml; charset=utf-8', body: renderAtom(site, base) })));

  app.get('/.well-known/security.txt', pub, (request, reply) =>
    cachedResponse(app, request, reply, async (site) => ({ type: 'text/plain; charset=utf-8', body: renderSecurityTxt(site, base) })),
  );

  app.get('/robots.txt', pub, async (_request, reply) =>
    reply.header('content-type', 'text/plain; charset=utf-8').send(`User-agent: *\nDisallow: /admin\nDisallow: /access/\nDisallow: /api/\nSitemap: ${base}/sitemap.xml\n`),
  );

  app.get('/sitemap.xml', pub, (request, reply) =>
    cachedResponse(app, request, reply, async (site) => {
      const controls = await app.deps.db.selectFrom('controls').select('id').orderBy('id').execute();
      return { type: 'application/xml; charset=utf-8', body: renderSitemap(site, base, controls.map((c) => c.id)) };
    }),
  );

  app.get('/brand.css', pub, (request, reply) =>
    cachedResponse(app, request, reply, async (site) => {
      const accent = site.provider.branding?.accent;
      return { type: 'text/css; charset=utf-8', body: accent && HEX.test(accent) ? `:root { --accent: ${accent}; }\n` : '' };
    }),
  );

  app.get('/brand/logo', pub, async (_request, reply) => {
    const logo = (await app.site.get()).provider.branding?.logo;
    const absolute = logo ? path.resolve(app.config.contentDir, logo) : null;
    // Only files inside the content folder's branding area are ever served.
    if (!absolute || !absolute.startsWith(path.join(app.config.contentDir, 'branding') + path.sep)) throw new NotFoundError();
    const body = await readFile(absolute).catch(() => null);
    if (!body) throw new NotFoundError();
    return reply.header('content-type', absolute.endsWith('.svg') ? 'image/svg+xml' : 'image/png').header('cache-control', 'public, max-age=300').send(body);
  });
}
