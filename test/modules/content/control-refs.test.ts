import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlRefResolver } from '../../../server/modules/content/control-refs.js';
import { parseQuestionnaire } from '../../../server/modules/questionnaires/import/parse.js';
import { answerImported, answerOptions } from '../../../server/modules/questionnaires/service.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

const known = ['iso27002:5.15', 'iso27002:8.15', 'iso27002:8.2', 'iso27002:8.16', 'iso27017:CLD.9.5.1'];
const mappings = [
  { from: 'A.9.1.1', to: ['A.5.15'] },
  { from: 'A.12.4.1', to: ['A.8.15'] },
  { from: 'A.12.4.9', to: ['A.8.15', 'A.8.16'] },
  { from: '9.3', to: ['9.3.1'] },
];

describe('control references as people write them', () => {
  const refs = controlRefResolver(known, mappings);

  it("resolves canonical, 2022, 2013, CLD and prefixed forms to today's controls", () => {
    expect(refs.resolve('iso27002:5.15')).toEqual(['iso27002:5.15']);
    expect(refs.resolve('A.5.15')).toEqual(['iso27002:5.15']);
    expect(refs.resolve('5.15')).toEqual(['iso27002:5.15']);
    expect(refs.resolve('A.9.1.1')).toEqual(['iso27002:5.15']);
    expect(refs.resolve('ISO/IEC 27001:2013 A.12.4.1')).toEqual(['iso27002:8.15']);
    expect(refs.resolve('ISO 27001 Annex A.12.4.1')).toEqual(['iso27002:8.15']);
    expect(refs.resolve('A.12.4.9')).toEqual(['iso27002:8.15', 'iso27002:8.16']);
    expect(refs.resolve('cld.9.5.1')).toEqual(['iso27017:CLD.9.5.1']);
    expect(refs.resolve('iso27017:CLD.9.5.1')).toEqual(['iso27017:CLD.9.5.1']);
  });

  it('names nothing for management-system clauses, unknown numbers and prose', () => {
    expect(refs.resolve('9.3')).toEqual([]);
    expect(refs.resolve('A.99.1')).toEqual([]);
    expect(refs.resolve('A.1.2.3')).toEqual([]);
    expect(refs.resolve('encryption')).toEqual([]);
  });

  it('never reads an ISO/IEC 27001 clause number as a 27002 control', () => {
    const withClauses = controlRefResolver([...known, 'iso27002:7.2', 'iso27002:9.3'], mappings);
    // 27001 clause 7.2 is competence; 27002 control 7.2 is physical entry.
    expect(withClauses.resolve('27001 7.2')).toEqual([]);
    expect(withClauses.resolve('ISO 27001 7.2')).toEqual([]);
    expect(withClauses.resolve('ISO/IEC 27001:2022 clause 9.3')).toEqual([]);
    expect(withClauses.resolve('iso27001:7.2')).toEqual([]);
    // The same numbers written as controls still resolve.
    expect(withClauses.resolve('A.7.2')).toEqual(['iso27002:7.2']);
    expect(withClauses.resolve('ISO 27001 A.7.2')).toEqual(['iso27002:7.2']);
    expect(withClauses.resolve('27002 7.2')).toEqual(['iso27002:7.2']);
    // 5.15 is no clause of 27001, so "27001 5.15" can only mean the Annex A control.
    expect(withClauses.resolve('27001 5.15')).toEqual(['iso27002:5.15']);
  });

  it('finds Annex A and CLD references inside a question, not bare section numbers', () => {
    expect(refs.refsIn('Per A.12.4.1 and CLD.9.5.1, are logs kept? (see section 5.15)')).toEqual(['iso27002:8.15', 'iso27017:CLD.9.5.1']);
    expect(refs.refsIn('Question 5.15: do you log?')).toEqual([]);
  });
});

describe('on the demo provider', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it("the API answers an ISO/IEC 27001:2013 number with today's control and says what it resolved", async () => {
    const res = await request(t.app.server).get('/api/v1/controls/A.12.4.1').expect(200);
    expect(res.body.control.id).toBe('iso27002:8.15');
    expect(res.body.resolvedFrom).toBe('A.12.4.1');
    const direct = await request(t.app.server).get('/api/v1/controls/iso27002:8.15').expect(200);
    expect(direct.body).not.toHaveProperty('resolvedFrom');
    expect((await request(t.app.server).get('/api/v1/controls/A.99.9.9').expect(404)).body.error.message).toMatch(/A\.12\.4\.1 work too/);
  });

  it('maps the 2013 information-transfer and technical-compliance controls as corrected', async () => {
    const transfer = await request(t.app.server).get('/api/v1/controls/A.13.2.1').expect(200);
    expect(transfer.body.control.id).toBe('iso27002:5.14');
    await request(t.app.server).get('/api/v1/controls/27001%207.2').expect(404);
    const engine = await t.app.engine.get();
    const options = answerOptions(t.config, t.clock, 'nda', null);
    const named = engine.answer({ id: 'q', sheet: null, row: null, question: 'Is the review of technical compliance documented? (ISO 27001 A.18.2.3)' }, options);
    expect(named.controls.slice(0, 2).sort()).toEqual(['iso27002:5.36', 'iso27002:8.8']);
  });

  it('the control page names a subservice organisation where colocation operators run the physical control', async () => {
    const page = await request(t.app.server).get('/controls/iso27002%3A7.4').expect(200);
    expect(page.text).toContain('<span class="party party-third-party">subservice organisation</span>');
    const entry = await request(t.app.server).get('/controls/iso27002%3A7.2').expect(200);
    expect(entry.text).toContain('provider and subservice organisation');
  });

  it('the control page redirects an old number to the current control', async () => {
    const res = await request(t.app.server).get('/controls/A.9.2.3').expect(301);
    expect(res.headers.location).toBe('/controls/iso27002%3A8.2');
    await request(t.app.server).get('/controls/A.99.9.9').expect(404);
  });

  it('the engine puts a control the question names first', async () => {
    const engine = await t.app.engine.get();
    const options = answerOptions(t.config, t.clock, 'nda', null);
    const ask = (question: string) => engine.answer({ id: 'q', sheet: null, row: null, question }, options);
    // Vague words alone point anywhere; the number the customer wrote says which control they mean.
    // Generic words alone name no subject: nothing is claimed for them.
    expect(ask('Is there a documented process?')).toMatchObject({ status: 'unanswered', answer: null, controls: [] });
    const named = ask('Is there a documented process? (ISO 27001 A.12.6.1)');
    expect(named.controls[0]).toBe('iso27002:8.8');
    expect(named.citations.find((c) => c.kind === 'answer')).toBeTruthy();
  });

  it('reads control numbers from a mapping column beside the question', async () => {
    const csv = 'ID,ISO 27001 (2013),Question,Answer,Comment\r\nQ1,A.12.6.1,Is there a documented process?,,\r\nQ2,,Is there a documented process?,,\r\n';
    const imported = parseQuestionnaire(Buffer.from(csv), 'vendor.csv');
    expect(imported.questions.map((q) => q.refs)).toEqual([['A.12.6.1'], []]);
    const output = answerImported(await t.app.engine.get(), imported, answerOptions(t.config, t.clock, 'nda', null));
    expect(output.questions[0].controls[0]).toBe('iso27002:8.8');
    expect(output.questions[1].controls[0]).not.toBe('iso27002:8.8');
  });
});
