/** Levels at which a served request is not worth a log line (errors are logged at any level). */
const QUIET = new Set(['silent', 'fatal', 'error', 'warn']);

export function logsRequests(level: string): boolean {
  return !QUIET.has(level);
}
