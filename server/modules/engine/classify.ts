/**
 * What kind of row the engine is reading, before it looks for an answer: a yes/no question, an
 * open question, a question of who does something, a field to fill in, or no question at all
 * (an instruction, a heading, a label, a note for the requester). Pure functions of the text and
 * a little context from the sheet.
 */
export type QuestionKind = 'yes-no' | 'open' | 'responsibility' | 'field' | 'not-a-question';

export interface KindContext {
  /** The answer cell's own choices (a data-validation list), when the sheet has one. */
  vocabulary?: string[] | null;
}

export interface KindReading {
  kind: QuestionKind;
  /** Why a row is not a question, in words a reviewer understands. */
  reason: string | null;
}

const DOING_AUXILIARY = /^(do|does|did|have|has|can|could|will|would|should|must|may|might|shall)\b/;
const AUXILIARY = /^(do|does|did|is|are|was|were|am|have|has|had|can|could|will|would|shall|should|may|might|must)\b/;
const OPEN_WORD = /^(what|where|which|how|when|why|whom|whose)\b/;
const OPEN_REQUEST = /^(describe|explain|provide|list|outline|detail|summari[sz]e|share|give|identify|specify|state|indicate|document|attach|upload|include|tell|elaborate|define|enumerate|clarify|name)\b/;
const CONFIRM_REQUEST = /^(confirm|attest|certify|verify|acknowledge)\b|^(specify|state|indicate|advise|tell us|explain) (whether|if)\b/;
// "Is the report Type I or Type II?", "Are tests run internally or externally?": a choice between alternatives.
const CHOICE =
  /\b(\w+) (\w+) or \1 \w+\W*$|\b\w+ly or \w+ly\W*$|\b(internal|manual|on ?site|on ?premises|physical|public|shared|in ?house|automated|automatic)( \w+){0,2} or (an? |the )?(external|automated|automatic|manual|remote|off ?site|off ?premises|virtual|private|dedicated|outsourced|third ?party|cloud)\W*$/;
const YES_NO_MARK = /\((y|yes) ?\/ ?(n|no)( ?\/ ?n ?\/? ?a)?\)|\byes or no\b|\by\/n\b|\byes\/no\b/;
const RESPONSIBILITY =
  /^who\b.*\b(responsib|accountab|perform|manag|maintain|patch|own|operat|handl|configur|run|administ|updat|monitor|back(s|ed)? up|control|secur|provid)|\bwho (is|are|will be) (responsible|accountable)\b|\b(responsibility|responsible|accountable)\b.*\b(provider|customer|tenant|vendor|csp|csc|you or|us or|client or)\b|\b(customer|tenant|provider|csp|csc|vendor)('s|s')? responsibility\b/;
const FIELD_NOUNS =
  /\b(name|names|e ?mail|email address|address|phone|telephone|fax|url|website|web site|domain|date|dates|number of|count of|version|job title|headquarters|duns|tax id|vat|registration number|company number|zip|postal code|point of contact|contact person|primary contact|contact details|year founded|founded|employees|headcount|revenue|signature|signatory)\b/;
