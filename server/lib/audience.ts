import type { FastifyRequest } from 'fastify';
import type { AccessLevel } from '../modules/content/tables.js';

/** Staff fully signed in (and meeting the MFA policy) read everything; everyone else what is public. */
export function audienceOf(request: FastifyRequest): AccessLevel {
  return request.staffReader ? 'internal' : 'public';
}

export function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
