import type {
  AccessLevel,
  ChangeKind,
  ControlTheme,
  EvidenceKind,
  FaqCitation,
  Party,
  Redistribution,
  ServiceLayer,
  ServiceModel,
  ShortAnswer,
  RegionOverride,
} from './tables.js';
import type { FRAMEWORK_KINDS, LIBRARY_KINDS } from './schema.js';

export interface Location {
  file: string;
  line: number;
}

export interface Problem extends Location {
  level: 'error' | 'warning';
  message: string;
}

export interface Located {
  at: Location;
}

export interface ProviderProfile {
  id: string;
  name: string;
  legalEntity: string;
  overview: string;
  securityContact: { email?: string; url?: string; pgpKeyUrl?: string };
  branding?: { accent?: string; logo?: string };
  noticePeriodDays?: number;
  [key: string]: unknown;
}

export interface ServiceItem extends Located {
  id: string;
  name: string;
  model: ServiceModel;
  summary: string;
  description: string;
  /** Bottom-up; empty when the content names none. */
  layers: (ServiceLayer & Located)[];
}

// Stored as is in the services table's jsonb column, so declared beside the table.
export type { LayerId, ServiceLayer } from './tables.js';

export interface FrameworkItem extends Located {
  id: string;
  name: string;
  edition: string;
}

export interface ControlItem extends Located {
  id: string; // canonical, e.g. iso27002:5.15
  frameworkId: string;
  ref: string; // e.g. 5.15
  title: string;
  theme: ControlTheme;
  description: string;
  keywords: string[];
  focus: string[];
  guidance: { clause: string; provider: string; customer: string } | null;
}

export interface MappingItem extends Located {
  from: string;
  title2013: string;
  to: string[];
  relationship: string;
}

export interface ResponsibilityItem extends Located {
  id: string; // control|service
  controlId: string;
  serviceId: string;
  party: Party;
  provider: string | null;
  customer: string | null;
  reason: string | null;
  owner: string | null;
  evidence: string[];
  /** Subprocessor ids for third-party and shared-third-party rows. */
  thirdParties: string[];
  /** Region id → the fields that differ in that region. */
  regions: Record<string, RegionOverride>;
  /** Expanded from the entry's `all` block rather than written for this service. */
  inherited?: boolean;
}

/** A responsibility of scope `isms`: how the provider runs a control for itself, one per control. */
export interface IsmsPracticeItem extends Located {
  id: string; // control|isms
  controlId: string;
  provider: string;
  owner: string | null;
  evidence: string[];
}

export interface EvidenceItem extends Located {
  id: string;
  title: string;
  summary: string;
  kind: EvidenceKind;
  owner: string;
  source: string;
  /** The day the artifact was issued or signed (a report's date); collected is never before it. */
  issued: string | null;
  /** The period a report covers. */
  periodStart: string | null;
  periodEnd: string | null;
  version: string | null;
  approver: string | null;
  redistribution: Redistribution;
  collected: string;
  reviewBy: string;
  controls: string[];
  access: AccessLevel;
  file: string | null;
  sha256: string | null;
}

export interface DataCategoryItem extends Located {
  id: string;
  name: string;
  description: string;
}

export interface DataItem extends Located {
  id: string;
  data: Record<string, unknown>;
}

export interface ChangeItem extends Located {
  id: string;
  published: string;
  effective: string;
  kind: ChangeKind;
  data: Record<string, unknown>;
}

export interface AnswerItem extends Located {
  id: string;
  topic: string;
  question: string;
  phrasings: string[];
  kind: LibraryKind;
  /** Only for `yes-no` and `event` answers. */
  answer: ShortAnswer | null;
  /** The day an `event` answer was true on. */
  asOf: string | null;
  explanation: string;
  controls: string[];
  evidence: string[];
  access: AccessLevel;
  owner: string;
  reviewed: string;
  services: Record<string, { answer?: ShortAnswer; explanation?: string }>;
}

export type FactValue = string | number | boolean;

/** A value the provider states once (content/facts.yaml). */
export interface FactItem extends Located {
  id: string;
  value: FactValue;
  unit: string | null;
  /** The values the fact could take; prose stating another one contradicts it. */
  oneOf: string[] | null;
  /** Phrases that name the fact's subject in prose. */
  about: string[];
}

export interface FaqItem extends Located {
  id: string;
  question: string;
  answer: string;
  citations: FaqCitation[];
}

export interface NdaDocument {
  version: string;
  title: string;
  text: string;
  sha256: string;
}

/** A preset selection of NDA documents ("SOC 2 + penetration test summary + BCP"). */
export interface DocumentBundle extends Located {
  id: string;
  title: string;
  description: string;
  documents: string[];
}

export interface AccessRules {
  autoApprove: { domains: string[] };
  autoDeny: { domains: string[]; reason: string };
  defaultExpiryDays: number;
  maxExpiryDays: number;
}

export interface ContentBundle {
  syncDay: string;
  provider: ProviderProfile | null;
  services: ServiceItem[];
  frameworks: FrameworkItem[];
  controls: ControlItem[];
  mappings: MappingItem[];
  responsibilities: ResponsibilityItem[];
  ismsPractices: IsmsPracticeItem[];
  evidence: EvidenceItem[];
  bundles: DocumentBundle[];
  dataCategories: DataCategoryItem[];
  regions: DataItem[];
  subprocessors: DataItem[];
  certifications: DataItem[];
  changes: ChangeItem[];
  library: AnswerItem[];
  faq: FaqItem[];
  facts: FactItem[];
  thesaurus: string[][];
  lexicons: Lexicons;
  nda: NdaDocument | null;
  accessRules: AccessRules | null;
}

export type LibraryKind = (typeof LIBRARY_KINDS)[number];
export type FrameworkKind = (typeof FRAMEWORK_KINDS)[number];

/** A named thing questionnaires ask about, with the words they use for it. */
export interface LexiconEntry {
  id: string;
  name: string;
  aliases: string[];
}

/**
 * Named things the engine recognises in questions (content/lexicons.yaml): a question naming one
 * is answered only from a source about that same thing.
 */
export interface Lexicons {
  frameworks: (LexiconEntry & { kind: FrameworkKind })[];
  dataTypes: LexiconEntry[];
  /**
   * Terms of art for what a service can do ("end-to-end encryption", "confidential computing"):
   * claims specific enough that only a source naming them may answer.
   */
  capabilities: LexiconEntry[];
  /** Words that never make a question's subject on their own ("your", "company", "policy"). */
  genericWords: string[];
  /** Countries (ISO 3166-1 alpha-2 ids) and groups of countries (content/places.yaml). */
  places: { countries: LexiconEntry[]; groups: (LexiconEntry & { countries: string[] })[] };
}
