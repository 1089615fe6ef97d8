import { meaningfulTerms } from '../../../server/modules/search/index.js';
import { describe, expect, it } from 'vitest';
import { buildEngine } from '../../../server/modules/engine/engine.js';
import { classifyKind, isEventQuestion, quantitiesIn } from '../../../server/modules/engine/classify.js';
import { asksNegatively, deniedElsewhere, deniedTerms, polarityDiffers } from '../../../server/modules/engine/polarity.js';
import { splitCompound } from '../../../server/modules/engine/split.js';
import type { AnswerOptions } from '../../../server/modules/engine/types.js';
import { makeKnowledge } from './knowledge.js';

const engine = buildEngine(makeKnowledge());
const options: AnswerOptions = { audience: 'nda', service: null, today: '2026-11-28', expiringWithinDays: 30 };
const ask = (question: string, extra: Partial<AnswerOptions> = {}) => engine.answer({ id: 'q', sheet: null, row: null, question }, { ...options, ...extra });

describe('questionnaire engine', () => {
  it('answers from the library with citations and explains why', () => {
    const result = ask('Is customer data encrypted at rest?');
    expect(result.status).toBe('answered');
    expect(result.answer).toBe('Yes');
    expect(result.text).toBe('AES-256-GCM on every volume.');
    expect(result.controls[0]).toBe('iso27002:8.24');
    expect(result.citations).toContainEqual(expect.objectContaining({ kind: 'answer', id: 'rest' }));
    expect(result.citations).toContainEqual(expect.objectContaining({ kind: 'evidence', id: 'ev-crypto-nda' }));
    expect(result.why.answerId).toBe('rest');
    expect(result.why.terms).toEqual(expect.arrayContaining(['encrypt', 'rest']));
    expect(result.why.runnerUp).not.toBeNull();
  });

  it('never carries a Yes over to a question asked the opposite way round; a reviewer decides', () => {
    for (const question of ['Is customer data not encrypted at rest?', 'Is any customer data stored without encryption at rest?', "Isn't stored data encrypted?"]) {
      const result = ask(question);
      expect(result.why.answerId, question).toBe('rest');
      expect(result.status, question).toBe('review');
      expect(result.reason, question).toMatch(/opposite way round/);
    }
    expect(ask('Is stored customer data encrypted at rest? (Y/N)').status).toBe('answered');
    // Further on, a negation qualifies the object, not the question.
    expect(ask('Is customer data encrypted at rest, including data no longer in active use?').status).toBe('answered');
    expect(asksNegatively('Does the organization store backup copies in a facility that is not collocated with the system?')).toBe(false);
    expect(asksNegatively("Don't you encrypt backups?")).toBe(true);
    // Further on, only "without" asks about the exception, unless the question restricts it or means a delay.
    expect(asksNegatively('Do you permit remote access to production without MFA?')).toBe(true);
    expect(asksNegatively('Does the organization prohibit software installations without privileged status?')).toBe(false);
    expect(asksNegatively('Will you notify affected customers of a breach without undue delay?')).toBe(false);
  });

  it('reads opposite words as the other way round: "permitted" against "blocked", "share" against "individual"', () => {
    const usb = ['Is writing to USB storage blocked on company laptops?', 'Is removable media prohibited on company devices?'];
    expect(polarityDiffers('Are removable storage devices permitted on production servers?', usb)).toBe(true);
    expect(polarityDiffers('Is USB storage restricted on laptops?', usb)).toBe(false);
    const accounts = ['Does every user have an individual account?', 'Unique user IDs?'];
    expect(polarityDiffers('Do employees share administrator passwords?', accounts)).toBe(true);
    expect(polarityDiffers('Does each administrator use a named account?', accounts)).toBe(false);
    // "allow only" restricts; a wording on the question's own side settles it.
    expect(polarityDiffers('Do you allow only authorised personnel into secure areas?', ['Is access to secure areas restricted to authorised staff?'])).toBe(false);
    expect(polarityDiffers('Are personal devices allowed?', ['Are personal devices blocked?', 'Do you allow personal devices?'])).toBe(false);
  });

  it('a yes/no question read as an open answer is answered by the yes/no answer written beside it', () => {
    const knowledge = makeKnowledge();
    const base = knowledge.library.find((e) => e.id === 'rest')!;
    const explanation = 'Encryption keys rotate automatically every 90 days through the key management service, and retired keys stay only to decrypt older data.';
    knowledge.library.push(
      { ...base, id: 'rotation', kind: 'open', answer: null, question: 'How are encryption keys rotated?', phrasings: ['Key rotation process', 'Are encryption keys rotated regularly?'], explanation, evidence: [] },
      { ...base, id: 'rotation-yn', kind: 'yes-no', answer: 'Yes', question: 'Do you rotate encryption keys at least once a year?', phrasings: ['Key rotation enforced (Y/N)'], explanation, evidence: [] },
    );
    const withPair = buildEngine(knowledge);
    const asked = (question: string) => withPair.answer({ id: 'q', sheet: null, row: null, question }, options);
    const yesNo = asked('Are encryption keys rotated regularly?');
    expect(yesNo.why.answerId).toBe('rotation-yn');
    expect(yesNo.answer).toBe('Yes');
    expect(yesNo.reason ?? '').not.toMatch(/does not say yes or no/);
    const open = asked('How are encryption keys rotated?');
    expect(open.why.answerId).toBe('rotation');
    expect(open.answer).toBeNull();
  });

  it('expands security acronyms: "MFA" finds the multi-factor answer', () => {
    const result = ask('MFA for admins?');
    expect(result.why.answerId).toBe('mfa');
    expect(result.status).not.toBe('unanswered');
  });

  it('abstains on an unrelated question instead of guessing', () => {
    const result = ask('What is your favourite colour?');
    expect(result.status).toBe('unanswered');
    expect(result.answer).toBeNull();
    expect(result.citations).toEqual([]);
  });

  it('splits a compound question and answers each part', () => {
    const result = ask('Do you encrypt data at rest and in transit?');
    expect(result.parts?.map((p) => p.why.answerId)).toEqual(['rest', 'transit']);
    expect(result.parts?.map((p) => p.question)).toEqual(['Do you encrypt data at rest?', 'Do you encrypt data in transit?']);
    expect(result.answer).toBe('Yes');
    expect(result.question).toBe('Do you encrypt data at rest and in transit?');
  });

  it('answers per service: what the provider does stays, the customer-owned part is added on IaaS', () => {
    // The provider patches its own hosts on every service; "customer-owned" must not turn that into N/A.
    const compute = ask('Do you patch operating systems?', { service: 'compute' });
    expect(compute.answer).toBe('Yes');
    expect(compute.ownership).toBe('customer');
    expect(compute.text).toBe("We patch hosts within 14 days. On Compute, doing this for your own resources is your responsibility: Patch your guest operating system.");
    expect(compute.citations).toContainEqual(expect.objectContaining({ kind: 'responsibility', id: 'iso27002:8.8|compute' }));
    const db = ask('Do you patch operating systems?', { service: 'db' });
    expect(db.answer).toBe('Yes');
    expect(db.text).toBe('We patch the database OS in your maintenance window.');
    expect(db.ownership).toBe('provider');
    // With no service chosen, ownership is given only where every service agrees.
    expect(ask('Do you patch operating systems?').ownership).toBeNull();
  });

  it('answers "do you…" about the provider from its own ISMS practice where a service has no part in the control', () => {
    const knowledge = makeKnowledge();
    const db = knowledge.responsibilities.find((r) => r.controlId === 'iso27002:8.8' && r.serviceId === 'db')!;
    Object.assign(db, { party: 'not-applicable', provider: null, reason: 'The service has no operating system you can reach.' });
    knowledge.library.find((a) => a.id === 'patching')!.services = {};
    const answerOn = (k: typeof knowledge) => buildEngine(k).answer({ id: 'q', sheet: null, row: null, question: 'Do you patch operating systems?' }, { ...options, service: 'db' });
    // Without a statement of how the provider runs it for itself, the control does not apply here.
    const without = answerOn(knowledge);
    expect(without.answer).toBe('N/A');
    knowledge.isms = [{ controlId: 'iso27002:8.8', provider: 'Our own laptops and servers are patched within 14 days.' }];
    const withPractice = answerOn(knowledge);
    expect(withPractice.answer).toBe('Yes');
    expect(withPractice.text).toContain('Our own laptops and servers are patched within 14 days.');
    expect(withPractice.text).toContain('On Managed DB the control itself does not apply');
    expect(withPractice.ownership).toBe('not-applicable');
  });

  it("carries the customer's duties from the matrix, for the chosen service or where every service agrees", () => {
    expect(ask('Do you patch operating systems?', { service: 'compute' }).customerDuty).toBe('Patch your guest operating system.');
    // The matrix gives the customer nothing to do on the database service.
    expect(ask('Do you patch operating systems?', { service: 'db' }).customerDuty).toBeNull();
    // No service chosen and the services differ: nothing, rather than one service's duty.
    expect(ask('Do you patch operating systems?').customerDuty).toBeNull();
    const knowledge = makeKnowledge();
    for (const r of knowledge.responsibilities) r.customer = 'Keep your own images patched.';
    const agreed = buildEngine(knowledge).answer({ id: 'q', sheet: null, row: null, question: 'Do you patch operating systems?' }, options);
    expect(agreed.customerDuty).toBe('Keep your own images patched.');
    expect(ask('What is your favourite colour?').customerDuty).toBeNull();
  });

  it('sends an answer whose only evidence is stale to review, and never cites the stale document', () => {
    const result = ask('Do you back up customer data?');
    expect(result.status).toBe('review');
    expect(result.reason).toMatch(/stale evidence/);
    expect(result.citations.some((c) => c.id === 'ev-backup-stale')).toBe(false);
  });

  it('uses nothing above the audience: internal answers never reach customers, nda evidence never the public', () => {
    const customer = ask('What is the break-glass procedure for root access?');
    expect(customer.why.answerId).not.toBe('internal-secret');
    expect(JSON.stringify(customer)).not.toContain('Internal detail');
    const staff = ask('What is the break-glass procedure for root access?', { audience: 'internal' });
    expect(staff.why.answerId).toBe('internal-secret');
    const publicResult = ask('Is customer data encrypted at rest?', { audience: 'public' });
    expect(publicResult.citations.some((c) => c.id === 'ev-crypto-nda')).toBe(false);
  });

  it('is deterministic: the same input gives the same output', () => {
    const questions = ['Do you encrypt data at rest and in transit?', 'MFA?', 'Backups?', 'Patch SLA?'].map((question, i) => ({ id: `q${i}`, sheet: 'S', row: i + 2, question }));
    expect(JSON.stringify(buildEngine(makeKnowledge()).answerAll(questions, options))).toBe(JSON.stringify(engine.answerAll(questions, options)));
  });
});

