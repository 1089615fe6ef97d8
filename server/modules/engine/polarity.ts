import { meaningfulTerms } from '../search/index.js';

/**
 * Whether a question asks the negative way round ("Is data NOT encrypted?", "Isn't…", "Can changes
 * ship without approval?"). A library answer's Yes or No is true of its own wording; carried over
 * to a question that asks the opposite way it would claim the opposite of what the provider said.
 * Only the opening words count: further on, a negation qualifies the object ("media no longer
 * required", "a site not collocated with the system") rather than the question — except "without"
 * naming an exception to something permitted.
 */
const NEGATION = /^(not|never|no|none|nor|neither|without|cannot)$|n't$/;
const OPENING_WORDS = 6;
const NOT_A_NEGATION = /\b(no longer|not only|no later|no more than|not just)\b/g;

export function asksNegatively(text: string): boolean {
  const words = text
    .toLowerCase()
    .replace(/\(\s*y\s*\/\s*n\s*\)|\byes\s*\/\s*no\b/g, '')
    .replace(NOT_A_NEGATION, '')
    .replace(/[’']/g, "'")
    .split(/[^a-z']+/)
    .filter(Boolean);
  if (words.slice(0, OPENING_WORDS).some((w) => NEGATION.test(w))) return true;
  // "Do you permit remote access to production without MFA?" asks about the exception; "prohibit
  // installs without privileged status" and "without undue delay" do not.
  const sentence = words.join(' ');
  return words.slice(OPENING_WORDS).includes('without') && !RESTRICTS.test(sentence) && !/\bwithout (undue )?delay\b/.test(sentence);
}

const RESTRICTS = /\b(block(s|ed|ing)?|prohibit\w*|forbid\w*|disallow\w*|bann?(ed|s)?|prevent(s|ed|ing)?|restrict(s|ed|ing)?)\b/;
/**
 * Words that ask the same thing the opposite way round: "Are USB drives permitted?" against an
 * answer written as "Is USB storage blocked?", "Do staff share passwords?" against "Does every
 * user have an individual account?". A Yes to one is a No to the other.
 */
const OPPOSITES: [RegExp, RegExp][] = [
  [/\b(allow(s|ed|ing)?|permit(s|ted|ting)?|tolerat\w*)\b/, RESTRICTS],
  [/\b(shar(e|es|ed|ing)|reus(e|es|ed|ing)|common|generic)\b/, /\b(individual\w*|unique\w*|separate\w*|dedicated|personal|named)\b/],
  [/\boptional\b/, /\b(mandatory|enforc\w*|requir\w*|always)\b/],
  // "Are passwords stored with reversible encryption?" against "salted one-way hashes".
  [/\b(reversibl[ey]|decryptable)\b/, /\b(one-way|hash(es|ed|ing)?|irreversibl[ey])\b/],
  // Keeping data against deleting it; "logs kept for a year" and "protect logs from deletion" are not opposites.
  [/\b(keep|keeps|kept|retain|retains)( \w+){0,3} (data|content|information|records|copies)( after| beyond| once| when)\b/, /\b(delet\w*|remov\w*|eras\w*|destroy\w*|destruct\w*|purg\w*|wip(e|es|ed|ing))\b/],
  // "Do developers have access to production?" against "Are environments separated?".
  [/\b(ha(ve|s)|get|gets|can|given|granted) (\w+ )?access\b/, /\b(separat\w*|segregat\w*|isolat\w*|no (\w+ )?access|block\w*|prohibit\w*|restrict\w*|den(y|ies|ied))\b/],
  // Switching off a safeguard, not an account: "disable MFA" against "MFA is enforced"; "disable inactive accounts" is itself a safeguard.
  [/\b(disabl\w*|turn(s|ed)? off|switch(es|ed)? off|bypass\w*|waiv\w*)( the| their| its)? (mfa|multi|2fa|two|encrypt\w*|logging|audit\w*|tls|firewall\w*|antivirus|anti|malware|monitoring|alert\w*|security|authentication|scanning)\b/, /\b(enabl\w*|enforc\w*|requir\w*|mandatory|turn(s|ed)? on)\b/],
];

function sides(text: string): Set<string> {
  // "allow only authorised staff" restricts; so does an approval "before support can access data".
  const lower = text
    .toLowerCase()
    .replace(/\b(allow|permit)\w*\s+only\b|\bonly\s+(allow|permit)\w*/g, 'restrict')
    .replace(/\b(before|until|unless)\b( \w+){0,3} (can|may|gets?|ha(ve|s)) (\w+ )?access\b/g, 'restrict');
  const found = new Set<string>();
  OPPOSITES.forEach(([a, b], i) => {
    const hasA = a.test(lower);
    const hasB = b.test(lower);
    if (hasA !== hasB) found.add(`${i}:${hasA ? 'a' : 'b'}`);
  });
  return found;
}

/** The question takes one side of a pair of opposites, and no wording of the answer takes it but one takes the other. */
function asksOppositeWords(question: string, wordings: string[]): boolean {
  const asked = sides(question);
  if (!asked.size) return false;
  const written = wordings.map(sides);
  return [...asked].some((side) => {
    const other = side.endsWith('a') ? side.replace(/a$/, 'b') : side.replace(/b$/, 'a');
    return !written.some((w) => w.has(side)) && written.some((w) => w.has(other));
  });
}

/**
 * Weaknesses a question may ask about: "Do you use default passwords on network devices?", "Are
 * keys stored in source code?". A library answer's Yes is about a safeguard; carried over to a
 * question asking whether the weakness exists, it would claim the weakness.
 */
const WEAKNESSES: RegExp[] = [
  /\bdefault (passwords?|credentials?|accounts?|logins?|settings)\b/,
  /\b(plain ?text|clear ?text|unencrypted|in the clear)\b/,
  /\b(unpatched|end[- ]of[- ]life|out[- ]of[- ]support|unsupported (software|systems?|versions?|operating))\b/,
  /\b(unrestricted|unlimited|unfettered|anonymous)\b/,
  /\b(all|any|every) (engineers?|employees?|staff|developers?|users?) (ha(ve|s)|get|gets|can)\b|\b(available|open|accessible) to (all|any|every)\b/,
  // "(except areas designated as publicly accessible)" is a scope, not a weakness.
  /\b(open|exposed) to the (public )?internet\b|\b(accessible|reachable) from the (public )?internet\b|\bpublicly exposed\b/,
  /\bpersonal (e-?mail|accounts?|cloud|storage)\b/,
  /\b(in|into) (the )?source code\b|\bhard-?coded\b|\b(in|into) (plain )?(config(uration)?|environment|properties) files?\b/,
  /\bsame (\w+ ){0,2}(storage|system|server|site|location|network|disk|account|media|infrastructure|host|device|region|zone|data ?cent(er|re)|building|facility|country)s? as\b|\balongside\b|\bco-?located with\b/,
  /\b(logging|logs?|monitoring|alerting|mfa|encryption|antivirus|anti-?malware|firewalls?|auditing)( \w+){0,3} (is |are )?(disabled|turned off|switched off)\b/,
  /\b(unaccompanied|unescorted|unattended|unlocked)\b/,
  /\bflat network\b|\bnetwork (is |be )?flat\b/,
  /\bbefore (the )?(screening|background checks?|checks?|vetting)( \w+)? (complete|completed|finish\w*)\b/,
  /\b(known|open|outstanding|unresolved|unremediated) (critical |high |unpatched )*(vulnerabilit\w*|findings?|issues?)\b/,
  /\b(deferred|postponed|skipped|overdue|missed)\b/,
  /\bweak (passwords?|ciphers?|encryption|algorithms?|keys?)\b|\b(md5|sha-?1|3des|triple des|rc4|wep)\b/,
  /\bshar(e|es|ed|ing) (a |the )?(single |common )?(root|admin\w*|administrator|privileged|superuser) (accounts?|passwords?|credentials?)\b|\bshared (accounts?|credentials?|passwords?|logins?)\b|\bpassword reuse\b|\breus(e|es|ed|ing) (of )?(old |previous )?passwords?\b/,
  /\b(routinely|freely|casually) (access|view|read|see|brows)\w*\b|\b(access|view|read|see|brows)\w* (\w+ ){0,2}(customer|client|tenant) (data|content|information) (routinely|freely)\b/,
  // Logging what should not be logged: "Do you log the content of customer databases?".
  /\blog(s|ged|ging)? (the )?(contents?|payloads?|bodies) of\b/,
  /\b(exposed|leaked|visible) in (logs?|urls?|error messages?|source code|plain ?text)\b|\bleaked\b/,
  // Keeping customer data on endpoints, not protecting what is there: "Is customer data on laptops encrypted?" asks a safeguard.
  /\b(stor(e|es|ed|ing)|keep(s|ing)?|kept|cop(y|ies|ied|ying)|download(s|ed|ing)?|sav(e|es|ed|ing)|hold(s|ing)?|held)( \w+){0,2} (customer|client|personal|production|tenant) (data|content|information)( \w+){0,2} on (\w+ ){0,2}(laptops?|workstations?|desktops?|endpoints?|devices?|phones?|usb\w*|removable media)\b|\b(customer|client|personal|production|tenant) (data|content|information) (is |are )?(ever )?(stored|kept|copied|downloaded|saved|held) on (\w+ ){0,2}(laptops?|workstations?|desktops?|endpoints?|devices?|phones?|usb\w*|removable media)\b/,
  /\b(shar(e|es|ed|ing)|reus(e|es|ed|ing)|common)( \w+){0,2} (between|across|among) (\w+ ){0,2}(tenants?|customers?|clients?)\b/,
  /\bsingle points? of failure\b/,
  /\b(exempt(ed)? from|skip(s|ped|ping)?|waive[sd]?|bypass(es|ed|ing)?) (the )?(\w+ ){0,2}(review|approvals?|testing|tests|scanning|change management|change control)\b/,
  // One thing for every tenant: "Do all tenants share a single database?", "the same encryption key for all customers".
  /\b(tenants?|customers?|clients?) (\w+ ){0,2}shar(e|es|ed|ing) (a |the )?(single|same|common|one)\b|\b(same|single|one|shared|common) (encryption |master |data )?keys? (for|across|between|among) (all|every|multiple|the) (customers?|tenants?|clients?)\b/,
  /\b(in|within|on) (a |an )?(flood|seismic|earthquake|hurricane|tsunami|wildfire)[- ]?(zones?|plains?|areas?|prone)\b/,
  /\b(keep|keeps|kept|retain|retains|hold|holds)( \w+){0,3} (data|content|information|records|copies)( \w+){0,2} (after|beyond|following) (\w+ ){0,2}(deletion|termination|closure|offboarding|contract end|the contract)\b/,
  // Reaching across the line between provider and customer: customers into the provider's hosts, staff into customers' machines.
  /\b(customers?|tenants?|clients?|users?)( \w+){0,3} (access|reach|log ?in|sign ?in|root)\w*( \w+){0,3} (hypervisors?|physical (hosts?|servers?|machines?)|host operating systems?|control plane|underlying (infrastructure|hosts?|hardware))\b|\b(log ?in|sign ?in|ssh|access)\w* (to |into )?(customer|client|tenant)s?'? (virtual machines?|vms?|instances?|servers?|operating systems?)\b/,
  // One person in two roles that should check each other: "Is the CEO also the CISO?", "Are the CISO and CIO the same person?".
  /\b(ceo|cto|cio|cfo|coo|ciso|cso|dpo|founder|owner|president|chief \w+ officer)\b( \w+){0,2} also (the |our |your |a )?(ceo|cto|cio|cfo|coo|ciso|cso|dpo|data protection officer|security officer|auditor|internal auditor|chief \w+ officer)\b|\bsame (person|individual|people)\b/,
  // Approving one's own work: "Can a single engineer approve and deploy their own change?".
  /\b(approv|review|merg|sign)\w*( \w+){0,3} (their|his|her) own\b|\bsingle (person|individual|engineer|developer|administrator|employee|user) (can|could|may|is able)\b/,
];

/**
 * Questions about who does something, who owns it, or how little of it is done: "Is your SOC
 * outsourced?", "Are your data centres owned by you?", "Are background checks done only when the
 * law requires?". A Yes about the practice itself says nothing of these.
 */
const NARROWINGS: RegExp[] = [
  /\boutsourc\w*\b|\b(performed|provided|operated|run|managed|staffed|handled|done) by (a |an )?(third[- ]part(y|ies)|external|outside|managed service)\b|\bmanaged security service providers?\b|\bmssps?\b/,
  // A default the answer does not state ("MFA by default?"); "deny traffic by default" is itself the safeguard.
  /(?<!\b(deny|denies|denied|block|blocks|blocked|disable|disabled|closed|off|private)\b.{0,40})\bby default\b/,
  /\b(by|with) (an? |our |your |its )?(internal|in-house) (team|staff|employees|personnel|resources|testers?)\b|\bin-house\b/,
  /\b(offshore|overseas|nearshore)\b|\b(different|another|other|second|separate|foreign) (countr(y|ies)|jurisdictions?)\b/,
  // A document beside the report: "Do you have a SOC 2 bridge letter?".
  /\b(bridge|gap) letters?\b/,
  /\b(own|owns|owned)( \w+){0,2} (data cent(er|re)s?|facilit\w*|buildings?|hardware|servers?)\b|\b(data cent(er|re)s?|facilit\w*|buildings?|servers?)( \w+){0,2} owned\b/,
  /\bonly (when|if|where) (required|requested|mandated|legally|by law|the law|asked)\b|\bonly (every|once every|once a|once per)\b/,
];

/** "Is your SOC outsourced?": a question about who does something, where, or how much of it. */
export function asksWhoOrHowMuch(question: string): boolean {
  const q = question.toLowerCase();
  return NARROWINGS.some((narrowing) => narrowing.test(q));
}

function asksAboutWeakness(question: string, wordings: string[]): boolean {
  const q = question.toLowerCase();
  return [...WEAKNESSES, ...NARROWINGS].some((weakness) => weakness.test(q) && !wordings.some((w) => namesPlainly(w.toLowerCase(), weakness)));
}

/** "No single point of failure?" and "to avoid single points of failure" name the weakness only to rule it out. */
function namesPlainly(wording: string, weakness: RegExp): boolean {
  const match = weakness.exec(wording);
  if (!match) return false;
  const before = wording.slice(0, match.index).trim().split(/\s+/).slice(-5).join(' ');
  return !/\b(no|not|never|cannot|without|avoid\w*|prevent\w*|prohibit\w*|eliminat\w*|forbid\w*)\b|n't\b/.test(before);
}

/**
 * Who a practice applies to: "Is MFA required for customers?" is not answered by "Is MFA required
 * for all staff?". Customer data is what is protected, not who acts, so it does not count.
 */
const PARTIES: [RegExp, RegExp] = [
  /\b(customers?|clients?|tenants?|end[- ]users?)\b/,
  /\b(staff|employees?|workforce|personnel|engineers?|workers?|contractors?)\b|\bsupport (team|agents?|can|may|has|have)\b/,
];

function party(text: string): 'customer' | 'staff' | null {
  const t = text.toLowerCase().replace(/\b(customer|client|tenant)(s'?|'s)? (data|content|information|records|environments?|workloads?|systems?|resources?)\b/g, ' ');
  const [customer, staff] = PARTIES.map((p) => p.test(t));
  return customer === staff ? null : customer ? 'customer' : 'staff';
}

function asksAboutAnotherParty(question: string, wordings: string[]): boolean {
  const asked = party(question);
  if (!asked) return false;
  const written = wordings.map(party);
  return !written.includes(asked) && written.some((p) => p !== null);
}

/** True when no wording of the answer asks the way the question does. */
export function polarityDiffers(question: string, wordings: string[]): boolean {
  const negative = asksNegatively(question);
  return !wordings.some((w) => asksNegatively(w) === negative) || asksOppositeWords(question, wordings) || asksAboutWeakness(question, wordings) || asksAboutAnotherParty(question, wordings);
}

// Negations, and verbs that keep something from happening ("prevents recovery of the plain-text password").
const DENIAL = /^(not|never|no|none|nor|without|exclud\w*|prevents?|prevented|prohibit\w*|forbid\w*|blocks?|blocked|avoids?|disallow\w*|den(y|ies|ied)|reject\w*|limit\w*|restrict\w*|cannot|can't)$|n't$/;
const DENIAL_REACH = 4;
// "hold-your-own-key", "end-to-end": one thing, not the common words it is made of.
const COMPOUND = /\b[a-z]+(?:-[a-z]+){2,}\b/g;
const TRAILING_DENIAL = /\b(is|are|was|were|be)\s+(not|never)\s+(supported|offered|available|possible|permitted|allowed|provided|accepted|enabled)\b/;

/** Stemmed terms a text names plainly, and those it names only to deny or restrict them. */
function mentions(texts: string[]): { affirmed: Set<string>; denied: Set<string> } {
  const denied = new Set<string>();
  const affirmed = new Set<string>();
  for (const sentence of texts.join('. ').toLowerCase().replace(/[’']/g, "'").replace(/\brul(e|es|ed|ing) out\b/g, 'excludes').replace(/[()]/g, ' ').replace(COMPOUND, (c) => c.replace(/-/g, '')).split(/[.;:,!?]+/)) {
    // "Keys held outside Nimbus are not supported": what comes before the denial is denied.
    const trailing = TRAILING_DENIAL.exec(sentence);
    if (trailing) for (const term of meaningfulTerms(sentence.slice(0, trailing.index))) denied.add(term);
    const clause = trailing ? sentence.slice(trailing.index + trailing[0].length) : sentence;
    let reach = 0;
    for (const word of clause.split(/[^a-z']+/).filter(Boolean)) {
      if (DENIAL.test(word)) {
        reach = DENIAL_REACH;
        continue;
      }
      const terms = meaningfulTerms(word);
      // Reach counts words that mean something: "never in plain text" denies "plain" and "text".
      for (const term of terms) (reach > 0 ? denied : affirmed).add(term);
      if (terms.length) reach--;
    }
  }
  return { affirmed, denied };
}

interface DenyingEntry {
  question: string;
  phrasings: string[];
  explanation: string;
}

/**
 * The question asks about something the answer mentions only to deny it: "Are passwords stored in
 * plain text?" against "stored as salted hashes and never in plain text". The answer's Yes is true
 * of its own question, and would claim the opposite of this one. A question restricting the same
 * thing ("limit users' ability to connect to prohibited sites") asks the same way round. Only the
 * words `specific` accepts count: a common one ("access", "through") is denied in one place and
 * meant in another.
 */
export function deniedTerms(question: string, entry: DenyingEntry, specific: (term: string) => boolean = () => true): string[] {
  const answer = mentions([entry.question, ...entry.phrasings, entry.explanation]);
  const asked = mentions([question]);
  return [...asked.affirmed].filter((t) => specific(t) && !asked.denied.has(t) && answer.denied.has(t) && !answer.affirmed.has(t));
}

const mentionCache = new WeakMap<DenyingEntry, { affirmed: Set<string>; denied: Set<string> }>();
/** What an answer names plainly and what it denies; a No denies what its own question asks ("Are backup tapes shipped off site? No"). */
function mentionsOf(entry: DenyingEntry & { answer?: string | null }): { affirmed: Set<string>; denied: Set<string> } {
  let found = mentionCache.get(entry);
  if (!found) {
    const asked = mentions([entry.question, ...entry.phrasings]);
    const said = mentions([entry.explanation]);
    found = entry.answer === 'No'
      ? { affirmed: said.affirmed, denied: new Set([...asked.affirmed, ...asked.denied, ...said.denied]) }
      : { affirmed: new Set([...asked.affirmed, ...said.affirmed]), denied: new Set([...asked.denied, ...said.denied]) };
    mentionCache.set(entry, found);
  }
  return found;
}

/**
 * Words of the question the chosen answer never mentions and another answer found for the same
 * question mentions only to deny: "Do you store backups on tape?" against the backup answer's Yes,
 * while the media answer says No to backup tapes. The provider has said No to that word; the Yes
 * would contradict it. `others` are the other candidates; `library` tells whether any answer names
 * the word plainly.
 */
export function deniedElsewhere(question: string, chosen: DenyingEntry, others: DenyingEntry[], library: Iterable<DenyingEntry>, specific: (term: string) => boolean = () => true): string[] {
  const asked = mentions([question]);
  const own = mentionsOf(chosen);
  const words = [...asked.affirmed].filter((t) => specific(t) && !asked.denied.has(t) && !own.affirmed.has(t) && !own.denied.has(t));
  const denied = words.filter((t) => others.some((e) => mentionsOf(e).denied.has(t)));
  if (!denied.length) return [];
  const entries = [...library];
  return denied.filter((t) => !entries.some((e) => mentionsOf(e).affirmed.has(t)));
}
