/** Serialises a value for a data attribute; Handlebars escapes the result. */
export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}
