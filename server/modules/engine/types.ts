import type { AccessLevel, LibraryKind, Party, ShortAnswer } from '../content/tables.js';

export type ResultStatus = 'answered' | 'review' | 'unanswered';

export interface Citation {
  kind: 'answer' | 'control' | 'responsibility' | 'evidence' | 'disclosure';
  id: string;
  title: string;
  url: string;
  access?: AccessLevel;
}

export interface Why {
  terms: string[];
  score: number;
  coverage: number;
  margin: number;
  answerId: string | null;
  runnerUp: { id: string; score: number } | null;
  /** Whether the matched answer and a direct reading of the control catalogue point to the same controls. */
  agreement: boolean;
}

export interface PartResult {
  question: string;
  status: ResultStatus;
  reason: string | null;
  answer: ShortAnswer | null;
  text: string | null;
  confidence: number;
  controls: string[];
  citations: Citation[];
  why: Why;
}

export interface QuestionResult extends PartResult {
  id: string;
  sheet: string | null;
  row: number | null;
  parts?: PartResult[];
}

export interface EngineOutput {
  summary: { total: number; answered: number; review: number; unanswered: number };
  questions: QuestionResult[];
}

/** What the engine answers from: the library and the operating model, as plain data. */
export interface LibraryEntry {
  id: string;
  question: string;
  phrasings: string[];
  kind: LibraryKind;
  /** Only for `yes-no` and `event` answers. */
  answer: ShortAnswer | null;
  asOf: string | null;
  explanation: string;
  controls: string[];
  evidence: string[];
  access: AccessLevel;
  services: Record<string, { answer?: ShortAnswer; explanation?: string }>;
}

export interface ControlEntry {
  id: string;
  title: string;
  description: string;
  keywords: string[];
}

export interface ResponsibilityEntry {
  controlId: string;
  serviceId: string;
  party: Party;
  provider: string | null;
  customer: string | null;
  reason: string | null;
}

export interface EvidenceEntry {
  id: string;
  title: string;
  access: AccessLevel;
  reviewBy: string;
}

export interface ServiceEntry {
  id: string;
  name: string;
  model: string;
}

export interface EngineKnowledge {
  library: LibraryEntry[];
  controls: ControlEntry[];
  responsibilities: ResponsibilityEntry[];
  evidence: EvidenceEntry[];
  services: ServiceEntry[];
  thesaurus: string[][];
  /** ISO/IEC 27001:2013 → 2022 mapping, to read old control numbers in questions. */
  mappings?: { from: string; to: string[] }[];
}

export interface Thresholds {
  /** Confidence at or above which a result is answered without review. */
  answer: number;
  /** Confidence at or above which a suggestion is offered for review. */
  review: number;
  /** Share of the question's meaningful words the chosen answer must match. */
  minCoverage: number;
}

export interface AnswerOptions {
  audience: AccessLevel;
  service: string | null;
  today: string;
  expiringWithinDays: number;
  thresholds?: Partial<Thresholds>;
}

export interface QuestionInput {
  id: string;
  sheet: string | null;
  row: number | null;
  question: string;
  /** Control numbers the questionnaire gives beside the question (e.g. from a mapping column). */
  refs?: string[];
}
