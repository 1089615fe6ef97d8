import type { AccessLevel, LibraryKind, ShortAnswer } from '../content/tables.js';

/** A library answer as every reader sees it: the one shape of a `library_answers` row. */
export interface LibraryAnswer {
  id: string;
  topic: string;
  question: string;
  phrasings: string[];
  kind: LibraryKind;
  /** Only `yes-no` and `event` answers carry one. */
  answer: ShortAnswer | null;
  asOf: string | null;
  explanation: string;
  controls: string[];
  evidence: string[];
  access: AccessLevel;
  owner: string;
  reviewed: string;
  services: Record<string, { answer?: ShortAnswer; explanation?: string }>;
  editedBy: string | null;
  editedAt: Date | null;
  syncedAt: Date;
}
