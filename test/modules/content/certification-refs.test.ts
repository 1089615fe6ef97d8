import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../server/clock.js';
import { checkContent, formatProblem } from '../../../server/modules/content/service.js';
import { copyContent } from '../../helpers/content-fixture.js';

// The fields an auditor reads on a certification must point at things the content has.
const clock = fixedClock('2026-11-28T12:00:00Z');
let copy: ReturnType<typeof copyContent> | null = null;
afterEach(() => {
  copy?.remove();
  copy = null;
});

const errorsOf = () => checkContent(copy!.dir, clock).problems.filter((p) => p.level === 'error').map(formatProblem);
const setFields = (fields: string) => copy!.edit('disclosures/certifications.yaml', (t) => t.replace('issued: -100d', `${fields}, issued: -100d`));

describe('certification fields', () => {
  it('accepts a fully described certificate and report', () => {
    copy = copyContent();
    setFields('accreditation: "Accreditor (fictional), no. 7", certificateNumber: C-1, verificationUrl: "https://certa.example/verify/C-1", scopeServices: [vm, db], scopeRegions: [eu-1], scopeSites: [Head office], soaVersion: "2.0"');
    copy.edit('disclosures/certifications.yaml', (t) => `${t}  - { id: soc2, kind: report, standard: SOC 2 Type II, title: SOC 2, scope: All, body: Auditor, issued: -40d, expires: +300d, periodStart: -400d, periodEnd: -41d, opinion: unqualified, complementaryCustomerControls: [Customers manage their users.] }\n`);
    expect(errorsOf()).toEqual([]);
  });

  it('refuses unknown services, regions and superseded certifications, a verification link that is not https, and an opinion on a certificate', () => {
    copy = copyContent();
    setFields('verificationUrl: "http://certa.example/verify", scopeServices: [vm, storage], scopeRegions: [eu-9], supersedes: iso-old, opinion: unqualified');
    const errors = errorsOf();
    for (const message of [
      'certification iso27001: scopeServices names "storage", which is not a service in services.yaml',
      'certification iso27001: scopeRegions names "eu-9", which is not a region in disclosures/locations.yaml',
      'certification iso27001: supersedes "iso-old", which is not another certification in this file',
      'certification iso27001: verificationUrl must be an https:// address, not "http://certa.example/verify"',
      'certification iso27001: opinion and complementaryCustomerControls are for reports (kind: report or attestation), not certificates',
    ]) {
      expect(errors).toContain(`disclosures/certifications.yaml:2: error: ${message}`);
    }
  });

  it('refuses an opinion outside the four an auditor gives', () => {
    copy = copyContent();
    copy.edit('disclosures/certifications.yaml', (t) => t.replace('kind: certificate', 'kind: report').replace('issued: -100d', 'opinion: clean, issued: -100d'));
    expect(errorsOf().some((e) => e.startsWith('disclosures/certifications.yaml:2: error: certification "iso27001": "opinion" must be'))).toBe(true);
  });
});
