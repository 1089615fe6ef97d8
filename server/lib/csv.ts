/**
 * Cells a spreadsheet shows as text and never evaluates (formula injection): every CSV and XLSX
 * the portal writes goes through here. A value starting with = + - @, tab or carriage return gets
 * a leading apostrophe.
 */
export function neutralise(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One CSV cell: neutralised, quoted when it needs to be. */
export function csvCell(value: unknown): string {
  const text = neutralise(value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
