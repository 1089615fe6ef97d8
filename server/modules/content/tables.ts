import type { ColumnType, Generated } from 'kysely';
import type { LAYERS } from './schema.js';

/** JSON stored in a jsonb column: read as T, written as its JSON text. */
export type Json<T> = ColumnType<T, string, string>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type AccessLevel = 'public' | 'nda' | 'internal';
/** Whether a recipient may pass a document on (a third party's report may need its consent). */
export type Redistribution = 'allowed' | 'with-consent' | 'not-allowed';

/** Public documents may be passed on; anything shared under NDA or kept internal may not, unless the register says so. */
export function defaultRedistribution(access: AccessLevel): Redistribution {
  return access === 'public' ? 'allowed' : 'not-allowed';
}
export type Party = 'provider' | 'customer' | 'shared' | 'third-party' | 'shared-third-party' | 'not-applicable';

export type LayerId = (typeof LAYERS)[number];

/** One layer of a service's stack and who runs it. */
export interface ServiceLayer {
  layer: LayerId;
  party: Party;
  note: string;
  /** The subservice organisations (subprocessor ids) of a third-party layer. */
  subprocessors: string[];
}

/** Parties where the provider carries (or answers for) the duty: itself, with the customer, or through a subservice organisation. */
export const PROVIDER_SIDE: readonly Party[] = ['provider', 'shared', 'third-party', 'shared-third-party'];
export type ServiceModel = 'IaaS' | 'PaaS' | 'SaaS';
export type ShortAnswer = 'Yes' | 'No' | 'Partial' | 'N/A';
export type LibraryKind = 'yes-no' | 'open' | 'responsibility' | 'field' | 'event';
export type ControlTheme = 'organizational' | 'people' | 'physical' | 'technological' | 'cloud';
export type EvidenceKind =
  | 'policy'
  | 'procedure'
  | 'report'
  | 'certificate'
  | 'configuration'
  | 'log-sample'
  | 'record'
  | 'test-result'
  | 'screenshot';
export type ChangeKind = 'location' | 'subprocessor' | 'certification' | 'notice';

