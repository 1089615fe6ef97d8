/**
 * A test that needs something of the machine (a PostgreSQL server, initdb, root) fails loudly
 * when it is missing, instead of passing by doing nothing. To leave such tests out on purpose,
 * name what is missing in EVIDENT_TEST_SKIP (comma-separated, e.g. "postgres-server,initdb"):
 * they are then reported as skipped.
 */
export function required(what: string, available: boolean, howToGetIt: string): boolean {
  if (available) return true;
  const skipped = (process.env.EVIDENT_TEST_SKIP ?? '').split(',').map((s) => s.trim());
  if (skipped.includes(what)) return false;
  throw new Error(`this test needs ${what}, which is missing: ${howToGetIt} (or set EVIDENT_TEST_SKIP=${what} to skip it on purpose)`);
}
