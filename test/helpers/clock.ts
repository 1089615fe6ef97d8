import type { Clock } from '../../server/clock.js';

/** A clock tests can move forward, to cross expiry boundaries. */
export interface AdjustableClock extends Clock {
  set(at: string | Date): void;
  advance(ms: number): void;
}

export function adjustableClock(start: string | Date): AdjustableClock {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}
