import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { minimalContentDir } from '../../helpers/content-fixture.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ contentDir: minimalContentDir });
});
afterAll(async () => t.close());

describe('GET /livez and /readyz', () => {
  it('both answer 200 when the database answers and every migration is applied', async () => {
    expect((await request(t.app.server).get('/livez').expect(200)).body).toEqual({ status: 'ok' });
    const ready = await request(t.app.server).get('/readyz').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok' });
    expect(ready.headers['cache-control']).toBe('no-store');
  });

  it('/readyz answers 503 naming a migration the database has not applied; /livez still answers', async () => {
    const db = t.database.db;
    const [row] = (await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration order by name desc limit 1`.execute(db)).rows;
    await sql`delete from kysely_migration where name = ${row.name}`.execute(db);
    try {
      const res = await request(t.app.server).get('/readyz').expect(503);
      expect(res.body).toMatchObject({ status: 'unavailable', message: '1 migration not applied yet.', pending: [row.name] });
      await request(t.app.server).get('/livez').expect(200);
    } finally {
      await sql`insert into kysely_migration (name, timestamp) values (${row.name}, ${row.timestamp})`.execute(db);
    }
    await request(t.app.server).get('/readyz').expect(200);
  });
});

describe('without a database', () => {
  it('/readyz and /healthz answer 503, /livez 200', async () => {
    const down = await createTestApp({ contentDir: minimalContentDir });
    await down.database.close();
    try {
      expect((await request(down.app.server).get('/readyz').expect(503)).body.status).toBe('unavailable');
      await request(down.app.server).get('/healthz').expect(503);
      await request(down.app.server).get('/livez').expect(200);
    } finally {
      await down.app.close();
    }
  });
});