const FIELD_QUESTION = /^(what is|what's|what are) (the|your) (name|names|date|e ?mail|email address|phone|telephone|url|website|address|number|version|duns|headcount)\b|^how many\b|^(when|what date) (was|were|did)\b/;
// "Date of the last penetration test", "Primary security contact name": a value to fill in.
const FIELD_LABEL =
  /^(primary |main |secondary |technical |security |billing |legal |company |vendor |your )*(date|name|number|e ?mail|email address|address|phone|telephone|url|website|version|title|count|headcount) (of|for)\b|\b(name|e ?mail|email address|phone number|telephone|url|website|address|date|version number|duns number|tax id)( \(.*\))?$/;
const INSTRUCTION_VERB =
  /^(please )?(kindly )?(complete|fill|enter|select|choose|return|submit|do not|don t|note|jump|go|click|see|refer|read|use|save|send|type|insert|mark|tick|check|populate|answer|respond|copy|paste|review the|print|sign|ensure that all|make sure|provide your (response|answers)|once|after completing|before (returning|submitting))\b/;
const DOCUMENT_MECHANICS =
  /\b(tab|tabs|sheet|sheets|workbook|spreadsheet|cell|cells|column|columns|row|rows|field|fields|form|questionnaire|template|drop ?down|dropdown|below|above|each question|all questions|the following|this document|highlighted|yellow|green|grey|gray|blue|pink|shaded|scorecard|section)\b/;
const NAVIGATION = /^(jump|go|return|back|skip|proceed|continue|navigate|click here|link) (to|back)\b|^(next|previous) (page|section|sheet|tab)\b/;
const REQUESTER_NOTE =
  /\b(internal use( only)?|official use( only)?|office use( only)?|for (the )?(reviewer|evaluator|assessor|analyst|requester|institution)('s)?( use)?|reviewer|evaluator|assessor|analyst)\b.*\b(notes?|comments?|use|only|score|scoring|findings?|rating)\b|^(reviewer|evaluator|assessor|analyst|internal)('s)? (notes?|comments?|score|scoring|findings?|rating)\b|\bnot scored\b|\bscored\b.*\bby\b/;
const LABEL = /^(notes?|comments?|remarks?|score|scores|scoring|weight|weighting|total|sub ?total|result|results|rating|status|n ?a|not applicable|not scored|instructions?|legend|key|guidance|example|examples|version|last updated|revision|change log|glossary|definitions?|summary|overview|contents|table of contents)\b/;
const HEADING = /^(section|part|domain|category|chapter|appendix|module|area|topic)\s*([0-9ivx]+|[a-z])?\b/;
const VERBISH =
  /\b(is|are|was|were|be|been|has|have|had|do|does|did|can|could|will|would|shall|should|may|might|must|exists?|undergo(es)?|receives?|completes?|signs?|holds?|keeps?|follows?|operates?|offers?|obtains?|employs?|rotates?|verifies|screens?|ensures?|maintains?|implements?|performs?|requires?|uses?|provides?|protects?|encrypts?|reviews?|monitors?|restricts?|manages?|defines?|documents?|establishes?|conducts?|tests?|enforces?|supports?|retains?|logs?|applies|identifies|assesses|trains?|limits?|prevents?|detects?|responds?|notifies|stores?|processes|transmits?|backs? up|patch(es)?|scans?|deletes?|disposes?|segregates?|separates?|authenticates?|authorizes?|authorises?|approves?|includes?|covers?|addresses|allows?|prohibits?|mandates?|facilitates?|govern(s)?|develops?|designs?|configures?|hardens?)\b/;

function plain(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/^\s*(\(?[a-z0-9]{1,3}[.)]|[0-9]+(\.[0-9]+)*[.)]?|q ?[0-9]+[.:)]?|[-*•])\s+/, '')
    .replace(/[^a-z0-9?/'() ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function words(text: string): string[] {
  return text.split(/[^a-z0-9]+/).filter(Boolean);
}

function isYesNoVocabulary(vocabulary: string[] | null | undefined): boolean {
  return Boolean(vocabulary?.some((v) => /^(y|yes|true)$/i.test(v.trim())) && vocabulary.some((v) => /^(n|no|false)$/i.test(v.trim())));
}

/** The kind of one row's text. */
export function classifyKind(text: string, context: KindContext = {}): KindReading {
  const t = plain(text);
  const wordCount = words(t).length;
  const asks = t.includes('?');
  if (wordCount === 0 || !/[a-z]/.test(t)) return { kind: 'not-a-question', reason: 'the row has no words' };
  if (NAVIGATION.test(t)) return { kind: 'not-a-question', reason: 'a link or navigation to another part of the workbook' };
  if (REQUESTER_NOTE.test(t) && !AUXILIARY.test(t)) return { kind: 'not-a-question', reason: "a note or score for the requester's own use" };
  if (!asks && INSTRUCTION_VERB.test(t) && DOCUMENT_MECHANICS.test(t)) return { kind: 'not-a-question', reason: 'an instruction about filling in the workbook' };
  if (/^(do not|don t)\b/.test(t) && DOCUMENT_MECHANICS.test(t)) return { kind: 'not-a-question', reason: 'an instruction about filling in the workbook' };

  const request = t.replace(/^(please|kindly)\s+/, '');
  // "Do you document the customer's responsibilities?" asks about the provider, not who does what.
  if (RESPONSIBILITY.test(request) && !DOING_AUXILIARY.test(request)) return { kind: 'responsibility', reason: null };
  if (YES_NO_MARK.test(t)) return { kind: 'yes-no', reason: null };
  if (CONFIRM_REQUEST.test(request)) return { kind: 'yes-no', reason: null };
  if (FIELD_QUESTION.test(request) || (!asks && FIELD_LABEL.test(request) && wordCount <= 10)) return { kind: 'field', reason: null };
  if (OPEN_WORD.test(request) || /^who\b/.test(request)) return { kind: 'open', reason: null };
  if (OPEN_REQUEST.test(request)) return { kind: 'open', reason: null };
  if (AUXILIARY.test(request)) return { kind: CHOICE.test(request) ? 'open' : 'yes-no', reason: null };
  if (asks) {
    // "Encryption at rest?" or "Data centres in the EU?": a yes/no question in shorthand.
    return { kind: OPEN_WORD.test(request.split(/[,;:] /).pop() ?? '') ? 'open' : 'yes-no', reason: null };
  }

  const verb = VERBISH.test(t);
  if (!verb && FIELD_NOUNS.test(t) && wordCount <= 10) return { kind: 'field', reason: null };
  if (HEADING.test(t) && !verb) return { kind: 'not-a-question', reason: 'a section heading' };
  if (LABEL.test(t) && wordCount <= 6 && !verb) return { kind: 'not-a-question', reason: 'a label, not a question' };
  if (isYesNoVocabulary(context.vocabulary)) return { kind: 'yes-no', reason: null };
  // Control statements ("Mechanisms exist to …", "Backups are encrypted") ask whether they hold.
  if (verb && wordCount >= 4) return { kind: 'yes-no', reason: null };
  if (wordCount <= 6) return { kind: 'not-a-question', reason: 'a heading or label without a question' };
  return { kind: 'yes-no', reason: null };
}

const EVENT_NOUN =
  /\b(breach|breaches|breached|incident|incidents|compromise|compromised|intrusion|intrusions|attack|attacks|ransomware|hack|hacked|fine|fines|fined|penalty|penalties|penali[sz]ed|sanction|sanctions|sanctioned|investigation|investigations|investigated|litigation|lawsuit|lawsuits|legal action|legal proceedings|proceedings|sued|claim|claims|judgment|judgement|settlement|settlements|enforcement action|enforcement actions|consent decree|consent order|outage|outages|data loss|leak|leaks|leaked|exposure|exposed|acquired|acquisition|merger|bankruptcy|insolvency|change of ownership|change of control|subpoena|subpoenas|regulator|regulators|regulatory action)\b/;
const HAPPENED =
  /\b(had|have had|has had|experienced|suffered|incurred|sustained|received|paid|faced|occurred|happened|been (subject|party|involved|the subject|the victim|a victim|named)|been (fined|sanctioned|breached|sued|investigated|compromised|acquired|penali[sz]ed|hacked|attacked|notified)|fined|sued|investigated|acquired|hacked)\b/;
// Who owns the company is a fact about the company's history, not a practice ("Who owns the data?" is not).
const OWNERSHIP = /\bwho (owns|controls) (your|the) (company|organi[sz]ation|business|firm|vendor|provider|group)\b|\b(shareholders?|shareholding|parent company|ultimate (owner|parent)|beneficial own\w*|ownership structure|owned by (a|an|the) )/;
// What happened to people or reports: "Have any employees been dismissed…?", "…a qualified opinion?".
// "Has any customer ever terminated…?", "Have you ever paid a ransom?": "ever" with what befell the company asks for
// its history ("Have you ever performed a penetration test?" still asks about a practice).
const HAPPENED_TO = /\b(has|have|had|did)\b (\w+ ){0,4}ever (terminated|cancell?ed|paid|lost|left|sold|filed|declared|settled|failed|missed|violated|breached|defaulted|refused|withdrawn|withdrew|revoked|suspended|been (\w+ )?(fined|sued|audited by|investigated|breached|hacked|compromised|acquired|suspended|revoked|terminated|denied|refused|found))\b|\bever (lost|suffered|experienced)\b|\bever been (lost|stolen|leaked|exposed|breached|compromised|hacked|destroyed|corrupted|ransomed)\b|\bbeen (dismissed|fired|terminated|disciplined|prosecuted|convicted|arrested|charged|indicted)\b|\b(qualified|adverse|modified) opinions?\b|\b(exceptions|deviations) (noted|reported|found)\b/;
// What a test or audit found is its result, not a practice: "Did your last penetration test find any critical vulnerabilities?".
const FOUND = /\b(did|has|have) (\w+ ){0,5}(find|found|identify|identified|reveal|revealed|uncover|uncovered|report|reported|result in|resulted in) (any |a |an )?(\w+ ){0,2}(vulnerabilit\w*|findings?|issues?|exceptions?|deficienc\w*|weakness\w*|nonconformit\w*|non-conformit\w*)\b/;
// A request for the details of events: "Provide details of any data breaches.".
const DETAILS_OF = /\b(provide|list|describe|disclose|give|share|detail) (the )?((full )?details (of|about|on) |information (of|about|on) )?any (\w+ ){0,2}(breach\w*|incidents?|fines?|penalt\w*|lawsuits?|litigation|investigations?|sanctions?|outages?)\b/;
// Having told someone of a breach is an event: "Have you notified a regulator of a data breach?" ("Do you notify…?" is a practice).
const PRACTICE = /\b(process|processes|procedures?|plans?|polic(y|ies)|roles?|responsibilit\w*)\b/;
const REPORTED = /\b(have|has) (you|we|your \w+|the \w+) (ever )?(notified|reported|disclosed|informed)\b/;
const ONGOING = /\b(currently|presently|now)\s+(involved|engaged|subject|party|named|under)\b|\b(pending|ongoing|outstanding|threatened|open)\s+(litigation|lawsuits?|legal|investigations?|claims?|proceedings?|enforcement)\b/;

/**
 * A question about what happened (a breach, a fine, litigation, an acquisition) rather than
 * what is done. Only an answer written for that event, with its date, may answer it.
 */
export function isEventQuestion(text: string): boolean {
  const t = plain(text);
  return (EVENT_NOUN.test(t) && (HAPPENED.test(t) || (REPORTED.test(t) && !PRACTICE.test(t)))) || ONGOING.test(t) || OWNERSHIP.test(t) || HAPPENED_TO.test(t) || FOUND.test(t) || DETAILS_OF.test(t);
}

export interface Quantity {
  value: number;
  /** A unit family: duration in days, percent, size in GB, key length in bits, or a protocol's version ("version:tls"). */
  unit: 'days' | 'percent' | 'gb' | 'bits' | 'km' | 'year' | 'tier' | 'money' | `version:${string}` | `count:${string}`;
  text: string;
}

const UNIT_DAYS: Record<string, number> = {
  second: 1 / 86400, seconds: 1 / 86400, sec: 1 / 86400, secs: 1 / 86400,
  minute: 1 / 1440, minutes: 1 / 1440, min: 1 / 1440, mins: 1 / 1440,
  hour: 1 / 24, hours: 1 / 24, hr: 1 / 24, hrs: 1 / 24, h: 1 / 24,
  day: 1, days: 1, week: 7, weeks: 7, month: 30, months: 30, year: 365, years: 365, yr: 365, yrs: 365,
};
const PERIOD_WORDS: Record<string, number> = { daily: 1, weekly: 7, monthly: 30, quarterly: 91, annually: 365, yearly: 365, annual: 365, biannually: 182, hourly: 1 / 24 };
const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twelve: 12, eighteen: 18, twenty: 20, thirty: 30, ninety: 90 };

