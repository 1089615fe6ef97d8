import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../../../server/db/connect.js';
import { checkContent, syncContent } from '../../../server/modules/content/service.js';
import { exportStaffAnswers } from '../../../server/modules/library/export.js';
import { createLibraryAnswer, updateLibraryAnswer } from '../../../server/modules/library/write.js';
import { adjustableClock } from '../../helpers/clock.js';
import { copyContent, minimalContentDir } from '../../helpers/content-fixture.js';
import { createTestDatabase } from '../../helpers/database.js';
import { TEST_NOW } from '../../helpers/app.js';

const clock = adjustableClock(TEST_NOW);
const by = { actor: 'editor@provider.example', actorKind: 'user' as const };
let database: OpenDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await syncContent(database.db, minimalContentDir, clock);
});
afterAll(async () => database?.close());

describe('exporting staff-made library answers', () => {
  it('writes only what staff wrote or edited, as a content file the checker accepts', async () => {
    expect((await exportStaffAnswers(database.db)).count).toBe(0);
    const id = await createLibraryAnswer(database.db, clock, { question: 'Do you keep backups for 35 days?', phrasings: ['Backup retention period?'], answer: 'Yes', explanation: 'Backups are kept 35 days, then deleted.', controls: ['iso27002:8.13'], owner: 'Database Engineering' }, by);
    await updateLibraryAnswer(database.db, clock, 'encryption', { explanation: 'AES-256 on every volume, keys in the KMS.' }, by);

    const exported = await exportStaffAnswers(database.db);
    expect(exported.count).toBe(2);
    const answers = (parse(exported.yaml) as { answers: Record<string, unknown>[] }).answers;
    expect(answers.map((a) => a.id).sort()).toEqual(['encryption', id].sort());
    const mine = answers.find((a) => a.id === id)!;
    expect(mine).toMatchObject({ question: 'Do you keep backups for 35 days?', answer: 'Yes', access: 'nda', controls: ['iso27002:8.13'], owner: 'Database Engineering' });
    expect(mine.reviewed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(mine).not.toHaveProperty('kind'); // yes-no is the default kind

    // Committed beside the other content (the edited answer replaces its file entry), it checks clean.
    const content = copyContent();
    try {
      content.edit('library/data.yaml', (text) => text.replace(/  - id: encryption[\s\S]*?(?=\n  - id: |\n?$)/, ''));
      writeFileSync(path.join(content.dir, 'library', 'staff.yaml'), exported.yaml);
      const { problems, bundle } = checkContent(content.dir, clock);
      expect(problems.filter((p) => p.level === 'error')).toEqual([]);
      expect(bundle.library.find((a) => a.id === id)?.explanation).toBe('Backups are kept 35 days, then deleted.');
      expect(bundle.library.find((a) => a.id === 'encryption')?.explanation).toBe('AES-256 on every volume, keys in the KMS.');
    } finally {
      content.remove();
    }
  });
});
