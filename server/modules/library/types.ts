import type { AnswerItem } from '../content/types.js';

/**
 * A library answer as every reader sees it: the content item as stored (a `library_answers` row),
 * with who last edited it in the admin and when it was last synced.
 */
export type LibraryAnswer = Omit<AnswerItem, 'at'> & {
  editedBy: string | null;
  editedAt: Date | null;
  syncedAt: Date;
};
