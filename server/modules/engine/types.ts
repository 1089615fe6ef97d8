import type { AccessLevel, LibraryKind, Party, ShortAnswer } from '../content/tables.js';
import type { Lexicons } from '../content/types.js';
import type { QuestionKind } from './classify.js';
import type { Control, Service } from '../catalogue/types.js';
import type { EvidenceRecord } from '../evidence/types.js';
import type { LibraryAnswer } from '../library/types.js';
import type { Duty, IsmsPractice } from '../responsibility/types.js';

export type ResultStatus = 'answered' | 'review' | 'unanswered';
export type { QuestionKind } from './classify.js';

/** Who owns what a question asks about, for the chosen service (null: no service, and the services differ). */
export type Ownership = Party | null;

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
  /** Share of the question's subject (its words minus generic ones) the answer matched. */
  subjectCoverage?: number;
  margin: number;
  answerId: string | null;
  runnerUp: { id: string; score: number } | null;
  /** Whether the matched answer and a direct reading of the control catalogue point to the same controls. */
  agreement: boolean;
  /** Where the answer came from: the library, a disclosure (certifications, locations, backups, subprocessors) or the provider profile. */
  source?: string | null;
  /** Subject words (stemmed) that nothing in the library or the control catalogue mentions. */
  unknownTerms?: string[];
}

export interface PartResult {
  question: string;
  kind: QuestionKind;
  status: ResultStatus;
  reason: string | null;
  answer: ShortAnswer | null;
  text: string | null;
  confidence: number;
  controls: string[];
  citations: Citation[];
  ownership: Ownership;
  /** What the customer does for the controls behind the answer (the matrix's customer text), for the chosen service; null when there is none or the services differ. */
  customerDuty: string | null;
  why: Why;
}

export interface QuestionResult extends PartResult {
  id: string;
  sheet: string | null;
  row: number | null;
  parts?: PartResult[];
}

export interface Summary {
  total: number;
  answered: number;
  review: number;
  unanswered: number;
  notAQuestion: number;
}

export interface SheetReport {
  name: string;
  taken: number;
  skipped: number;
  reason: string | null;
}

export interface EngineOutput {
  summary: Summary;
  sheets?: SheetReport[];
  questions: QuestionResult[];
}

/** What the engine answers from: the library and the operating model, as plain data (each the part of its module's type the engine reads). */
export type LibraryEntry = Pick<LibraryAnswer, 'id' | 'question' | 'phrasings' | 'kind' | 'answer' | 'asOf' | 'explanation' | 'controls' | 'evidence' | 'access' | 'services'>;
export type ControlEntry = Pick<Control, 'id' | 'title' | 'description' | 'keywords'>;
export type ResponsibilityEntry = Pick<Duty, 'controlId' | 'serviceId' | 'party' | 'provider' | 'customer' | 'reason'>;
export type EvidenceEntry = Pick<EvidenceRecord, 'id' | 'title' | 'access' | 'reviewBy'>;
export type ServiceEntry = Pick<Service, 'id' | 'name'> & { model: string };

export interface EngineKnowledge {
  library: LibraryEntry[];
  controls: ControlEntry[];
  responsibilities: ResponsibilityEntry[];
  /** How the provider runs a control for its own organisation (responsibilities of scope `isms`). */
  isms?: Pick<IsmsPractice, 'controlId' | 'provider'>[];
  evidence: EvidenceEntry[];
  services: ServiceEntry[];
  thesaurus: string[][];
  /** ISO/IEC 27001:2013 → 2022 mapping, to read old control numbers in questions. */
  mappings?: { from: string; to: string[] }[];
  /** Named things questions ask about (frameworks, data types, places, generic words). */
  lexicons?: Lexicons;
  /** What the trust page publishes, answering questions directly. */
  disclosures?: Disclosures;
  profile?: ProviderFields | null;
  /** The provider's facts (content/facts.yaml), id → value. */
  facts?: Record<string, string | number | boolean>;
}

export interface CertificationEntry {
  id: string;
  kind: string;
  standard: string;
  title: string;
  scope: string;
  body: string;
  certificateNumber: string | null;
  issued: string;
  expires: string;
  /** The period an attestation report covers, where it states one. */
  periodStart: string | null;
  periodEnd: string | null;
  lapsed: boolean;
  frameworks: string[];
  /** The register's copy of the certificate or report, cited where the audience may see it. */
  evidence: string | null;
}

export interface RegionEntry {
  id: string;
  name: string;
  city: string | null;
  country: string;
  countryName: string;
  jurisdiction: string;
  services: string[];
  dataCategories: string[];
  /** Where this region's backups are kept: another region's id; null or its own id for another zone of the same region. */
  backupRegion: string | null;
}

export interface SubprocessorEntry {
  id: string;
  name: string;
  purpose: string;
  dataCategories: string[];
  locations: string[];
  services: string[];
  started: string;
  ended: string | null;
}

export interface Disclosures {
  certifications: CertificationEntry[];
  regions: RegionEntry[];
  subprocessors: SubprocessorEntry[];
  dataCategories: { id: string; name: string }[];
}

/** The provider profile's values a questionnaire asks to fill in (content/provider.yaml). */
export type ProviderFields = Record<string, unknown>;

export interface Thresholds {
  /** Confidence at or above which a result is answered without review. */
  answer: number;
  /** Confidence at or above which a suggestion is offered for review. */
  review: number;
  /** Share of the question's meaningful words the chosen answer must match. */
  minCoverage: number;
  /** Share of the question's subject (its words minus generic ones) the answer must match to be suggested at all. */
  minSubjectCoverage: number;
  /** Long questions carry filler: matching this many subject terms' worth is always enough. */
  minSubjectTerms: number;
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
  /** The section heading or domain the row sits under. */
  section?: string | null;
  /** The question before it on the sheet, for short or dependent questions ("Are these reviewed annually?"). */
  previous?: string | null;
  /** The answer cell's own choices, when the sheet offers a list. */
  vocabulary?: string[] | null;
}
