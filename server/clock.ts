/** The one source of "now": freshness, expiry and "today" are computed against it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: string | Date): Clock {
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime())) throw new Error(`invalid fixed clock time: ${String(at)}`);
  return { now: () => new Date(instant) };
}

/** The UTC calendar day of the clock, as YYYY-MM-DD. */
export function today(clock: Clock): string {
  return clock.now().toISOString().slice(0, 10);
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
