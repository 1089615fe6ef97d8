import type { FastifyRequest } from 'fastify';
import { PayloadTooLargeError, ValidationError } from '../errors.js';

export interface SingleFileUpload {
  fileName: string;
  data: Buffer;
  fields: Record<string, string>;
}

/**
 * Reads a multipart form with one file in the field "file" plus simple fields; other file
 * parts are drained unread. Over the size limit is a 413 whichever way the parser notices it.
 */
export async function readSingleFileUpload(request: FastifyRequest, what: { missing: string; defaultName: string }): Promise<SingleFileUpload> {
  const fields: Record<string, string> = {};
  let file: { fileName: string; data: Buffer } | null = null;
  const tooLarge = () => new PayloadTooLargeError(`The file is larger than the ${Math.round(request.server.config.uploadLimitBytes / 1024 / 1024)} MB limit.`);
  try {
    // The CSRF check may have read the first part (the token) already; the rest is ours.
    for await (const part of request.formParts ?? request.parts()) {
      if (part.type !== 'file') {
        fields[part.fieldname] = String(part.value ?? '');
        continue;
      }
      if (part.fieldname !== 'file' || file) {
        part.file.resume();
        continue;
      }
      const data = await part.toBuffer();
      if (part.file.truncated) throw tooLarge();
      file = { fileName: part.filename || what.defaultName, data };
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    throw error;
  }
  if (!file) throw new ValidationError(what.missing);
  return { ...file, fields };
}
