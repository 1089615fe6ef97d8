import { describe, expect, it } from 'vitest';
import { cellWrites, type ExportItem } from '../../../server/modules/questionnaires/export/export.js';

const base: ExportItem = {
  id: 'Q-1',
  sheet: 'Security',
  sheetPart: 'xl/worksheets/sheet1.xml',
  row: 5,
  question: 'Do you patch operating systems?',
  answerCell: 'C5',
  commentCell: 'D5',
  vocabulary: ['Y', 'N', 'N/A'],
  kind: 'yes-no',
  answerYesNo: true,
  answer: 'Yes',
  text: 'Hosts are patched within 14 days.',
  citations: [],
  status: 'answered',
  ownership: 'customer',
  ownershipCell: 'E5',
  ownershipVocabulary: ['CSP-owned', 'CSC-owned'],
  customerDuty: 'Patch your guest operating system.',
  customerDutyCell: 'F5',
};
const cells = (item: ExportItem) => Object.fromEntries(cellWrites(item).map((w) => [w.ref, w.value]));

describe('the cells one row fills', () => {
  it('a yes/no row: the answer in the list\'s words, the explanation, the owner and the customer\'s duties', () => {
    expect(cells(base)).toEqual({ C5: 'Y', D5: 'Hosts are patched within 14 days.', E5: 'CSC-owned', F5: 'Patch your guest operating system.' });
  });

  it('a yes/no row a reviewer explained without choosing Yes or No keeps its explanation, with an empty answer cell', () => {
    expect(cells({ ...base, answer: null })).toEqual({ D5: 'Hosts are patched within 14 days.', E5: 'CSC-owned', F5: 'Patch your guest operating system.' });
  });

  it('a row that goes out blank carries no owner and no duties', () => {
    expect(cells({ ...base, answer: null, text: null })).toEqual({});
  });
});