describe('reading what a question claims', () => {
  it('reads a choice between alternatives at the end as open, and other "or"s as yes/no', () => {
    // A control statement asks whether it holds; a bare topic is a heading.
    expect(classifyKind('Vendor personnel undergo annual security training.').kind).toBe('yes-no');
    expect(classifyKind('Security Training').kind).toBe('not-a-question');
    expect(classifyKind('Is your SOC 2 report Type I or Type II?').kind).toBe('open');
    expect(classifyKind('Are penetration tests performed internally or externally?').kind).toBe('open');
    expect(classifyKind('Is the assessment performed by internal staff or a third party?').kind).toBe('open');
    expect(classifyKind('Does the organization control the internal or external distribution of media?').kind).toBe('yes-no');
    expect(classifyKind('Is data encrypted at rest or in transit?').kind).toBe('yes-no');
  });

  it('reads who owns the company as an event, not who owns the data', () => {
    expect(isEventQuestion('Who owns your company?')).toBe(true);
    expect(isEventQuestion('Please describe your ownership structure and any parent company.')).toBe(true);
    expect(isEventQuestion('Who owns the data we store in the service?')).toBe(false);
    expect(isEventQuestion('Have any employees been dismissed for security violations?')).toBe(true);
    expect(isEventQuestion('Has your SOC 2 report ever had a qualified opinion?')).toBe(true);
    expect(isEventQuestion('Are employees disciplined for security violations?')).toBe(false);
  });

  it('reads what a test found and having told someone of a breach as events, not practices', () => {
    expect(isEventQuestion('Did your last penetration test find any critical vulnerabilities?')).toBe(true);
    expect(isEventQuestion('Has your most recent audit identified any nonconformities?')).toBe(true);
    expect(isEventQuestion('Have you notified a supervisory authority of a personal data breach?')).toBe(true);
    expect(isEventQuestion('Has the organization reported any security incidents to regulators?')).toBe(true);
    expect(isEventQuestion('Do you notify authorities of breaches?')).toBe(false);
    expect(isEventQuestion('Does the organization report vulnerabilities found in penetration tests?')).toBe(false);
    expect(isEventQuestion('Have you informed customers about the incident process?')).toBe(false);
    expect(isEventQuestion('Have your data centres ever lost power?')).toBe(true);
    expect(isEventQuestion('Provide details of any data breaches.')).toBe(true);
    expect(isEventQuestion('Describe how you handle any incidents.')).toBe(false);
  });

  it('reads sums of money and counted things as figures an answer must state', () => {
    expect(quantitiesIn('Do you carry cyber insurance of at least $50 million?')).toEqual([{ value: 50e6, unit: 'money', text: '$50 million' }]);
    expect(quantitiesIn('cyber liability insurance of EUR 20 million').map((q) => [q.value, q.unit])).toEqual([[20e6, 'money']]);
    expect(quantitiesIn('Is the minimum password length 6 characters?').map((q) => [q.value, q.unit])).toEqual([[6, 'count:character']]);
    expect(quantitiesIn('Accounts lock after five failed login attempts.').map((q) => [q.value, q.unit])).toEqual([[5, 'count:attempt']]);
    expect(quantitiesIn('Are passwords long enough?')).toEqual([]);
    expect(quantitiesIn('Do you test the plan every month?').map((q) => [q.value, q.unit])).toEqual([[30, 'days']]);
    expect(quantitiesIn('Is the RPO for Insights zero?').map((q) => [q.value, q.unit])).toEqual([[0, 'days']]);
    expect(quantitiesIn('Do you guarantee zero data loss?').map((q) => [q.value, q.unit])).toEqual([[0, 'days']]);
  });

  it('reads "optional", "generic", "keep" and "have access" as the other way round from what forbids them', () => {
    expect(polarityDiffers('Is MFA optional for customer administrators?', ['Is MFA enforced for customer administrators?'])).toBe(true);
    expect(polarityDiffers('Are generic accounts used for administration?', ['Does every administrator have an individual account?'])).toBe(true);
    expect(polarityDiffers('Do you keep customer data after the contract ends?', ['Is customer data deleted when the contract ends?'])).toBe(true);
    expect(polarityDiffers('Do developers have write access to production?', ['Are development and production environments separated?'])).toBe(true);
    expect(polarityDiffers('Do you keep backups for 35 days?', ['Do you keep backups?'])).toBe(false);
  });

  it('reads a question about a weakness as the other way round from a safeguard, unless the answer names that weakness', () => {
    const weaknesses: [string, string][] = [
      ['Do you use default passwords on network devices?', 'Do you enforce a strong password policy?'],
      ['Are encryption keys stored in source code?', 'Are secrets kept in a vault?'],
      ['Are there any known unpatched critical vulnerabilities?', 'Do you patch critical vulnerabilities within 7 days?'],
      ['Is root access available to all engineers?', 'Is privileged access restricted?'],
      ['Are backups stored on the same storage system as production data?', 'Are backups encrypted?'],
      ['Is logging disabled on any production systems?', 'Are security events logged?'],
    ];
    for (const [question, safeguard] of weaknesses) expect(polarityDiffers(question, [safeguard]), question).toBe(true);
    // Keeping customer data on endpoints is a weakness; protecting what is there is a safeguard.
    expect(polarityDiffers('Do you store customer data on employee laptops?', ['Are laptops encrypted?'])).toBe(true);
    expect(polarityDiffers('Is customer data on laptops encrypted?', ['Are laptops encrypted?'])).toBe(false);
    expect(polarityDiffers('Are encryption keys shared between tenants?', ['Is traffic between tenants encrypted?'])).toBe(true);
    expect(polarityDiffers('Are vendor default passwords changed before use?', ['Are default passwords removed before equipment goes into service?'])).toBe(false);
    // A scope in passing is not a weakness.
    expect(polarityDiffers('Are visitors escorted (except in areas designated as publicly accessible)?', ['Are visitors escorted?'])).toBe(false);
  });

  it('reads who does it, who owns it and "only when the law requires" as more than the practice itself', () => {
    expect(polarityDiffers('Is your incident response team outsourced?', ['Do you have an incident response team?'])).toBe(true);
    expect(polarityDiffers('Is the SOC operated by a third party?', ['Do you monitor security events around the clock?'])).toBe(true);
    expect(polarityDiffers('Do you outsource software development?', ['Do outsourced developers follow your secure development standard?'])).toBe(false);
    expect(polarityDiffers('Are all your data centres owned by you?', ['Are your data centres certified?'])).toBe(true);
    expect(polarityDiffers('Do you perform background checks only when required by law?', ['Are candidates screened before they start?'])).toBe(true);
    expect(polarityDiffers('Is access granted only after approval?', ['Is access approved before it is granted?'])).toBe(false);
    expect(polarityDiffers('Does the vendor use offshore developers?', ['Do external developers follow your secure development standard?'])).toBe(true);
    expect(polarityDiffers('Do you use a managed security service provider for monitoring?', ['Do you monitor your systems around the clock?'])).toBe(true);
    expect(polarityDiffers('Can a single engineer approve and deploy their own change?', ['Do you enforce segregation of duties?'])).toBe(true);
    expect(polarityDiffers('Are backups stored in the same region as the primary data?', ['Are backups encrypted?'])).toBe(true);
    expect(polarityDiffers('Is MFA enabled by default?', ['Is MFA available to all users?'])).toBe(true);
    // "Deny by default" is the safeguard itself.
    expect(polarityDiffers('Are firewalls configured to deny traffic by default?', ['Do you use firewalls?'])).toBe(false);
    expect(polarityDiffers('Can customers access the hypervisor?', ['Are hypervisor hosts hardened?'])).toBe(true);
  });

  it('reads a practice for customers as not answered by the same practice for staff, and the other way round', () => {
    expect(polarityDiffers('Is MFA required for customers by default?', ['Is multi-factor authentication required for all staff?', 'MFA for employees?'])).toBe(true);
    expect(polarityDiffers('Are employees trained on phishing?', ['Can customers enable phishing protection for their users?'])).toBe(true);
    expect(polarityDiffers('Is MFA required for all employees?', ['Is multi-factor authentication required for all staff?'])).toBe(false);
    // Customer data is what is protected, not who acts.
    expect(polarityDiffers('Is customer data encrypted at rest?', ['Do staff laptops use full-disk encryption?'])).toBe(false);
  });

  it('does not take a wording that rules a weakness out for one that names it', () => {
    expect(polarityDiffers('Is there a single point of failure in your architecture?', ['Is your infrastructure redundant?', 'No single point of failure?', 'Deployed across locations to avoid single points of failure?'])).toBe(true);
    expect(polarityDiffers('Are default passwords changed before use?', ['Are default passwords removed before equipment goes into service?'])).toBe(false);
  });

  it('reads switching off a safeguard as the opposite of enforcing it, but not disabling accounts', () => {
    const mfa = ['Is MFA enforced for all users?'];
    expect(polarityDiffers('Do you disable MFA for service accounts?', mfa)).toBe(true);
    expect(polarityDiffers('Can administrators bypass multi-factor authentication?', mfa)).toBe(true);
    expect(polarityDiffers('Are inactive accounts disabled automatically after 90 days?', ['Are dormant accounts required to be removed?'])).toBe(false);
  });

  it('finds words another answer on the same subject says No to, which the chosen answer never mentions', () => {
    const backups = { question: 'Do you back up customer data?', phrasings: [], explanation: 'Daily snapshots are stored for 35 days in another region.', answer: 'Yes' };
    const media = { question: 'Are backup tapes shipped to an off-site store?', phrasings: [], explanation: 'Backups travel only over encrypted links.', answer: 'No' };
    const archive = { question: 'Do you archive old records?', phrasings: [], explanation: 'Old records go to a tape library.', answer: 'Yes' };
    expect(deniedElsewhere('Do you store backups on tape?', backups, [media], [backups, media])).toEqual(['tape']);
    // Named plainly somewhere in the library, the word is not one the provider denies.
    expect(deniedElsewhere('Do you store backups on tape?', backups, [media], [backups, media, archive])).toEqual([]);
    expect(deniedElsewhere('Do you back up customer data daily?', backups, [media], [backups, media])).toEqual([]);
  });

  it('finds specific words the answer mentions only to deny them, unless the question restricts them too', () => {
    const hashing = { question: 'Are passwords stored as salted hashes?', phrasings: ['Does the system prevent recovery of the plain-text password?'], explanation: 'Stored as scrypt hashes and never in plain text.' };
    expect(deniedTerms('Are passwords stored in plain text?', hashing)).toEqual(['plain', 'text']);
    expect(deniedTerms('Are passwords hashed with a salt?', hashing)).toEqual([]);
    const dns = { question: 'Do you block connections to malicious domains?', phrasings: [], explanation: 'Protective DNS blocks known malicious domains.' };
    expect(deniedTerms('Do you limit the ability to reach malicious domains?', dns)).toEqual([]);
    expect(deniedTerms('Are your sites in flood plains?', { question: 'Are sites assessed for hazards?', phrasings: [], explanation: 'Site selection rules out flood plains.' })).toEqual(['flood', 'plain']);
    // A denial after what it denies ("… are not supported"), and a hyphenated compound as one thing.
    const cmk = { question: 'Can customers manage their own encryption keys?', phrasings: [], explanation: 'Customer-managed keys are supported. Keys held outside Nimbus (hold-your-own-key) are not supported.' };
    expect(deniedTerms('Do you support hold-your-own-key?', cmk)).toEqual([meaningfulTerms('holdyourownkey')[0]]);
    expect(deniedTerms('Do you encrypt with keys held by the customer?', cmk)).toContain(meaningfulTerms('held')[0]);
    expect(deniedTerms('Can customers manage their own encryption keys?', cmk)).toEqual([]);
    // Only the words the caller calls specific count.
    expect(deniedTerms('Are passwords stored in plain text?', hashing, (t) => t !== 'plain' && t !== 'text')).toEqual([]);
  });
});

