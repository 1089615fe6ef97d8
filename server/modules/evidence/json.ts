import type { ModelEvidence } from '../responsibility/model.js';

/** An evidence item in the public API; staff also see who owns it and where its file is kept. */
export const evidenceJson = (e: ModelEvidence, staff: boolean) => ({
  id: e.id,
  title: e.title,
  kind: e.kind,
  access: e.access,
  collected: e.collected,
  reviewBy: e.reviewBy,
  freshness: e.freshness,
  controls: e.controls,
  ...(staff ? { owner: e.owner, fileName: e.fileName, sha256: e.sha256, storage: e.storage } : {}),
  download: e.access === 'public' && e.fileName ? `/documents/${encodeURIComponent(e.id)}/file` : null,
});
