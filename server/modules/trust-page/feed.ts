import type { Change, Site } from './site.js';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** The change log as an Atom 1.0 feed (RFC 4287) customers can subscribe to. */
export function renderAtom(site: Site, baseUrl: string): string {
  const updated = site.changes[0] ? `${site.changes[0].published}T00:00:00Z` : `${site.today}T00:00:00Z`;
  const entry = (c: Change) => `  <entry>
    <id>${escape(`${baseUrl}/changes#${c.id}`)}</id>
    <title>${escape(c.title)}</title>
    <updated>${c.published}T00:00:00Z</updated>
    <published>${c.published}T00:00:00Z</published>
    <link rel="alternate" type="text/html" href="${escape(`${baseUrl}/changes#${c.id}`)}"/>
    <category term="${escape(c.kind)}"/>
    <summary type="text">${escape(`${c.summary}${c.reason ? ` Reason: ${c.reason}` : ''} Effective ${c.effective}.`)}</summary>
  </entry>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${escape(`${baseUrl}/changes`)}</id>
  <title>${escape(`${site.provider.name}: trust and data-location changes`)}</title>
  <updated>${updated}</updated>
  <author><name>${escape(site.provider.legalEntity || site.provider.name)}</name></author>
  <link rel="self" type="application/atom+xml" href="${escape(`${baseUrl}/changes.atom`)}"/>
  <link rel="alternate" type="text/html" href="${escape(`${baseUrl}/changes`)}"/>
${site.changes.map(entry).join('\n')}
</feed>
`;
}

/** RFC 9116 security.txt; Expires a year ahead of today, as the RFC recommends (less than a year). */
export function renderSecurityTxt(site: Site, baseUrl: string): string {
  const contact = site.provider.securityContact ?? {};
  const expires = new Date(`${site.today}T00:00:00Z`);
  expires.setUTCDate(expires.getUTCDate() + 300);
  const lines = [
    ...(contact.email ? [`Contact: mailto:${contact.email}`] : []),
    ...(contact.url ? [`Contact: ${contact.url}`] : []),
    `Expires: ${expires.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
    ...(contact.pgpKeyUrl ? [`Encryption: ${contact.pgpKeyUrl}`] : []),
    'Preferred-Languages: en',
    `Canonical: ${baseUrl}/.well-known/security.txt`,
    `Policy: ${baseUrl}/faq`,
  ];
  return lines.join('\n') + '\n';
}

export function renderSitemap(site: Site, baseUrl: string, controlIds: string[]): string {
  const paths = ['/', '/certifications', '/data-locations', '/subprocessors', '/responsibility', '/documents', '/faq', '/changes', '/access/request', ...controlIds.map((id) => `/controls/${encodeURIComponent(id)}`)];
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${paths.map((p) => `  <url><loc>${escape(baseUrl + p)}</loc><lastmod>${site.today}</lastmod></url>`).join('\n')}
</urlset>
`;
}
