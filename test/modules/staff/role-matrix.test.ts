import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../server/modules/staff/tables.js';
import { roleAllows } from '../../../server/modules/staff/types.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStaff, makeToken } from '../../helpers/staff.js';
import { minimalContentDir } from '../../helpers/content-fixture.js';
import { projectRoot } from '../../../server/config.js';
import { roleRouteTable } from '../../../server/lib/route-table.js';

let t: TestApp;
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  t = await createTestApp({ contentDir: minimalContentDir });
  for (const role of ['viewer', 'editor', 'admin'] as const) {
    const user = await makeStaff(t.database.db, t.clock, role);
    tokens[role] = await makeToken(t.database.db, t.clock, user.email);
  }
});
afterAll(async () => t.close());

/** Every /admin and /api/v1 route the app actually registered, so a new route without a guard fails here. */
function guardedRoutes() {
  return t.app.routeIndex.filter((r) => r.url === '/admin' || r.url.startsWith('/admin/') || r.url.startsWith('/api/v1/'));
}

function concrete(url: string): string {
  return url.replace(/:[A-Za-z]+/g, 'no-such-id').replace(/\*$/, 'x');
}

describe('role matrix', () => {
  it('the README publishes the table of the routes actually registered (regenerate with npm run routes)', () => {
    const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    const published = /<!-- routes:start -->\n([\s\S]*?)\n<!-- routes:end -->/.exec(readme)?.[1];
    expect(published).toBe(roleRouteTable(t.app.routeIndex));
  });

  it('every guarded route declares who may call it', () => {
    const routes = guardedRoutes();
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) expect(route.access, `${route.method} ${route.url}`).toMatch(/^(public|viewer|editor|admin)$/);
  });

  it('anonymous callers get 401 (API) or a redirect to sign in (pages) on every non-public route', async () => {
    for (const route of guardedRoutes().filter((r) => r.access !== 'public')) {
      const res = await request(t.app.server)[route.method.toLowerCase() as 'get'](concrete(route.url)).set('accept', 'text/html');
      if (route.url.startsWith('/api/')) expect(res.status, `${route.method} ${route.url}`).toBe(401);
      else {
        expect(res.status, `${route.method} ${route.url}`).toBe(303);
        expect(res.headers.location).toMatch(/^\/admin\/login\?next=/);
      }
    }
  });

  it.each(['viewer', 'editor', 'admin'] as const)('%s: allowed exactly where the role reaches, 403 elsewhere', async (role) => {
    for (const route of guardedRoutes().filter((r) => r.access !== 'public')) {
      const res = await request(t.app.server)[route.method.toLowerCase() as 'get'](concrete(route.url)).set('authorization', `Bearer ${tokens[role]}`).send({});
      const label = `${role} ${route.method} ${route.url} → ${res.status}`;
      // A viewer's token reads only: its scope never reaches above the role.
      const tokenReaches = role !== 'viewer' || route.method === 'GET';
      if (roleAllows(role, route.access as Role) && tokenReaches) {
        expect([401, 403], label).not.toContain(res.status);
        expect(res.status, label).toBeLessThan(500);
      }
      else expect(res.status, label).toBe(403);
    }
  });

  it('a revoked token is refused', async () => {
    const user = await makeStaff(t.database.db, t.clock, 'admin');
    const token = await makeToken(t.database.db, t.clock, user.email);
    await request(t.app.server).get('/api/v1/users').set('authorization', `Bearer ${token}`).expect(200);
    const row = await t.database.db.selectFrom('api_tokens').select('id').where('user_id', '=', user.id).executeTakeFirstOrThrow();
    await request(t.app.server).delete(`/api/v1/tokens/${row.id}`).set('authorization', `Bearer ${token}`).expect(204);
    const refused = await request(t.app.server).get('/api/v1/users').set('authorization', `Bearer ${token}`).expect(401);
    expect(refused.body.error.message).toMatch(/invalid, expired or revoked/);
  });
});
