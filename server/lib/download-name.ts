import { create as contentDisposition } from 'content-disposition';

const MAX_PART = 80;
const MAX_NAME = 180;

/**
 * One part of a file name as people wrote it, made safe to save: no path separators, quotes,
 * control or reserved characters (a company called `A/B "C"` must not pick a folder or end the
 * header), spaces collapsed, each part capped so a long title cannot push out the rest.
 */
export function sanitiseNamePart(value: string): string {
  const cleaned = value
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, ' ')
    .replace(/[\\/:*?"<>|`]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+|[.\s]+$/g, '');
  return cleaned.length > MAX_PART ? `${cleaned.slice(0, MAX_PART - 1).trimEnd()}…` : cleaned;
}

/** `<Provider> – <Title>[ – <Company>].pdf`: the name a reviewer files the download under. */
export function downloadName(parts: (string | null | undefined)[], extension: string): string {
  const ext = `.${extension.replace(/^\.+/, '').replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'bin'}`;
  const base = parts.map((p) => sanitiseNamePart(p ?? '')).filter(Boolean).join(' – ') || 'document';
  return `${base.length > MAX_NAME ? base.slice(0, MAX_NAME).trimEnd() : base}${ext}`;
}

/** The same name in plain ASCII for clients that ignore `filename*`: accents dropped, the dash a hyphen. */
function asciiFallback(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/…/g, '...')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/[\\"%]/g, '_');
}

/** `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>` (RFC 6266), with the ASCII name alone when they agree. */
export function attachmentHeader(name: string): string {
  const fallback = asciiFallback(name);
  return contentDisposition(name, { type: 'attachment', fallback: fallback === name ? true : fallback });
}
