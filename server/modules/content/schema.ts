/** A small field-spec language: enough to validate content files and point at the offending line. */
export type FieldType =
  | 'string'
  | 'date'
  | 'number'
  | 'boolean'
  | 'string[]'
  | 'object'
  | 'object[]'
  | { enum: readonly string[] };

export interface FieldSpec {
  type: FieldType;
  required?: boolean;
}

export type ItemSpec = Record<string, FieldSpec>;

const req = (type: FieldType): FieldSpec => ({ type, required: true });
const opt = (type: FieldType): FieldSpec => ({ type });

export const ACCESS_LEVELS = ['public', 'nda', 'internal'] as const;
export const PARTIES = ['provider', 'customer', 'shared', 'third-party', 'shared-third-party', 'not-applicable'] as const;
export const SERVICE_MODELS = ['IaaS', 'PaaS', 'SaaS'] as const;
export const SHORT_ANSWERS = ['Yes', 'No', 'Partial', 'N/A'] as const;
/** What a library answer answers; only `yes-no` and `event` answers carry a canonical short answer. */
export const LIBRARY_KINDS = ['yes-no', 'open', 'responsibility', 'field', 'event'] as const;
export const FRAMEWORK_KINDS = ['certification', 'attestation', 'authorization', 'law', 'framework'] as const;
export const THEMES = ['organizational', 'people', 'physical', 'technological', 'cloud'] as const;
export const FOCUS_AREAS = ['access', 'logging', 'data-lifecycle'] as const;
export const EVIDENCE_KINDS = [
  'policy',
  'procedure',
  'report',
  'certificate',
  'configuration',
  'log-sample',
  'record',
  'test-result',
  'screenshot',
] as const;
/** Whether a recipient may pass a document on; a third party's report may need that party's consent. */
export const REDISTRIBUTION = ['allowed', 'with-consent', 'not-allowed'] as const;
export const CHANGE_KINDS = ['location', 'subprocessor', 'certification', 'notice'] as const;
export const CERTIFICATION_KINDS = ['certificate', 'attestation', 'report'] as const;
/** The auditor's opinion in an attestation report (SOC 2): clean, with exceptions, negative, or none given. */
export const OPINIONS = ['unqualified', 'qualified', 'adverse', 'disclaimer'] as const;
/** The layers of a service's stack, bottom-up: the order a service's `layers` list follows. */
export const LAYERS = ['facility', 'network', 'virtualisation', 'guest-os', 'runtime', 'application', 'data', 'identities'] as const;

