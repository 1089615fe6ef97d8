import type { Kysely } from 'kysely';
import { stringify } from 'yaml';
import type { Database } from '../../db/database.js';

/**
 * Library answers written or edited by staff in the admin, as a content file
 * (`content/library/*.yaml`): committed to the content repository, they become content like the
 * rest, and the next sync no longer reports them as staff-only rows.
 */
export async function exportStaffAnswers(db: Kysely<Database>): Promise<{ count: number; yaml: string }> {
  const rows = await db.selectFrom('library_answers').selectAll().where('edited_by', 'is not', null).orderBy('position').orderBy('id').execute();
  const answers = rows.map((r) => {
    const services = r.service_overrides as Record<string, unknown>;
    return {
      id: r.id,
      question: r.question,
      phrasings: r.phrasings as string[],
      ...(r.kind === 'yes-no' ? {} : { kind: r.kind }),
      ...(r.answer ? { answer: r.answer } : {}),
      ...(r.as_of ? { asOf: dateOf(r.as_of) } : {}),
      explanation: r.explanation,
      controls: r.control_ids as string[],
      evidence: r.evidence_ids as string[],
      access: r.access,
      owner: r.owner,
      reviewed: dateOf(r.reviewed_on),
      ...(Object.keys(services ?? {}).length ? { services } : {}),
    };
  });
  const header = '# Library answers written or edited by staff in the admin (evident content export-library).\n';
  return { count: answers.length, yaml: header + stringify({ answers }, { lineWidth: 0 }) };
}

/** Drivers return dates as text or as Date objects; content wants YYYY-MM-DD. */
function dateOf(value: string | Date): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}
