import type { FastifyInstance } from 'fastify';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A request that sends no body, or the JSON value null, reads as an empty form: a route's body
 * schema then names the field that is missing (400) instead of the request failing on "body
 * must be object", and a route that reads an optional field never meets null (500).
 * Multipart bodies are streamed by their routes and left alone.
 */
export function registerInputNormalising(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (!WITH_BODY.has(request.method) || (request.body !== undefined && request.body !== null)) return;
    if ((request.headers['content-type'] ?? '').startsWith('multipart/form-data')) return;
    request.body = {};
  });
}

/** A string field of a form or JSON body, at most `max` characters. */
export const text = (max = 10_000) => ({ type: 'string', maxLength: max }) as const;

/** A form field that may repeat (checkboxes): one value or several. */
export const textList = (max = 200) => ({ anyOf: [{ type: 'string', maxLength: max }, { type: 'array', maxItems: 100, items: { type: 'string', maxLength: max } }] }) as const;

/** A body schema: an object with these properties, others (the CSRF field) allowed. */
export function bodyOf(properties: Record<string, object>, required: string[] = []) {
  return { type: 'object', properties, required, additionalProperties: true } as const;
}
