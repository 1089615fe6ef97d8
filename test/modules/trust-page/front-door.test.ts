import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { knowledgeChanged } from '../../../server/modules/engine/queries.js';
import { appOverAccessContent } from '../../helpers/access-content.js';
import { makeStaff, signIn } from '../../helpers/staff.js';

const setup = appOverAccessContent();

/** Requests that reach the app: its fast path and its routes both ask the site cache for the version. */
function countAppRequests() {
  return vi.spyOn(setup.t.app.site, 'get');
}

function withoutDate(headers: Record<string, string>): Record<string, string> {
  const { date: _date, ...rest } = headers;
  return rest;
}

describe('the front door (public repeats answered before the app)', () => {
  it('answers a repeat with the bytes and headers the app sent, without reaching the app', async () => {
    for (const url of ['/api/v1/controls?door=1', '/faq?door=1']) {
      const first = await request(setup.t.app.server).get(url).expect(200); // the route renders
      const second = await request(setup.t.app.server).get(url).expect(200); // the app's own fast path
      const reached = countAppRequests();
      try {
        const third = await request(setup.t.app.server).get(url).expect(200);
        expect(reached, url).not.toHaveBeenCalled();
        expect(withoutDate(third.headers), url).toEqual(withoutDate(first.headers));
        expect(withoutDate(third.headers), url).toEqual(withoutDate(second.headers));
        expect(third.text, url).toBe(first.text);
        const again = await request(setup.t.app.server).get(url).set('if-none-match', first.headers.etag).expect(304);
        expect(again.headers.etag).toBe(first.headers.etag);
        expect(again.headers['cache-control']).toBe('public, max-age=60, must-revalidate');
        expect(reached, url).not.toHaveBeenCalled();
      } finally {
        reached.mockRestore();
      }
    }
    const api = await request(setup.t.app.server).get('/api/v1/controls?door=1').expect(200);
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    const page = await request(setup.t.app.server).get('/faq?door=1').expect(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('serves a compressed copy once the app has made it, and leaves the first one to the app', async () => {
    const url = '/data-locations?door=2';
    await request(setup.t.app.server).get(url).expect(200);
    await request(setup.t.app.server).get(url).expect(200);
    const reached = countAppRequests();
    try {
      const made = await rawGet(url, { 'accept-encoding': 'br' });
      expect(reached).toHaveBeenCalledTimes(1); // the first brotli copy is made by the app
      const repeat = await rawGet(url, { 'accept-encoding': 'br' });
      expect(reached).toHaveBeenCalledTimes(1);
      expect(repeat.status).toBe(200);
      expect(repeat.headers['content-encoding']).toBe('br');
      expect(Number(repeat.headers['content-length'])).toBe(repeat.body.length);
      expect(repeat.body.equals(made.body)).toBe(true);
      expect(zlib.brotliDecompressSync(repeat.body).toString()).toContain('<html');
    } finally {
      reached.mockRestore();
    }
  });

  it('sends a session, a token, another method or changed content to the app', async () => {
    const url = '/faq?door=3';
    await request(setup.t.app.server).get(url).expect(200);
    const before = await request(setup.t.app.server).get(url).expect(200);
    const user = await makeStaff(setup.t.app.deps.db, setup.t.clock, 'viewer');
    const { agent } = await signIn(setup.t.app, user.email);
    const reached = countAppRequests();
    try {
      expect((await agent.get(url).expect(200)).headers['cache-control']).toBe('private, no-store');
      expect(reached).toHaveBeenCalledTimes(1);
      await request(setup.t.app.server).get(url).set('authorization', 'Bearer not-a-token').expect(401);
      await request(setup.t.app.server).head(url).expect(200);
      const passedOn = reached.mock.calls.length;
      expect(passedOn).toBeGreaterThanOrEqual(2);

      await setup.t.app.deps.db.updateTable('evidence').set({ title: 'Backup restore test, renamed at the door', edited_at: '2026-11-28T12:40:00Z' }).where('id', '=', 'ev-backup-test').execute();
      knowledgeChanged(setup.t.app.deps.db);
      const after = await request(setup.t.app.server).get('/documents').expect(200);
      expect(after.text).toContain('renamed at the door');
      const changed = await request(setup.t.app.server).get(url).expect(200);
      expect(changed.text).toBe(before.text);
      expect(reached.mock.calls.length).toBeGreaterThan(passedOn);
    } finally {
      reached.mockRestore();
    }
  });
});

/** A GET whose body arrives as sent (no client decompresses it). */
async function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  if (!setup.t.app.server.listening) await new Promise<void>((resolve) => setup.t.app.server.listen(0, '127.0.0.1', resolve));
  const { port } = setup.t.app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: url, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}
