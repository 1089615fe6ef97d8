import type { Timestamp } from '../content/tables.js';

export type VisitorQuestionStatus = 'open' | 'done';

export interface VisitorQuestionsTable {
  id: string;
  question: string;
  email: string;
  status: VisitorQuestionStatus;
  created_at: Timestamp;
  handled_by: string | null;
  handled_at: Timestamp | null;
  /** The library answer made from it, once staff have written one. */
  library_answer_id: string | null;
}

export interface VisitorQuestionTables {
  visitor_questions: VisitorQuestionsTable;
}
