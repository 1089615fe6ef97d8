import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../../server/db/connect.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { createDatabaseBefore } from '../helpers/database.js';

const MIGRATION = '2026-12-02T0300_evidence_issue_details';
let database: OpenDatabase;

beforeAll(async () => {
  database = await createDatabaseBefore(MIGRATION);
});
afterAll(async () => database.close());

describe('evidence issue details on an existing database', () => {
  it('keeps the rows and gives each the redistribution its access level implies', async () => {
    const base = { summary: 'S', kind: 'policy', owner: 'O', source: 'S', collected_on: '2026-01-01', review_by: '2027-01-01', control_ids: '[]', position: 0, content_hash: 'h' };
    await database.db
      .insertInto('evidence' as never)
      .values([
        { ...base, id: 'ev-public', title: 'Public policy', access: 'public' },
        { ...base, id: 'ev-nda', title: 'NDA report', access: 'nda' },
      ] as never)
      .execute();

    await migrateToLatest(database.db);
    const rows = await database.db.selectFrom('evidence').select(['id', 'title', 'redistribution', 'issued_on', 'version']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'ev-nda', title: 'NDA report', redistribution: 'not-allowed', issued_on: null, version: null },
      { id: 'ev-public', title: 'Public policy', redistribution: 'allowed', issued_on: null, version: null },
    ]);
    await expect(database.db.updateTable('evidence').set({ redistribution: 'sometimes' as never }).where('id', '=', 'ev-nda').execute()).rejects.toThrow();
  });
});
