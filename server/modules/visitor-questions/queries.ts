import type { DbOrTx } from '../../db/database.js';
import type { Selectable } from 'kysely';
import type { VisitorQuestionsTable, VisitorQuestionStatus } from './tables.js';

export interface VisitorQuestion {
  id: string;
  question: string;
  email: string;
  status: VisitorQuestionStatus;
  createdAt: Date;
  handledBy: string | null;
  handledAt: Date | null;
  libraryAnswerId: string | null;
}

function toVisitorQuestion(row: Selectable<VisitorQuestionsTable>): VisitorQuestion {
  return {
    id: row.id,
    question: row.question,
    email: row.email,
    status: row.status,
    createdAt: row.created_at,
    handledBy: row.handled_by,
    handledAt: row.handled_at,
    libraryAnswerId: row.library_answer_id,
  };
}

export async function insertVisitorQuestion(db: DbOrTx, row: { id: string; question: string; email: string; created_at: Date }): Promise<void> {
  await db.insertInto('visitor_questions').values({ ...row, status: 'open' }).execute();
}

export async function listVisitorQuestions(db: DbOrTx, status?: VisitorQuestionStatus): Promise<VisitorQuestion[]> {
  let query = db.selectFrom('visitor_questions').selectAll().orderBy('created_at', 'desc').limit(500);
  if (status) query = query.where('status', '=', status);
  return (await query.execute()).map(toVisitorQuestion);
}

export async function findVisitorQuestion(db: DbOrTx, id: string): Promise<VisitorQuestion | null> {
  const row = await db.selectFrom('visitor_questions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toVisitorQuestion(row) : null;
}

export async function countRecentFrom(db: DbOrTx, email: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('visitor_questions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function markVisitorQuestion(db: DbOrTx, id: string, change: { status: VisitorQuestionStatus; by: string; at: Date; libraryAnswerId?: string | null }): Promise<void> {
  await db
    .updateTable('visitor_questions')
    .set({ status: change.status, handled_by: change.by, handled_at: change.at, ...(change.libraryAnswerId !== undefined ? { library_answer_id: change.libraryAnswerId } : {}) })
    .where('id', '=', id)
    .execute();
}
