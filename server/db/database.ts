import type { Kysely, Transaction } from 'kysely';
import type { AccessTables } from '../modules/access/tables.js';
import type { AuditTables } from '../modules/audit/tables.js';
import type { JobTables } from '../modules/jobs/tables.js';
import type { LibraryTables } from '../modules/library/tables.js';
import type { EvidenceFileTables } from '../modules/evidence/tables.js';
import type { PendingUploadTables } from '../modules/questionnaires/tables.js';
import type { RateLimitTables } from '../plugins/rate-limit-tables.js';
import type { MailTables } from '../modules/mail/tables.js';
import type { ContentTables } from '../modules/content/tables.js';
import type { QuestionnaireTables } from '../modules/questionnaires/tables.js';
import type { StaffTables } from '../modules/staff/tables.js';
import type { SubscriptionTables } from '../modules/subscriptions/tables.js';
import type { VisitorQuestionTables } from '../modules/visitor-questions/tables.js';

/**
 * The one Kysely interface describing every table. Each domain declares its tables
 * beside its queries; they meet here. A test compares this with the migrated schema.
 */
export interface Database extends ContentTables, StaffTables, AuditTables, QuestionnaireTables, AccessTables, MailTables, SubscriptionTables, VisitorQuestionTables, JobTables, LibraryTables, EvidenceFileTables, PendingUploadTables, RateLimitTables {}

export type Db = Kysely<Database>;
/** Query functions accept either, so the caller decides where the transaction begins. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;
