import { rmSync } from 'node:fs';
import zlib from 'node:zlib';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { knowledgeChanged } from '../../../server/modules/engine/queries.js';
import { knowledgeTrackerOf } from '../../../server/lib/knowledge-version.js';
import { chooseEncoding } from '../../../server/modules/trust-page/cache.js';
import { appOverAccessContent } from '../../helpers/access-content.js';
import { createTestApp } from '../../helpers/app.js';
import { makeStaff, makeToken, signIn } from '../../helpers/staff.js';

const setup = appOverAccessContent();

/** The public pages and JSON the trust page serves from memory. */
const CACHED = ['/', '/certifications', '/data-locations', '/subprocessors', '/responsibility', '/controls/iso27002%3A8.13', '/documents', '/faq', '/changes', '/search?q=encryption', '/changes.atom', '/api/v1/trust', '/api/v1/controls', '/api/v1/services', '/api/v1/documents'];

describe('public responses served from memory', () => {
  it('every cached public response has an ETag, is shared-cacheable, answers 304 to a repeat, and sets no cookie', async () => {
    for (const url of CACHED) {
      const first = await request(setup.t.app.server).get(url).expect(200);
      expect(first.headers['set-cookie'], url).toBeUndefined();
      expect(first.headers.etag, url).toMatch(/^"[\w-]{20,}"$/);
      expect(first.headers['cache-control'], url).toBe('public, max-age=60, must-revalidate');
      expect(first.headers.vary, url).toMatch(/accept-encoding/i);
      const again = await request(setup.t.app.server).get(url).set('if-none-match', first.headers.etag).expect(304);
      expect(again.headers['set-cookie'], url).toBeUndefined();
      expect(again.text, url).toBe('');
    }
  });

  it('renders a page once for a burst of visitors, and again only when the content changes', async () => {
    const view = vi.spyOn(setup.t.app, 'view');
    try {
      const url = '/documents?burst=1';
      const bodies = await Promise.all(Array.from({ length: 8 }, () => request(setup.t.app.server).get(url).expect(200)));
      expect(view).toHaveBeenCalledTimes(1);
      expect(new Set(bodies.map((b) => b.headers.etag)).size).toBe(1);
      await request(setup.t.app.server).get(url).expect(200);
      expect(view).toHaveBeenCalledTimes(1);

      await setup.t.app.deps.db.updateTable('evidence').set({ title: 'Backup restore test, renamed', edited_at: '2026-11-28T12:30:00Z' }).where('id', '=', 'ev-backup-test').execute();
      knowledgeChanged(setup.t.app.deps.db);
      const after = await request(setup.t.app.server).get(url).expect(200);
      expect(view).toHaveBeenCalledTimes(2);
      expect(after.text).toContain('Backup restore test, renamed');
      expect(after.headers.etag).not.toBe(bodies[0]!.headers.etag);
    } finally {
      view.mockRestore();
    }
  });

  it('a new day is a new version: pages render again at midnight, as statuses follow the date', async () => {
    const view = vi.spyOn(setup.t.app, 'view');
    try {
      await request(setup.t.app.server).get('/certifications?day=1').expect(200);
      await request(setup.t.app.server).get('/certifications?day=1').expect(200);
      expect(view).toHaveBeenCalledTimes(1);
      setup.t.clock.advance(86_400_000);
      await request(setup.t.app.server).get('/certifications?day=1').expect(200);
      expect(view).toHaveBeenCalledTimes(2);
      setup.t.clock.advance(-86_400_000);
      await request(setup.t.app.server).get('/certifications?day=1').expect(200);
      expect(view).toHaveBeenCalledTimes(3);
    } finally {
      view.mockRestore();
    }
  });

  it('compresses with brotli or gzip when the client asks, the same bytes underneath', async () => {
    const plain = await setup.t.app.inject({ url: '/data-locations' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await setup.t.app.inject({ url: '/data-locations', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(br.rawPayload).equals(plain.rawPayload)).toBe(true);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    const gz = await setup.t.app.inject({ url: '/api/v1/trust', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(gz.rawPayload).toString())).toHaveProperty('provider');
    // A page with a form is rendered per visitor, and compressed on the way out all the same.
    const ask = await setup.t.app.inject({ url: '/subscribe', headers: { 'accept-encoding': 'gzip' } });
    expect(ask.headers['content-encoding']).toBe('gzip');
    expect(ask.headers['cache-control']).toBe('private, no-store');
  });

  it('reads Accept-Encoding as sent: preference by support, q=0 refused', () => {
    expect(chooseEncoding('gzip, deflate, br')).toBe('br');
    expect(chooseEncoding('br;q=0, gzip')).toBe('gzip');
    expect(chooseEncoding('identity')).toBeNull();
    expect(chooseEncoding(undefined)).toBeNull();
  });

  it('signed-in staff get the same page marked private, never stored by a shared cache', async () => {
    const user = await makeStaff(setup.t.app.deps.db, setup.t.clock, 'viewer');
    const { agent } = await signIn(setup.t.app, user.email);
    for (const url of ['/', '/api/v1/trust']) {
      const res = await agent.get(url).expect(200);
      expect(res.headers['cache-control'], url).toBe('private, no-store');
      expect(res.headers.vary, url).toMatch(/Cookie, Authorization/);
    }
  });

  it('a repeat from the public is the first response again, headers and all; a token or a session is never served as the public', async () => {
    for (const url of ['/api/v1/controls?repeat=1', '/faq?repeat=1']) {
      const first = await request(setup.t.app.server).get(url).expect(200);
      // Repeats skip the route (the bytes are ready) and must not lose a header on the way.
      const again = await request(setup.t.app.server).get(url).set('cookie', 'theme=dark').expect(200);
      const { date: _first, ...firstHeaders } = first.headers;
      const { date: _again, ...againHeaders } = again.headers;
      expect(againHeaders, url).toEqual(firstHeaders);
      expect(again.text, url).toBe(first.text);
    }
    const api = await request(setup.t.app.server).get('/api/v1/controls?repeat=1').expect(200);
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['content-security-policy']).toContain("frame-ancestors 'none'");

    const user = await makeStaff(setup.t.app.deps.db, setup.t.clock, 'viewer');
    const token = await makeToken(setup.t.app.deps.db, setup.t.clock, user.email);
    const withToken = await request(setup.t.app.server).get('/api/v1/controls?repeat=1').set('authorization', `Bearer ${token}`).expect(200);
    expect(withToken.headers['cache-control']).toBe('private, no-store');
    expect(withToken.headers.vary).toMatch(/Authorization/);
    await request(setup.t.app.server).get('/api/v1/controls?repeat=1').set('authorization', 'Bearer not-a-token').expect(401);
    const { agent } = await signIn(setup.t.app, user.email);
    expect((await agent.get('/faq?repeat=1').expect(200)).headers['cache-control']).toBe('private, no-store');
  });

  it('the page a visitor fills in carries their own CSRF token and is never cached', async () => {
    const res = await request(setup.t.app.server).get('/subscribe').expect(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers.etag).toBeUndefined();
    expect(String(res.headers['set-cookie'])).toMatch(/evident_csrf=/);
  });
});

describe('during a database outage', () => {
  it('a page already rendered still answers 200 with a notice; one never rendered fails', async () => {
    const own = await createTestApp({ contentDir: setup.content.dir });
    try {
      await request(own.app.server).get('/faq').expect(200);
      await request(own.app.server).get('/api/v1/trust').expect(200);
      await own.database.close();
      // Make the next request ask the database for the version (on PostgreSQL the tracker
      // otherwise waits for a notice, and would serve from memory without asking at all).
      own.clock.advance(5_000);
      knowledgeTrackerOf(own.app.deps.db)!.changedElsewhere();
      const page = await request(own.app.server).get('/faq').expect(200);
      expect(page.text).toContain('This page may be out of date');
      expect(page.headers['cache-control']).toBe('no-store');
      const api = await request(own.app.server).get('/api/v1/trust').expect(200);
      expect(api.headers['x-evident-stale']).toBe('1');
      expect(api.body.provider.name).toBeTruthy();
      const never = await request(own.app.server).get('/certifications');
      expect(never.status).toBeGreaterThanOrEqual(500);
    } finally {
      await own.app.close();
      rmSync(own.dataDir, { recursive: true, force: true });
    }
  });
});
