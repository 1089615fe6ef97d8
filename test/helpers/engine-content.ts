import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { copyContent } from './content-fixture.js';

/**
 * The minimal content plus a few more controls and answers, enough to exercise the
 * questionnaire flow end to end (MFA, access reviews, incident response, patching).
 */
export function engineContent(): ReturnType<typeof copyContent> {
  const copy = copyContent();
  appendFileSync(
    path.join(copy.dir, 'frameworks/iso27002-2022.yaml'),
    `  - id: "8.5"
    title: Secure authentication
    theme: technological
    description: Sign-in that resists stolen passwords.
    keywords: [authentication, MFA, login]
  - id: "5.18"
    title: Access rights
    theme: organizational
    description: Grant, review and remove access deliberately.
    keywords: [access review, recertification, entitlement]
  - id: "5.26"
    title: Response to information security incidents
    theme: organizational
    description: Respond to incidents by a plan.
    keywords: [incident, response, breach]
  - id: "8.8"
    title: Management of technical vulnerabilities
    theme: technological
    description: Find and fix weaknesses quickly.
    keywords: [patch, vulnerability, operating system]
`,
  );
  writeFileSync(
    path.join(copy.dir, 'library/more.yaml'),
    `answers:
  - id: mfa-admins
    question: Is multi-factor authentication enforced for administrators?
    phrasings: [Do admins use two-factor authentication?, MFA for privileged users (Y/N), Describe how administrator sign-in is protected.]
    answer: "Yes"
    explanation: Every administrator signs in with a hardware security key; passwords alone never suffice.
    controls: [iso27002:8.5]
    evidence: [ev-backup-test]
    access: public
    owner: Security Engineering
    reviewed: -10d
  - id: access-reviews
    question: Are user access rights reviewed at least quarterly?
    phrasings: [How often are access rights recertified?, Access review frequency?, Do you perform periodic user access reviews?]
    answer: "Yes"
    explanation: Privileged access is reviewed every quarter and all other access twice a year.
    controls: [iso27002:5.18]
    evidence: [ev-backup-test]
    access: public
    owner: Security Engineering
    reviewed: -10d
  - id: incident-response
    question: Describe your incident response process.
    phrasings: [Do you have an incident response plan?, How do you respond to security incidents?, Incident handling procedure]
    kind: open
    explanation: A 24x7 on-call team triages, contains and reports incidents by a written plan tested twice a year.
    controls: [iso27002:5.26]
    evidence: [ev-backup-test]
    access: public
    owner: Security Engineering
    reviewed: -10d
  - id: patching
    question: Do you patch operating systems?
    phrasings: [Operating system patch management, Are OS security updates applied?, Patch timelines for servers]
    answer: "Yes"
    explanation: Hosts are patched within 14 days, critical fixes within 72 hours.
    controls: [iso27002:8.8]
    evidence: [ev-backup-test]
    access: public
    owner: Security Engineering
    reviewed: -10d
`,
  );
  appendFileSync(
    path.join(copy.dir, 'responsibility/technological.yaml'),
    `- control: iso27002:8.8
  services:
    vm:
      party: customer
      provider: Patches hypervisors and publishes patched images.
      customer: Patch the guest operating system of every VM within your own SLA.
      owner: Platform Operations
    db:
      party: provider
      provider: Patches the database hosts and engine in the maintenance window.
      owner: Database Engineering
      evidence: [ev-backup-test]
`,
  );
  return copy;
}
