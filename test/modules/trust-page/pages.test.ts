import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { appOverAccessContent, INTERNAL_TITLE, NDA_TITLE } from '../../helpers/access-content.js';

const setup = appOverAccessContent();

const get = (url: string) => request(setup.t.app.server).get(url);

describe('public trust page', () => {
  it('overview shows the provider, certificate status computed from dates, services and latest changes', async () => {
    const res = await get('/').expect(200);
    expect(res.text).toContain('Security at Acme Cloud');
    expect(res.text).toMatch(/<span class="badge badge-valid">Valid<\/span>\s*until 16 May 2029/); // issued -100d, expires +900d from 2026-11-28
    expect(res.text).toContain('Acme VMs');
    expect(res.text).toContain('Frankfurt opened');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('data locations: a server-rendered map with a text alternative, filterable by linkable query parameters', async () => {
    const res = await get('/data-locations').expect(200);
    expect(res.text).toMatch(/<svg class="world-map"[^>]*aria-labelledby="map-title"/);
    expect(res.text).toContain('<title id="map-title">');
    expect(res.text).toMatch(/<th scope="row"><span class="key" aria-hidden="true">\d+<\/span> Frankfurt/);
    expect(res.text).toContain('Germany (EU)');
    const none = await get('/data-locations?category=no-such-category').expect(200);
    expect(none.text).toContain('No region matches this filter.');
    const vm = await get('/data-locations?service=vm').expect(200);
    expect(vm.text).toMatch(/<option value="vm" selected>/);
  });

  it('certifications show scope, body and dates; NDA reports are requestable, not downloadable', async () => {
    const res = await get('/certifications').expect(200);
    expect(res.text).toContain('Certa');
    expect(res.text).toContain('Everything');
  });

  it('documents: public ones download, NDA ones are listed by title to request; internal ones never appear', async () => {
    const res = await get('/documents').expect(200);
    expect(res.text).toContain('href="/documents/ev-backup-test/file"');
    expect(res.text).toContain(NDA_TITLE);
    expect(res.text).not.toContain('/documents/ev-soc2/file');
    expect(res.text).not.toContain(INTERNAL_TITLE);
    await get('/documents/ev-soc2/file').expect(404);
    await get('/documents/ev-runbook/file').expect(404);
    const file = await get('/documents/ev-backup-test/file').expect(200);
    expect(file.text).toBe('restore test ok\n');
  });

  it('the change log has an Atom feed', async () => {
    const feed = await get('/changes.atom').expect(200);
    expect(feed.headers['content-type']).toMatch(/application\/atom\+xml/);
    expect(feed.text).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
    expect(feed.text).toContain('<title>Frankfurt opened</title>');
    expect(feed.text).toMatch(/<updated>\d{4}-\d{2}-\d{2}T00:00:00Z<\/updated>/);
    expect(feed.text.match(/<entry>/g)?.length).toBe(feed.text.match(/<\/entry>/g)?.length);
  });

  it('security.txt follows RFC 9116 with a Contact and an Expires less than a year ahead', async () => {
    const res = await get('/.well-known/security.txt').expect(200);
    expect(res.text).toContain('Contact: mailto:security@acme.example');
    const expires = /^Expires: (\S+)$/m.exec(res.text)![1];
    const days = (Date.parse(expires) - Date.parse('2026-11-28T12:00:00Z')) / 86_400_000;
    expect(days).toBeGreaterThan(0);
    expect(days).toBeLessThan(366);
    expect((await get('/robots.txt').expect(200)).text).toContain('Disallow: /admin');
    expect((await get('/sitemap.xml').expect(200)).text).toContain('<loc>http://127.0.0.1:3000/controls/iso27002%3A8.13</loc>');
  });

  it('answers a repeat visit with 304 Not Modified', async () => {
    const first = await get('/faq').expect(200);
    const etag = first.headers.etag;
    expect(etag).toBeTruthy();
    await get('/faq').set('if-none-match', etag).expect(304);
  });
});