/** Numbers with a unit, and period words ("annually"), as comparable quantities. */
export function quantitiesIn(text: string): Quantity[] {
  const t = text.toLowerCase().replace(/,(?=\d{3}\b)/g, '');
  const out: Quantity[] = [];
  const number = '(\\d+(?:\\.\\d+)?|' + Object.keys(NUMBER_WORDS).join('|') + ')';
  for (const m of t.matchAll(new RegExp(`\\b${number}[\\s-]*(seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?|years?|yrs?)\\b`, 'g'))) {
    const n = Number(m[1]) || NUMBER_WORDS[m[1]] || 0;
    out.push({ value: n * UNIT_DAYS[m[2]], unit: 'days', text: m[0] });
  }
  for (const m of t.matchAll(/\b(?<!once |twice )(every|each|per) (day|week|month|quarter|year)\b/g)) {
    out.push({ value: { day: 1, week: 7, month: 30, quarter: 91, year: 365 }[m[2] as 'day'], unit: 'days', text: m[0] });
  }
  for (const m of t.matchAll(/\b(once|twice) (a|per|every) (day|week|month|quarter|year)\b/g)) {
    const per = { day: 1, week: 7, month: 30, quarter: 91, year: 365 }[m[3] as 'day'];
    out.push({ value: m[1] === 'twice' ? per / 2 : per, unit: 'days', text: m[0] });
  }
  for (const m of t.matchAll(/\b(daily|weekly|monthly|quarterly|annually|yearly|annual|biannually|hourly)\b/g)) out.push({ value: PERIOD_WORDS[m[1]], unit: 'days', text: m[0] });
  for (const m of t.matchAll(/\b(\d+(?:\.\d+)?)\s*(%|percent)/g)) out.push({ value: Number(m[1]), unit: 'percent', text: m[0] });
  for (const m of t.matchAll(/\b(\d+)[\s-]*bits?\b|\baes[\s-]?(\d{3})\b|\brsa[\s-]?(\d{4})\b/g)) out.push({ value: Number(m[1] ?? m[2] ?? m[3]), unit: 'bits', text: m[0] });
  for (const m of t.matchAll(/\b(\d+(?:\.\d+)?)\s*(miles?|mi|km|kilometres?|kilometers?)\b/g)) out.push({ value: Number(m[1]) * (/^mi/.test(m[2]) ? 1.609 : 1), unit: 'km', text: m[0] });
  // A data centre's tier: "Tier IV" is not "Tier III or higher".
  for (const m of t.matchAll(/\btier (iv|iii|ii|i|[1-4])\b/g)) out.push({ value: { i: 1, ii: 2, iii: 3, iv: 4 }[m[1] as 'i'] ?? Number(m[1]), unit: 'tier', text: m[0] });
  // "Was the last test in 2019?": a year the answer must state ("ISO 27001:2022" names an edition, not a date).
  for (const m of t.matchAll(/\b(in|since|during|as of|before|after|from) ((19|20)\d{2})\b/g)) out.push({ value: Number(m[2]), unit: 'year', text: m[0] });
  // "TLS 1.0" is not "TLS 1.2 and 1.3"; "FIPS 140-2" is not "FIPS 140-3".
  for (const m of t.matchAll(/\b(tls|ssl|sslv|ssh|snmp|snmpv|smb|smbv|ipv|http|wpa|oauth|saml)\s?v?(\d+(?:\.\d+)?)\b/g)) out.push({ value: Number(m[2]), unit: `version:${m[1].replace(/v$/, '')}`, text: m[0] });
  for (const m of t.matchAll(/\b(tls|ssl)\s?v?\d+(?:\.\d+)?((?:,? (?:and|or|,)? ?\d\.\d)+)/g)) for (const v of m[2].match(/\d\.\d/g) ?? []) out.push({ value: Number(v), unit: `version:${m[1]}`, text: v });
  for (const m of t.matchAll(/\bfips\s?140-?([1-3])\b/g)) out.push({ value: Number(m[1]), unit: 'version:fips140', text: m[0] });
  // "Is the RPO zero?", "zero data loss": a duration of nothing, which an answer stating hours does not confirm.
  for (const m of t.matchAll(/\b(rpo|rto|recovery point|recovery time|downtime|data loss)\b(?:\s+\w+){0,3}?\s+(zero|0)\b|\b(zero|no) (data loss|downtime)\b/g)) out.push({ value: 0, unit: 'days', text: m[0] });
  // A sum of money, in whatever currency: "$50 million" is not "EUR 20 million".
  for (const m of t.matchAll(/(?:[$€£]|\b(?:usd|eur|gbp|chf)\s?)(\d+(?:\.\d+)?)\s*(million|m|billion|bn|thousand|k)?\b|\b(\d+(?:\.\d+)?)\s*(million|billion|thousand)?\s*(?:usd|eur|euros?|gbp|chf|dollars?|pounds)\b/g)) {
    const scale = { million: 1e6, m: 1e6, billion: 1e9, bn: 1e9, thousand: 1e3, k: 1e3 }[(m[2] ?? m[4] ?? '') as 'm'] ?? 1;
    out.push({ value: Number(m[1] ?? m[3]) * scale, unit: 'money', text: m[0] });
  }
  // Counted things: "6 characters" is not "14 characters", "3 failed attempts" not "5".
  for (const m of t.matchAll(/\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?:(?:failed|unsuccessful|invalid|consecutive|login|sign-in|logon)\s+)*(characters?|chars?|attempts?|tries|retries|copies|replicas|zones|regions|data cent(?:er|re)s|sites|keys|factors|reviewers|approvers|approvals)\b/g)) {
    out.push({ value: Number(m[1]) || NUMBER_WORDS[m[1]] || 0, unit: `count:${m[2].replace(/s$/, '').replace(/^char$/, 'character').replace(/^(trie|retrie)$/, 'attempt')}`, text: m[0] });
  }
  for (const m of t.matchAll(/\b(\d+(?:\.\d+)?)\s*(gb|tb|mb)\b/g)) out.push({ value: Number(m[1]) * ({ mb: 1 / 1024, gb: 1, tb: 1024 }[m[2] as 'gb']), unit: 'gb', text: m[0] });
  return out;
}
