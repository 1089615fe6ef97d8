import { addDays } from '../../clock.js';

const relative = /^([+-])(\d{1,5})d$/;
const absolute = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Content dates are absolute (2026-03-31) or relative to the sync day (-45d, +365d), so a demo
 * stays current whenever it runs. Returns YYYY-MM-DD, or null when the value is neither.
 */
export function resolveContentDate(value: unknown, syncDay: string): string | null {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const rel = relative.exec(text);
  if (rel) return addDays(syncDay, (rel[1] === '-' ? -1 : 1) * Number(rel[2]));
  // Round-trip through Date so impossible days (2026-02-30) are refused rather than rolled over.
  if (absolute.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)) return text;
  return null;
}
