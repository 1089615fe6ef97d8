/**
 * Text a spreadsheet will show, never evaluate: a value starting with = + - @, tab or carriage
 * return gets a leading apostrophe (formula injection).
 */
export function neutralise(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
