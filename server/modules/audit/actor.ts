import type { FastifyRequest } from 'fastify';
import type { ActorKind } from './tables.js';

/** Who did something, as the audit log records it. */
export interface Actor {
  actor: string;
  actorKind: ActorKind;
  ip?: string | null;
}

/** Who is making the request, as the audit log records it. */
export function actorOf(request: FastifyRequest): Actor {
  const principal = request.staff;
  if (!principal) return { actor: 'anonymous', actorKind: 'public', ip: request.ip };
  return { actor: principal.user.email, actorKind: principal.via === 'token' ? 'token' : 'user', ip: request.ip };
}
