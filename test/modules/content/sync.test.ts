import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../server/clock.js';
import type { OpenDatabase } from '../../../server/db/connect.js';
import { ContentInvalidError, syncContent } from '../../../server/modules/content/service.js';
import { copyContent } from '../../helpers/content-fixture.js';
import { createTestDatabase } from '../../helpers/database.js';

const clock = fixedClock('2026-11-28T12:00:00Z');
let database: OpenDatabase;
let copy: ReturnType<typeof copyContent>;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
afterEach(async () => {
  copy?.remove();
  for (const table of ['content_revisions', 'responsibilities', 'library_answers', 'evidence', 'evidence_versions', 'services', 'controls'] as const) {
    await database.db.deleteFrom(table).execute();
  }
});

describe('content sync', () => {
  it('loads every kind, and a second run changes nothing', async () => {
    copy = copyContent();
    const first = await syncContent(database.db, copy.dir, clock);
    expect(first.revision).not.toBeNull();
    expect(first.counts).toMatchObject({ controls: 2, services: 2, responsibilities: 4, evidence: 1, library_answers: 2 });
    const backup = await database.db.selectFrom('responsibilities').selectAll().where('id', '=', 'iso27002:8.13|vm').executeTakeFirstOrThrow();
    expect(backup).toMatchObject({ party: 'customer', owner: 'Platform Operations', evidence_ids: ['ev-backup-test'] });
    const evidence = await database.db.selectFrom('evidence').selectAll().executeTakeFirstOrThrow();
    expect(evidence).toMatchObject({ collected_on: '2026-10-29', review_by: '2027-01-27', media_type: 'text/plain', size: 16 });

    const second = await syncContent(database.db, copy.dir, clock);
    expect(second.changes).toEqual({ inserted: 0, updated: 0, deleted: 0, unchanged: first.changes.inserted });
    expect(second.revision).toBeNull();
    const revisions = await database.db.selectFrom('content_revisions').selectAll().execute();
    expect(revisions).toHaveLength(1);
    expect(revisions[0].hash).toBe(second.hash);
  });

  it('applies a changed file as an update and keeps earlier evidence versions', async () => {
    copy = copyContent();
    await syncContent(database.db, copy.dir, clock);
    copy.edit('evidence/files/backup-test.txt', () => 'restore test ok, again\n');
    copy.edit('evidence/register.yaml', (t) => t.replace(/sha256: \w+/, 'sha256: 8c2d0e6bb6e57e5f3a02a6ae1fb9fdb1d0cfcd85cc77e5eaa7ca1bc5b8deda24'));
    await expect(syncContent(database.db, copy.dir, clock)).rejects.toThrow(ContentInvalidError);
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update('restore test ok, again\n').digest('hex');
    copy.edit('evidence/register.yaml', (t) => t.replace(/sha256: \w+/, `sha256: ${sha}`));
    const report = await syncContent(database.db, copy.dir, clock);
    expect(report.changes.updated).toBe(1);
    const versions = await database.db.selectFrom('evidence_versions').select(['version', 'sha256']).orderBy('version').execute();
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[1].sha256).toBe(sha);
  });

  it('never silently overwrites a staff edit: reports the conflict, keeps the staff version until told', async () => {
    copy = copyContent();
    await syncContent(database.db, copy.dir, clock);
    await database.db
      .updateTable('library_answers')
      .set({ explanation: 'Staff wording.', edited_by: 'editor@acme.example', edited_at: clock.now() })
      .where('id', '=', 'backups')
      .execute();

    // content unchanged: the staff edit simply stands, no conflict
    expect((await syncContent(database.db, copy.dir, clock)).conflicts).toEqual([]);

    copy.edit('library/data.yaml', (t) => t.replace('Daily backups, kept 35 days.', 'Hourly backups, kept 35 days.'));
    const conflicted = await syncContent(database.db, copy.dir, clock);
    expect(conflicted.conflicts).toHaveLength(1);
    expect(conflicted.conflicts[0]).toMatch(/^library_answers backups: edited by staff since the last sync and changed in library\/data\.yaml/);
    const kept = await database.db.selectFrom('library_answers').select('explanation').where('id', '=', 'backups').executeTakeFirstOrThrow();
    expect(kept.explanation).toBe('Staff wording.');

    const settled = await syncContent(database.db, copy.dir, clock, { prefer: 'content' });
    expect(settled.conflicts).toEqual([]);
    const replaced = await database.db.selectFrom('library_answers').select(['explanation', 'edited_at']).where('id', '=', 'backups').executeTakeFirstOrThrow();
    expect(replaced).toEqual({ explanation: 'Hourly backups, kept 35 days.', edited_at: null });
  });

  it('--prefer database keeps the staff version and stops reporting it', async () => {
    copy = copyContent();
    await syncContent(database.db, copy.dir, clock);
    await database.db.updateTable('services').set({ summary: 'Staff summary.', edited_at: clock.now() }).where('id', '=', 'vm').execute();
    copy.edit('services.yaml', (t) => t.replace('summary: Virtual machines.', 'summary: Fast virtual machines.'));
    expect((await syncContent(database.db, copy.dir, clock, { prefer: 'database' })).conflicts).toEqual([]);
    expect((await syncContent(database.db, copy.dir, clock)).conflicts).toEqual([]);
    const row = await database.db.selectFrom('services').select('summary').where('id', '=', 'vm').executeTakeFirstOrThrow();
    expect(row.summary).toBe('Staff summary.');
  });

  it('removes items deleted from content, and refuses invalid content without writing anything', async () => {
    copy = copyContent();
    await syncContent(database.db, copy.dir, clock);
    copy.edit('library/data.yaml', (t) => t.slice(0, t.indexOf('  - id: encryption')));
    expect((await syncContent(database.db, copy.dir, clock)).changes.deleted).toBe(1);

    copy.edit('services.yaml', (t) => t.replace('model: IaaS', 'model: Mainframe'));
    copy.edit('library/data.yaml', (t) => t.replace('Daily backups', 'Weekly backups'));
    await expect(syncContent(database.db, copy.dir, clock)).rejects.toThrow(ContentInvalidError);
    const answer = await database.db.selectFrom('library_answers').select('explanation').where('id', '=', 'backups').executeTakeFirstOrThrow();
    expect(answer.explanation).toBe('Daily backups, kept 35 days.');
  });
});
