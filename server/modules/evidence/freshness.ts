import { daysBetween } from '../../clock.js';

export type Freshness = 'current' | 'expiring' | 'stale';

/** Computed from the review-by date against today; never stored, so it is never stale itself. */
export function freshnessOf(reviewBy: string, today: string, expiringWithinDays: number): Freshness {
  const left = daysBetween(today, reviewBy);
  if (left < 0) return 'stale';
  return left <= expiringWithinDays ? 'expiring' : 'current';
}
