import type { FastifyRequest } from 'fastify';
import { readSingleFileUpload } from '../../lib/upload.js';
import type { UploadInput } from './service.js';

/** Reads the multipart upload: one file plus simple fields. */
export async function readUpload(request: FastifyRequest): Promise<UploadInput> {
  const { data, fileName, fields } = await readSingleFileUpload(request, { missing: 'Attach the questionnaire as the "file" field.', defaultName: 'questionnaire' });
  return {
    data,
    fileName,
    name: fields.name,
    service: fields.service || null,
    audience: fields.audience || undefined,
    customer: fields.customer || undefined,
    owner: fields.owner || undefined,
    dueDate: fields.dueDate || undefined,
    layout: {
      questionColumn: fields.questionColumn || undefined,
      includeHidden: fields.includeHidden === 'true' || fields.includeHidden === 'on',
      includeSheets: sheetList(fields.includeSheets),
    },
  };
}

/** Sheet names from a form or API field: one per line or comma-separated, or a list. */
export function sheetList(value: unknown): string[] | undefined {
  const values = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\n,]/) : [];
  const names = values.map((v) => String(v).trim()).filter(Boolean);
  return names.length ? names : undefined;
}
