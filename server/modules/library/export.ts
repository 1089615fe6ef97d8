import type { Kysely } from 'kysely';
import { stringify } from 'yaml';
import type { Database } from '../../db/database.js';
import { listAnswers } from './queries.js';

/**
 * Library answers written or edited by staff in the admin, as a content file
 * (`content/library/*.yaml`): committed to the content repository, they become content like the
 * rest, and the next sync no longer reports them as staff-only rows.
 */
export async function exportStaffAnswers(db: Kysely<Database>): Promise<{ count: number; yaml: string }> {
  const rows = (await listAnswers(db)).filter((r) => r.editedBy !== null);
  const answers = rows.map((r) => {
    const services = r.services;
    return {
      id: r.id,
      question: r.question,
      phrasings: r.phrasings,
      ...(r.kind === 'yes-no' ? {} : { kind: r.kind }),
      ...(r.answer ? { answer: r.answer } : {}),
      ...(r.asOf ? { asOf: dateOf(r.asOf) } : {}),
      explanation: r.explanation,
      controls: r.controls,
      evidence: r.evidence,
      access: r.access,
      owner: r.owner,
      reviewed: dateOf(r.reviewed),
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
