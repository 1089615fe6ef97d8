import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../content/tables.js';

export type RequestStatus = 'pending' | 'approved' | 'denied';

export interface AccessRequestsTable {
  id: string;
  name: string;
  email: string;
  company: string;
  reason: string;
  document_ids: Json<string[]>;
  status: RequestStatus;
  decided_by: string | null;
  decided_kind: 'user' | 'rule' | null;
  decision_reason: string | null;
  ip: string | null;
  created_at: Timestamp;
  decided_at: Timestamp | null;
}

export interface AccessGrantsTable {
  id: string;
  request_id: string;
  token_hash: string;
  document_ids: Json<string[]>;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
  created_at: Timestamp;
}

export interface NdaAcceptancesTable {
  id: Generated<number>;
  grant_id: string;
  nda_version: string;
  nda_sha256: string;
  name: string;
  email: string;
  ip: string | null;
  user_agent: string | null;
  accepted_at: Timestamp;
}

export interface DocumentDownloadsTable {
  id: Generated<number>;
  grant_id: string;
  evidence_id: string;
  original_sha256: string;
  served_sha256: string;
  ip: string | null;
  user_agent: string | null;
  downloaded_at: Timestamp;
}

export interface AccessTables {
  access_requests: AccessRequestsTable;
  access_grants: AccessGrantsTable;
  nda_acceptances: NdaAcceptancesTable;
  document_downloads: DocumentDownloadsTable;
}
