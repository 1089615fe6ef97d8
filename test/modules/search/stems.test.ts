import { describe, expect, it } from 'vitest';
import { buildSearchIndex, meaningfulTerms } from '../../../server/modules/search/index.js';

describe('stems', () => {
  it('keep words of different meaning apart where Porter folds them together', () => {
    expect(meaningfulTerms('authorized')).toEqual(meaningfulTerms('authorised'));
    expect(meaningfulTerms('authorization')).toEqual(meaningfulTerms('authorized'));
    expect(meaningfulTerms('authorities')).toEqual(meaningfulTerms('authority'));
    expect(meaningfulTerms('authorized')).not.toEqual(meaningfulTerms('authorities'));
    expect(meaningfulTerms('governance')).not.toEqual(meaningfulTerms('government'));
    expect(meaningfulTerms('officers')).toEqual(meaningfulTerms('officer'));
    expect(meaningfulTerms('officer')).not.toEqual(meaningfulTerms('office'));
    expect(meaningfulTerms('utilized')).toEqual(meaningfulTerms('utilise'));
    expect(meaningfulTerms('utilize')).not.toEqual(meaningfulTerms('utilities'));
    expect(meaningfulTerms('utility')).toEqual(meaningfulTerms('utilities'));
    expect(meaningfulTerms('offices')).toEqual(meaningfulTerms('office'));
    expect(meaningfulTerms('integrated')).toEqual(meaningfulTerms('integration'));
    expect(meaningfulTerms('integrated')).not.toEqual(meaningfulTerms('integrity'));
    expect(meaningfulTerms('containers')).toEqual(meaningfulTerms('container'));
    expect(meaningfulTerms('container')).not.toEqual(meaningfulTerms('containment'));
    expect(meaningfulTerms('on-premises')).toEqual(meaningfulTerms('on premise'));
    expect(meaningfulTerms('on-premises')).not.toContain(meaningfulTerms('off-premises').at(-1));
  });

  it('fold British and American spellings into one stem, and leave words that only end like them', () => {
    for (const [british, american] of [['unauthorised', 'unauthorized'], ['analyse', 'analyze'], ['analysed', 'analyzing'], ['minimise', 'minimize'], ['categorisation', 'categorization'], ['behaviour', 'behavior'], ['licence', 'license'], ['defence', 'defense'], ['catalogue', 'catalog']]) {
      expect(meaningfulTerms(british)).toEqual(meaningfulTerms(american));
    }
    for (const word of ['exercise', 'premises', 'compromised', 'advise', 'otherwise', 'precise', 'enterprise', 'analysis']) expect(meaningfulTerms(word)[0]).not.toMatch(/iz|yz/);
  });

  it('finds an answer written in the other spelling', () => {
    const index = buildSearchIndex(
      [
        { id: 'consoles', fields: { text: 'Unattended consoles lock to stop unauthorised use.' } },
        { id: 'logs', fields: { text: 'Logs are kept for a year.' } },
      ],
      { text: 1 },
    );
    expect(index.search('Is unauthorized use of unattended consoles prevented?').map((h) => h.id)).toEqual(['consoles']);
    expect(index.search('unauthorized').map((h) => h.id)).toEqual(['consoles']);
  });

  it('an answer about authorities is not found for a question about authorization', () => {
    const index = buildSearchIndex(
      [
        { id: 'authorities', fields: { text: 'We notify the supervisory authorities of a breach.' } },
        { id: 'access', fields: { text: 'Access is authorised by the system owner.' } },
      ],
      { text: 1 },
    );
    expect(index.search('Is network traffic restricted to what is authorized?').map((h) => h.id)).toEqual(['access']);
    expect(index.search('Which authority do you notify?').map((h) => h.id)).toEqual(['authorities']);
  });
});