describe('splitCompound', () => {
  it('starts a second question at "and" followed by a question verb and a subject, not a participle', () => {
    expect(splitCompound('Are all employees required to use MFA and is MFA enforced for customers?')).toEqual(['Are all employees required to use MFA?', 'Is MFA enforced for customers?']);
    expect(splitCompound('Are policies documented and are reviewed annually?')).toHaveLength(1);
    expect(splitCompound('Is the backup encrypted and can be restored within four hours?')).toHaveLength(1);
  });

  it.each([
    ['Do you encrypt data at rest and in transit?', ['Do you encrypt data at rest?', 'Do you encrypt data in transit?']],
    ['Do you perform vulnerability scanning and penetration testing?', ['Do you perform vulnerability scanning?', 'Do you perform penetration testing?']],
    ['Is MFA enforced? Are passwords rotated?', ['Is MFA enforced?', 'Are passwords rotated?']],
    ['Do you have a policy for acceptable use?', ['Do you have a policy for acceptable use?']],
    ['Are roles, responsibilities and authorities defined?', ['Are roles, responsibilities and authorities defined?']],
    ['Is MFA enforced for administrators, and do you train the CEO dog every week?', ['Is MFA enforced for administrators?', 'Do you train the CEO dog every week?']],
    ['Are logs kept for a year and are they reviewed daily?', ['Are logs kept for a year?', 'Are they reviewed daily?']],
    ['Is MFA enforced for staff and do customers get single sign-on?', ['Is MFA enforced for staff?', 'Do customers get single sign-on?']],
    ['Do you review and approve changes?', ['Do you review and approve changes?']],
    // Verbs or adjectives sharing what follows them: the tail belongs to both, "to detect" alone asks nothing.
    ['Do you use antimalware tools to detect and eradicate malicious code?', ['Do you use antimalware tools to detect malicious code?', 'Do you use antimalware tools to eradicate malicious code?']],
    ['Do you train staff to maintain a safe and secure working environment?', ['Do you train staff to maintain a safe working environment?', 'Do you train staff to maintain a secure working environment?']],
    // A plural noun is a whole conjunct: only it is replaced.
    ['Are privacy duties set out in contracts for contractors and service providers?', ['Are privacy duties set out in contracts for contractors?', 'Are privacy duties set out in contracts for service providers?']],
    ['Are interests consistent with and reflected in the contract?', ['Are interests consistent with and reflected in the contract?']],
    // A numbered list asks its stem of every item.
    ['Do you report incidents to: (1) internal stakeholders; (2) affected clients; and (3) regulators?', ['Do you report incidents to internal stakeholders?', 'Do you report incidents to affected clients?', 'Do you report incidents to regulators?']],
    ['Is data encrypted (a) at rest; and (b) in transit?', ['Is data encrypted at rest?', 'Is data encrypted in transit?']],
    ['Do you review access (i) quarterly for administrators, (ii) yearly for others?', ['Do you review access quarterly for administrators?', 'Do you review access yearly for others?']],
    // "and can communicate", "or have adversely affected": a verb or an adverb after the auxiliary continues the question.
    ['Can the public reach the privacy office and can communicate with it by email?', ['Can the public reach the privacy office and can communicate with it by email?']],
    ['Do suppliers report compromises that could affect or have adversely affected your systems?', ['Do suppliers report compromises that could affect or have adversely affected your systems?']],
  ])('%s', (question, parts) => {
    expect(splitCompound(question)).toEqual(parts);
  });
});
