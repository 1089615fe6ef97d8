import type { Database } from '../../server/db/database.js';

/**
 * Every column of every table, as the Database interface declares them. The type makes tsc
 * reject this list when it drifts from the interface; the migration test compares it with the
 * migrated schema. Together they fail when the interface and the schema disagree.
 */
type Columns = { [T in keyof Database]: Record<keyof Database[T], true> };

const synced = { position: true, source_file: true, content_hash: true, edited_by: true, edited_at: true, synced_at: true } as const;

export const databaseColumns: Columns = {
  content_revisions: { id: true, hash: true, synced_at: true, counts: true, changes: true, conflicts: true },
  content_sync_state: { id: true, fingerprint: true, synced_at: true },
  content_documents: { id: true, data: true, ...synced },
  frameworks: { id: true, name: true, edition: true, ...synced },
  controls: {
    id: true, framework_id: true, ref: true, title: true, theme: true, description: true, keywords: true, focus: true,
    guidance_clause: true, guidance_provider: true, guidance_customer: true, ...synced,
  },
  control_mappings: { id: true, title_2013: true, to_refs: true, relationship: true, ...synced },
  services: { id: true, name: true, model: true, summary: true, description: true, layers: true, ...synced },
  responsibilities: {
    id: true, control_id: true, service_id: true,
    scope: true, party: true, provider_duty: true, customer_duty: true, reason: true, owner: true,
    evidence_ids: true, third_parties: true,
    region_overrides: true, ...synced,
  },
  evidence: {
    id: true, title: true, summary: true, kind: true, owner: true, source: true, collected_on: true, review_by: true, control_ids: true,
    issued_on: true, period_start: true, period_end: true, version: true, approver: true, redistribution: true,
    access: true, file_name: true, media_type: true, size: true, sha256: true, storage: true, ...synced,
  },
  evidence_versions: {
    id: true, evidence_id: true, version: true, origin: true, file_name: true, media_type: true, size: true, sha256: true,
    storage_key: true, created_by: true, created_at: true,
  },
  data_categories: { id: true, name: true, description: true, ...synced },
  regions: { id: true, data: true, ...synced },
  subprocessors: { id: true, data: true, ...synced },
  certifications: { id: true, data: true, ...synced },
  disclosure_changes: { id: true, published_on: true, effective_on: true, kind: true, data: true, ...synced },
  library_answers: {
    id: true, topic: true, question: true, phrasings: true, kind: true, answer: true, as_of: true, explanation: true, control_ids: true, evidence_ids: true,
    access: true, owner: true, reviewed_on: true, service_overrides: true, ...synced,
  },
  library_overlaps: { knowledge_version: true, computed_at: true, overlaps: true },
  faq_entries: { id: true, question: true, answer_md: true, citations: true, ...synced },
  staff_users: {
    id: true, email: true, name: true, role: true, password_hash: true, password_changed_at: true, disabled_at: true, mfa_secret: true,
    mfa_enabled_at: true, recovery_codes: true, created_at: true, mfa_failures: true, mfa_blocked_until: true, totp_last_step: true,
    oidc_subject: true, break_glass: true,
  },
  staff_sessions: { id: true, user_id: true, mfa_pending: true, created_at: true, last_seen_at: true, expires_at: true, revoked_at: true, ip: true, user_agent: true, mfa_failures: true, mfa_by_provider: true, oidc_id_token: true },
  api_tokens: { id: true, user_id: true, name: true, token_hash: true, created_at: true, last_used_at: true, revoked_at: true, scope: true, expires_at: true },
  login_attempts: { email: true, failures: true, last_failure_at: true, locked_until: true },
  login_failures: { email: true, ip: true, failures: true, last_failure_at: true, blocked_until: true },
  settings: { key: true, value: true, updated_by: true, updated_at: true },
  audit_log: { id: true, at: true, actor: true, actor_kind: true, action: true, subject: true, details: true, ip: true, prev_hash: true, hash: true, key_id: true },
  questionnaires: {
    id: true, name: true, file_name: true, format: true, size: true, sha256: true, service_id: true, audience: true, status: true, error: true,
    summary: true, layouts: true, sheets: true, warnings: true, created_by: true, created_at: true, updated_at: true,
    customer: true, owner: true, due_date: true, review_stage: true,
  },
  questionnaire_files: { questionnaire_id: true, data: true },
  questionnaire_items: {
    id: true, questionnaire_id: true, position: true, ext_id: true, sheet: true, sheet_part: true, row: true, section: true, question: true,
    answer_cell: true, comment_cell: true, vocabulary: true, status: true, result: true, review_state: true, final_answer: true, final_text: true,
    assignee: true, reviewed_by: true, reviewed_at: true, review_batch: true, review_reason: true, answered_at: true,
  },
  mail_messages: {
    id: true, to_address: true, subject: true, body_text: true, purpose: true, status: true, attempts: true, last_error: true, created_at: true,
    sent_at: true, next_attempt_at: true, body_after_delivery: true,
  },
  access_requests: {
    id: true, name: true, email: true, company: true, reason: true, document_ids: true, status: true, decided_by: true, decided_kind: true,
    decision_reason: true, ip: true, created_at: true, decided_at: true,
  },
  access_grants: { id: true, request_id: true, token_hash: true, document_ids: true, expires_at: true, revoked_at: true, revoked_by: true, created_at: true },
  nda_acceptances: { id: true, grant_id: true, nda_version: true, nda_sha256: true, name: true, email: true, ip: true, user_agent: true, accepted_at: true },
  document_downloads: { id: true, grant_id: true, evidence_id: true, original_sha256: true, served_sha256: true, ip: true, user_agent: true, downloaded_at: true },
  subscriptions: { id: true, email: true, token_hash: true, status: true, created_at: true, confirmed_at: true, unsubscribed_at: true },
  visitor_questions: { id: true, question: true, email: true, status: true, created_at: true, handled_by: true, handled_at: true, library_answer_id: true },
  announced_changes: { change_id: true, announced_at: true, recipients: true },
  jobs: {
    id: true, kind: true, subject: true, input: true, state: true, progress_done: true, progress_total: true, error: true, created_by: true,
    created_at: true, started_at: true, finished_at: true, locked_by: true, lease_until: true,
  },
  evidence_files: { sha256: true, data: true, size: true, created_at: true },
  pending_uploads: { token: true, owner: true, input: true, data: true, expires_at: true },
  rate_limit_hits: { key: true, hits: true, window_ends: true },
};
