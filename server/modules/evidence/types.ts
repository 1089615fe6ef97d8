import type { EvidenceItem } from '../content/types.js';

/**
 * An evidence item of the register as every reader sees it: the content item as stored (an
 * `evidence` row), its current file (from content or a staff upload) and who last changed it.
 */
export type EvidenceRecord = Omit<EvidenceItem, 'at' | 'file'> & {
  fileName: string | null;
  mediaType: string | null;
  size: number | null;
  storage: 'content' | 'upload';
  editedBy: string | null;
  editedAt: Date | null;
};
