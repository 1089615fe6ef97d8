import { ImportError } from './errors.js';
import type { GridCell, Workbook } from './grid.js';
import { decodeText } from './csv.js';

/**
 * A list of questions as JSON: ["…", …] or [{ "id", "question" }, …] (or { "questions": [...] }).
 * It becomes a two-column sheet, so everything downstream treats it like a CSV.
 */
export function readJson(data: Uint8Array, maxRows = 20_000): Workbook {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeText(data));
  } catch (error) {
    throw new ImportError(`The JSON is not valid: ${(error as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { questions?: unknown })?.questions;
  if (!Array.isArray(list)) throw new ImportError('The JSON must be a list of questions, or an object with a "questions" list.');
  if (list.length > maxRows) throw new ImportError(`The file has more than ${maxRows} questions.`, 413);
  const rows = new Map<number, Map<number, GridCell>>();
  rows.set(1, new Map([[1, { value: 'ID', bold: true }], [2, { value: 'Question', bold: true }]]));
  list.forEach((item, i) => {
    const question = typeof item === 'string' ? item : typeof item === 'object' && item ? String((item as Record<string, unknown>).question ?? (item as Record<string, unknown>).text ?? '') : '';
    const id = typeof item === 'object' && item && (item as Record<string, unknown>).id !== undefined ? String((item as Record<string, unknown>).id) : '';
    if (!question.trim()) throw new ImportError(`Item ${i + 1} of the JSON has no question text.`);
    const row = new Map<number, GridCell>([[2, { value: question.trim(), bold: false }]]);
    if (id) row.set(1, { value: id, bold: false });
    rows.set(i + 2, row);
  });
  return { format: 'json', sheets: [{ name: 'JSON', hidden: false, rows, merges: [], validations: [] }] };
}
