import type { ColumnType, Generated } from 'kysely';
import type { AccessLevel, Json, ShortAnswer, Timestamp } from '../content/tables.js';
import type { QuestionResult, ResultStatus, SheetReport } from '../engine/types.js';

export type QuestionnaireStatus = 'processing' | 'ready' | 'failed';
export type ReviewState = 'pending' | 'approved' | 'edited' | 'rejected';
/** Where the people reviewing a ready questionnaire are; beside the processing status. */
export type ReviewStage = 'ready' | 'in-review' | 'completed';

export interface QuestionnairesTable {
  id: string;
  name: string;
  file_name: string;
  format: 'xlsx' | 'csv' | 'json';
  size: number;
  sha256: string;
  service_id: string | null;
  audience: AccessLevel;
  status: QuestionnaireStatus;
  error: string | null;
  summary: Json<{ total: number; answered: number; review: number; unanswered: number; notAQuestion?: number }>;
  layouts: Json<unknown[]>;
  /** What the import did with each sheet. */
  sheets: ColumnType<SheetReport[], string | undefined, string>;
  warnings: Json<string[]>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  customer: string | null;
  owner: string | null;
  /** YYYY-MM-DD; overdue is computed from it and the clock. */
  due_date: string | null;
  review_stage: ColumnType<ReviewStage, ReviewStage | undefined, ReviewStage>;
}

export interface QuestionnaireFilesTable {
  questionnaire_id: string;
  data: ColumnType<Uint8Array, Uint8Array | Buffer, Uint8Array | Buffer>;
}

export interface QuestionnaireItemsTable {
  id: Generated<number>;
  questionnaire_id: string;
  position: number;
  ext_id: string;
  sheet: string | null;
  sheet_part: string | null;
  row: number | null;
  section: string | null;
  question: string;
  answer_cell: string | null;
  comment_cell: string | null;
  vocabulary: Json<string[] | null> | null;
  status: ResultStatus;
  result: Json<QuestionResult>;
  review_state: ReviewState;
  final_answer: ShortAnswer | null;
  final_text: string | null;
  assignee: string | null;
  reviewed_by: string | null;
  reviewed_at: Timestamp | null;
  /** The bulk decision that set this review, so it can be undone as one. */
  review_batch: string | null;
  /** Why a reviewer rejected the suggested answer. */
  review_reason: string | null;
  /** Set when the row alone was answered again; null: answered with the whole file. */
  answered_at: Timestamp | null;
}

export interface QuestionnaireTables {
  questionnaires: QuestionnairesTable;
  questionnaire_files: QuestionnaireFilesTable;
  questionnaire_items: QuestionnaireItemsTable;
}

/** An upload waiting for its question column (see pending.ts). */
export interface PendingInput {
  data: Uint8Array;
  fileName: string;
  name?: string;
  service?: string | null;
  audience?: string;
}

export interface PendingUploadsTable {
  token: string;
  owner: string;
  input: Json<Omit<PendingInput, 'data'>>;
  data: Buffer;
  expires_at: Timestamp;
}

export interface PendingUploadTables {
  pending_uploads: PendingUploadsTable;
}