export const specs = {
  provider: {
    id: req('string'),
    name: req('string'),
    legalEntity: req('string'),
    overview: req('string'),
    securityContact: req('object'),
    branding: opt('object'),
    noticePeriodDays: opt('number'),
  },
  service: {
    id: req('string'),
    name: req('string'),
    model: req({ enum: SERVICE_MODELS }),
    summary: req('string'),
    description: req('string'),
    /** Who runs each layer of the stack, bottom-up (see `layer`). */
    layers: opt('object[]'),
  },
  layer: {
    layer: req({ enum: LAYERS }),
    party: req({ enum: PARTIES }),
    note: req('string'),
    /** Subprocessor ids of the subservice organisations, for third-party and shared-third-party layers. */
    subprocessors: opt('string[]'),
  },
  framework: { id: req('string'), name: req('string'), edition: req('string') },
  control: {
    id: req('string'),
    title: req('string'),
    theme: req({ enum: THEMES }),
    description: req('string'),
    keywords: opt('string[]'),
    focus: opt('string[]'),
    cloudGuidance: opt('object'),
  },
  mapping: { from: req('string'), title2013: opt('string'), to: req('string[]'), relationship: req('string') },
  responsibility: { control: req('string'), services: req('object'), isms: opt('object') },
  /** How the provider runs a control for itself (its own staff, systems and data), whatever the split on the services. */
  ismsPractice: {
    provider: req('string'),
    owner: opt('string'),
    evidence: opt('string[]'),
  },
  responsibilityBlock: {
    party: req({ enum: PARTIES }),
    provider: opt('string'),
    customer: opt('string'),
    reason: opt('string'),
    owner: opt('string'),
    evidence: opt('string[]'),
    /** Subprocessor ids of the subservice organisations, for third-party and shared-third-party. */
    thirdParties: opt('string[]'),
    /** Region id → the fields that differ in that region (see regionOverride). */
    regions: opt('object'),
  },
  regionOverride: {
    party: opt({ enum: PARTIES }),
    provider: opt('string'),
    customer: opt('string'),
    reason: opt('string'),
    thirdParties: opt('string[]'),
  },
  evidence: {
    id: req('string'),
    title: req('string'),
    summary: req('string'),
    kind: req({ enum: EVIDENCE_KINDS }),
    owner: req('string'),
    source: req('string'),
    issued: opt('date'),
    /** The period a report covers (both or neither). */
    periodStart: opt('date'),
    periodEnd: opt('date'),
    version: opt('string'),
    /** Who approved the issued artifact: a role or a name. */
    approver: opt('string'),
    /** Defaults by access level: public → allowed, otherwise not-allowed. */
    redistribution: opt({ enum: REDISTRIBUTION }),
    collected: req('date'),
    reviewBy: req('date'),
    controls: req('string[]'),
    access: req({ enum: ACCESS_LEVELS }),
    file: opt('string'),
    sha256: opt('string'),
  },
  /** A preset selection of restricted documents offered together in the request form. */
  documentBundle: { id: req('string'), title: req('string'), description: req('string'), documents: req('string[]') },
  dataCategory: { id: req('string'), name: req('string'), description: req('string') },
  region: {
    id: req('string'),
    name: req('string'),
    country: req('string'),
    countryName: req('string'),
    jurisdiction: req('string'),
    lat: req('number'),
    lon: req('number'),
    services: req('string[]'),
    dataCategories: req('string[]'),
    /** Another region's id, `same-region` (a second zone of the region) or `none`. */
    backupRegion: req('string'),
    supervisoryAuthority: opt('object'),
    since: opt('date'),
    city: opt('string'),
    notes: opt('string'),
  },
  subprocessor: {
    id: req('string'),
    name: req('string'),
    purpose: req('string'),
    dataCategories: req('string[]'),
    locations: req('string[]'),
    services: opt('string[]'),
    transferMechanism: opt('string'),
    started: req('date'),
    ended: opt('date'),
    url: opt('string'),
  },
  certification: {
    id: req('string'),
    kind: req({ enum: CERTIFICATION_KINDS }),
    standard: req('string'),
    title: req('string'),
    scope: req('string'),
    body: req('string'),
    /** Who accredits the body, with the accreditation number. */
    accreditation: opt('string'),
    certificateNumber: opt('string'),
    /** Where anyone can confirm the certificate with the body (https). */
    verificationUrl: opt('string'),
    scopeServices: opt('string[]'),
    scopeRegions: opt('string[]'),
    scopeSites: opt('string[]'),
    soaVersion: opt('string'),
    issued: req('date'),
    expires: req('date'),
    periodStart: opt('date'),
    periodEnd: opt('date'),
    evidence: opt('string'),
    lapsed: opt('boolean'),
    frameworks: opt('string[]'),
    /** Reports only: the auditor's opinion and the controls the report expects of customers. */
    opinion: opt({ enum: OPINIONS }),
    complementaryCustomerControls: opt('string[]'),
    /** The id of the earlier certification in this file that this one replaces. */
    supersedes: opt('string'),
  },
  change: {
    id: req('string'),
    published: req('date'),
    effective: req('date'),
    kind: req({ enum: CHANGE_KINDS }),
    title: req('string'),
    summary: req('string'),
    reason: opt('string'),
    refs: opt('string[]'),
  },
  answer: {
    id: req('string'),
    question: req('string'),
    phrasings: req('string[]'),
    kind: opt({ enum: LIBRARY_KINDS }),
    answer: opt({ enum: SHORT_ANSWERS }),
    asOf: opt('date'),
    explanation: req('string'),
    controls: req('string[]'),
    evidence: opt('string[]'),
    access: req({ enum: ACCESS_LEVELS }),
    owner: req('string'),
    reviewed: req('date'),
    services: opt('object'),
  },
  lexiconFramework: { id: req('string'), name: req('string'), kind: req({ enum: FRAMEWORK_KINDS }), aliases: req('string[]') },
  lexiconDataType: { id: req('string'), name: req('string'), aliases: req('string[]') },
  country: { id: req('string'), name: req('string'), aliases: opt('string[]') },
  countryGroup: { id: req('string'), name: req('string'), aliases: req('string[]'), countries: req('string[]') },
  faq: { id: req('string'), question: req('string'), answer: req('string'), citations: opt('object[]') },
} satisfies Record<string, ItemSpec>;
