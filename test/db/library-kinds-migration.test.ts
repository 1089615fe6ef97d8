import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import type { OpenDatabase } from '../../server/db/connect.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { syncContent } from '../../server/modules/content/service.js';
import { minimalContentDir } from '../helpers/content-fixture.js';
import { createDatabaseBefore } from '../helpers/database.js';

const MIGRATION = '2026-12-01T0900_library_kinds';
let database: OpenDatabase;

beforeAll(async () => {
  database = await createDatabaseBefore(MIGRATION);
});
afterAll(async () => database.close());

describe('a database from before library kinds', () => {
  it('keeps its answers as yes/no answers, enforces the kinds after, and takes the new content', async () => {
    const old = { topic: 'old', phrasings: '[]', explanation: 'Written before kinds.', control_ids: '["iso27002:8.24"]', evidence_ids: '[]', access: 'public', owner: 'Security', reviewed_on: '2026-01-01', service_overrides: '{}', content_hash: 'h' };
    await database.db
      .insertInto('library_answers' as never)
      .values([
        { ...old, id: 'old-yes', question: 'Do you encrypt data at rest?', answer: 'Yes' },
        // Stored the old way: an open question with a forced Yes. The migration keeps it; the checker and the next sync deal with it.
        { ...old, id: 'old-open', question: 'Which ciphers do you use?', answer: 'Yes' },
      ] as never)
      .execute();

    await migrateToLatest(database.db);
    const rows = await database.db.selectFrom('library_answers').select(['id', 'kind', 'answer', 'as_of']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'old-open', kind: 'yes-no', answer: 'Yes', as_of: null },
      { id: 'old-yes', kind: 'yes-no', answer: 'Yes', as_of: null },
    ]);
    // From now on only yes/no and event answers carry a short answer, and an event needs its day.
    await expect(database.db.updateTable('library_answers').set({ kind: 'open' }).where('id', '=', 'old-open').execute()).rejects.toThrow();
    await database.db.updateTable('library_answers').set({ kind: 'open', answer: null }).where('id', '=', 'old-open').execute();
    await expect(database.db.updateTable('library_answers').set({ kind: 'event' }).where('id', '=', 'old-yes').execute()).rejects.toThrow();

    // The content of today replaces the old rows in one sync.
    const result = await syncContent(database.db, minimalContentDir, fixedClock('2026-11-28T12:00:00Z'));
    expect(result.problems.filter((p) => p.level === 'error')).toEqual([]);
    const after = await database.db.selectFrom('library_answers').select(['id', 'kind']).orderBy('id').execute();
    expect(after.map((a) => a.id)).not.toContain('old-yes');
    expect(after.length).toBeGreaterThan(0);
  });
});
