import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { AccessRules, NdaDocument } from '../types.js';
import type { LoadContext } from './context.js';

/** nda/nda.md: Markdown with a front matter that gives its version; the text is hashed so a signature names what was signed. */
export function readNda(ctx: LoadContext): NdaDocument | null {
  const file = 'nda/nda.md';
  const absolute = path.join(ctx.root, file);
  if (!existsSync(absolute)) {
    ctx.problems.push({ level: 'warning', file, line: 1, message: 'file is missing' });
    return null;
  }
  const raw = readFileSync(absolute, 'utf8');
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(raw);
  const front = match ? parseFrontMatter(match[1]) : null;
  if (!match || !front || (typeof front.version !== 'string' && typeof front.version !== 'number')) {
    ctx.problems.push({ level: 'error', file, line: 1, message: 'the NDA needs front matter with a "version" (--- version: "2026-01" ---)' });
    return null;
  }
  const text = match[2].trim() + '\n';
  return {
    version: String(front.version),
    title: typeof front.title === 'string' ? front.title : 'Non-disclosure agreement',
    text,
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}

/** Bad YAML in the front matter is reported as a missing version, like no front matter at all. */
function parseFrontMatter(text: string): Record<string, unknown> | null {
  try {
    return parseYaml(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** access-rules.yaml: which requests are approved or denied on their own, and how long a grant lasts. */
export function readAccessRules(ctx: LoadContext): AccessRules | null {
  const file = ctx.optionalFile('access-rules.yaml');
  if (!file?.data) return null;
  const data = file.data as Record<string, any>;
  const domains = (v: unknown) => (Array.isArray(v) ? v.map((d) => String(d).toLowerCase().trim()) : []);
  const rules: AccessRules = {
    autoApprove: { domains: domains(data?.autoApprove?.domains) },
    autoDeny: { domains: domains(data?.autoDeny?.domains), reason: String(data?.autoDeny?.reason ?? 'This request cannot be approved.') },
    defaultExpiryDays: Number(data?.defaultExpiryDays ?? 30),
    maxExpiryDays: Number(data?.maxExpiryDays ?? 365),
  };
  if (!(rules.defaultExpiryDays > 0 && rules.defaultExpiryDays <= rules.maxExpiryDays && rules.maxExpiryDays <= 3650)) {
    ctx.problems.push({ level: 'error', ...file.at(['defaultExpiryDays']), message: 'defaultExpiryDays must be positive and not above maxExpiryDays' });
    return null;
  }
  return rules;
}
