import ExcelJS from 'exceljs';

/** Topics a generic security questionnaire asks about: [section, what is done, what it is called]. */
const TOPICS: [string, string, string][] = [
  ['Governance', 'maintain an information security policy approved by management', 'the information security policy'],
  ['Governance', 'assign named owners to information security responsibilities', 'security roles and responsibilities'],
  ['Governance', 'run a formal risk assessment of your services', 'the risk assessment process'],
  ['Governance', 'hold an independent certification of your security management system', 'the security certification programme'],
  ['Governance', 'keep an inventory of information assets with owners', 'the asset inventory'],
  ['Identity and access', 'require multi-factor authentication for administrators', 'multi-factor authentication for privileged users'],
  ['Identity and access', 'review user access rights on a regular schedule', 'user access reviews'],
  ['Identity and access', 'remove access promptly when staff leave', 'leaver access removal'],
  ['Identity and access', 'enforce a password policy for staff accounts', 'the password policy'],
  ['Identity and access', 'restrict privileged access to production systems', 'privileged access management'],
  ['Cryptography', 'encrypt customer data at rest', 'encryption of stored data'],
  ['Cryptography', 'encrypt data in transit over public networks with TLS', 'encryption of data in transit'],
  ['Cryptography', 'manage encryption keys in a dedicated key management service', 'key management'],
  ['Cryptography', 'rotate encryption keys on a defined schedule', 'key rotation'],
  ['Cryptography', 'allow customers to bring their own encryption keys', 'customer-managed keys'],
  ['Operations', 'patch operating systems within a defined time frame', 'operating system patching'],
  ['Operations', 'protect servers against malware', 'malware protection'],
  ['Operations', 'collect and retain security logs centrally', 'security logging'],
  ['Operations', 'monitor systems for security events around the clock', 'security monitoring'],
  ['Operations', 'manage changes to production through an approval process', 'change management'],
  ['Network security', 'segregate customer networks from each other', 'network segregation'],
  ['Network security', 'protect your services against denial-of-service attacks', 'denial-of-service protection'],
  ['Network security', 'filter traffic with firewalls at the network edge', 'firewall management'],
  ['Network security', 'scan your infrastructure for vulnerabilities', 'vulnerability scanning'],
  ['Network security', 'commission independent penetration tests', 'penetration testing'],
  ['Secure development', 'follow a secure development lifecycle', 'the secure development lifecycle'],
  ['Secure development', 'review code changes before they are deployed', 'code review'],
  ['Secure development', 'scan dependencies for known vulnerabilities', 'dependency scanning'],
  ['Secure development', 'keep test data separate from production data', 'test data management'],
  ['Secure development', 'protect source code from unauthorised access', 'source code protection'],
  ['Incident management', 'maintain a documented incident response plan', 'the incident response plan'],
  ['Incident management', 'notify customers of security incidents that affect them', 'customer incident notification'],
  ['Incident management', 'test your incident response plan with exercises', 'incident response exercises'],
  ['Incident management', 'keep records of security incidents and lessons learned', 'incident records'],
  ['Incident management', 'collect forensic evidence after an incident', 'forensic evidence handling'],
  ['Business continuity', 'back up customer data every day', 'data backups'],
  ['Business continuity', 'test restoring data from backups', 'backup restore testing'],
  ['Business continuity', 'maintain a business continuity plan', 'the business continuity plan'],
  ['Business continuity', 'run services across several availability zones', 'service redundancy'],
  ['Business continuity', 'define recovery time and recovery point objectives', 'recovery objectives'],
  ['Suppliers', 'assess the security of your suppliers before using them', 'supplier security assessment'],
  ['Suppliers', 'publish a list of subprocessors that handle customer data', 'the subprocessor list'],
  ['Suppliers', 'include security requirements in supplier contracts', 'supplier contract requirements'],
  ['Suppliers', 'monitor supplier performance against security commitments', 'supplier monitoring'],
  ['Suppliers', 'use colocation data centres operated by third parties', 'third-party data centres'],
  ['Privacy', 'process personal data only on customer instructions', 'personal data processing'],
  ['Privacy', 'tell customers where their data is stored', 'data location'],
  ['Privacy', 'delete customer data when a contract ends', 'data deletion at contract end'],
  ['Privacy', 'screen employees before they join', 'background screening'],
  ['Privacy', 'train staff on security and privacy every year', 'security awareness training'],
];

/** Six ways a questionnaire asks about one topic: four yes/no questions and two open ones. */
const FORMS: ((verb: string, noun: string) => string)[] = [
  (verb) => `Do you ${verb}?`,
  (_verb, noun) => `Is ${noun} documented and approved?`,
  (verb) => `Describe how you ${verb}.`,
  (_verb, noun) => `Is ${noun} reviewed at least once a year?`,
  (_verb, noun) => `Which tools or services support ${noun}?`,
  (_verb, noun) => `Are the staff involved trained on ${noun}?`,
];

export const SECTIONS = [...new Set(TOPICS.map(([section]) => section))];
export const QUESTION_COUNT = TOPICS.length * FORMS.length;

/**
 * A 300-question vendor assessment: a reference, a domain column giving each row's section, the
 * question, a Yes/No/N/A response list and a free-text comment column. Rows run section by section.
 */
export async function buildReviewWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Assessment');
  sheet.getRow(1).values = ['Ref', 'Domain', 'Question', 'Response', 'Comments'];
  sheet.getRow(1).font = { bold: true };
  let r = 2;
  TOPICS.forEach(([section, verb, noun], t) => {
    FORMS.forEach((form, f) => {
      sheet.getRow(r).values = [`SQ-${String(t * FORMS.length + f + 1).padStart(3, '0')}`, section, form(verb, noun)];
      sheet.getCell(`D${r}`).dataValidation = { type: 'list', allowBlank: true, formulae: ['"Yes,No,N/A"'] };
      r++;
    });
  });
  sheet.getColumn(3).width = 70;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