/** Columns every table synced from content/ carries, for idempotent sync and conflict detection. */
export interface SyncedColumns {
  position: ColumnType<number, number | undefined, number>;
  source_file: string | null;
  content_hash: string;
  edited_by: string | null;
  edited_at: Timestamp | null;
  synced_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ContentRevisionsTable {
  id: Generated<number>;
  hash: string;
  synced_at: Timestamp;
  counts: Json<Record<string, number>>;
  changes: Json<Record<string, number>>;
  conflicts: Json<string[]>;
}

export interface ContentDocumentsTable extends SyncedColumns {
  id: string;
  data: Json<unknown>;
}

export interface FrameworksTable extends SyncedColumns {
  id: string;
  name: string;
  edition: string;
}

export interface ControlsTable extends SyncedColumns {
  id: string;
  framework_id: string;
  ref: string;
  title: string;
  theme: ControlTheme;
  description: string;
  keywords: Json<string[]>;
  focus: Json<string[]>;
  guidance_clause: string | null;
  guidance_provider: string | null;
  guidance_customer: string | null;
}

export interface ControlMappingsTable extends SyncedColumns {
  id: string;
  title_2013: string;
  to_refs: Json<string[]>;
  relationship: string;
}

export interface ServicesTable extends SyncedColumns {
  id: string;
  name: string;
  model: ServiceModel;
  summary: string;
  description: string;
  /** Who runs each layer of the stack, bottom-up. */
  layers: Json<ServiceLayer[]>;
}

export interface ResponsibilitiesTable extends SyncedColumns {
  id: string;
  control_id: string;
  /** Null for a row about the provider's own ISMS (scope `isms`). */
  service_id: string | null;
  /** `service`: the control on one service, for the customer; `isms`: how the provider runs it for itself. */
  scope: ColumnType<'service' | 'isms', 'service' | 'isms' | undefined, 'service' | 'isms'>;
  party: Party;
  provider_duty: string | null;
  customer_duty: string | null;
  reason: string | null;
  owner: string | null;
  evidence_ids: Json<string[]>;
  /** Subprocessor ids of the subservice organisations for third-party parties. */
  third_parties: Json<string[]>;
  /** Region id → the fields that differ in that region. */
  region_overrides: ColumnType<Record<string, RegionOverride>, string | undefined, string>;
}

/** Where a provider works differently in one region: the fields of a matrix row that differ there. */
export interface RegionOverride {
  party?: Party;
  provider?: string;
  customer?: string;
  reason?: string;
  thirdParties?: string[];
}

export interface EvidenceTable extends SyncedColumns {
  id: string;
  title: string;
  summary: string;
  kind: EvidenceKind;
  owner: string;
  source: string;
  issued_on: string | null;
  period_start: string | null;
  period_end: string | null;
  /** The artifact's own version label ("3.2"), not the file history in evidence_versions. */
  version: string | null;
  approver: string | null;
  redistribution: ColumnType<Redistribution, Redistribution | undefined, Redistribution>;
  collected_on: string;
  review_by: string;
  control_ids: Json<string[]>;
  access: AccessLevel;
  file_name: string | null;
  media_type: string | null;
  size: number | null;
  sha256: string | null;
  storage: ColumnType<'content' | 'upload', 'content' | 'upload' | undefined, 'content' | 'upload'>;
}

export interface EvidenceVersionsTable {
  id: Generated<number>;
  evidence_id: string;
  version: number;
  origin: 'content' | 'upload';
  file_name: string;
  media_type: string;
  size: number;
  sha256: string;
  storage_key: string;
  created_by: string | null;
  created_at: Timestamp;
}

export interface DataCategoriesTable extends SyncedColumns {
  id: string;
  name: string;
  description: string;
}

export interface JsonDataTable<T> extends SyncedColumns {
  id: string;
  data: Json<T>;
}

export interface DisclosureChangesTable extends SyncedColumns {
  id: string;
  published_on: string;
  effective_on: string;
  kind: ChangeKind;
  data: Json<Record<string, unknown>>;
}

export interface LibraryAnswersTable extends SyncedColumns {
  id: string;
  topic: string;
  question: string;
  phrasings: Json<string[]>;
  kind: LibraryKind;
  /** Only `yes-no` and `event` answers carry one (a CHECK says so). */
  answer: ShortAnswer | null;
  as_of: string | null;
  explanation: string;
  control_ids: Json<string[]>;
  evidence_ids: Json<string[]>;
  access: AccessLevel;
  owner: string;
  reviewed_on: string;
  service_overrides: Json<Record<string, { answer?: ShortAnswer; explanation?: string }>>;
}

export interface FaqEntriesTable extends SyncedColumns {
  id: string;
  question: string;
  answer_md: string;
  citations: Json<FaqCitation[]>;
}

export interface FaqCitation {
  kind: 'control' | 'document' | 'url';
  ref?: string;
  url?: string;
  title?: string;
}

/** The one row saying what the last sync read (see content/fingerprint.ts). */
export interface ContentSyncStateTable {
  id: number;
  fingerprint: string;
  synced_at: Date;
}

export interface ContentTables {
  content_revisions: ContentRevisionsTable;
  content_sync_state: ContentSyncStateTable;
  content_documents: ContentDocumentsTable;
  frameworks: FrameworksTable;
  controls: ControlsTable;
  control_mappings: ControlMappingsTable;
  services: ServicesTable;
  responsibilities: ResponsibilitiesTable;
  evidence: EvidenceTable;
  evidence_versions: EvidenceVersionsTable;
  data_categories: DataCategoriesTable;
  regions: JsonDataTable<Record<string, unknown>>;
  subprocessors: JsonDataTable<Record<string, unknown>>;
  certifications: JsonDataTable<Record<string, unknown>>;
  disclosure_changes: DisclosureChangesTable;
  library_answers: LibraryAnswersTable;
  faq_entries: FaqEntriesTable;
}
