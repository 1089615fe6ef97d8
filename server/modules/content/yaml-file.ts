import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, type Document, type Node } from 'yaml';
import { resolveContentDate } from './dates.js';
import type { FieldSpec, ItemSpec } from './schema.js';
import type { Location, Problem } from './types.js';

type YamlPath = (string | number)[];

/** One parsed content file, able to say on which line any value stands. */
export class YamlFile {
  readonly data: unknown;
  private constructor(
    readonly file: string,
    private readonly doc: Document | null,
    private readonly lines: LineCounter,
  ) {
    this.data = doc ? doc.toJS({ maxAliasCount: 50 }) : undefined;
  }

  /** Parses a file; syntax errors become problems with their line, and data is undefined. */
  static read(root: string, absolute: string, problems: Problem[]): YamlFile {
    const file = path.relative(root, absolute);
    const lines = new LineCounter();
    const text = readFileSync(absolute, 'utf8');
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const line = error.linePos?.[0]?.line ?? lines.linePos(error.pos[0]).line;
        problems.push({ level: 'error', file, line, message: `YAML syntax: ${error.message.split('\n')[0]}` });
      }
      return new YamlFile(file, null, lines);
    }
    // Some documents parse but cannot become data (an alias to a missing anchor, alias bombs).
    try {
      doc.toJS({ maxAliasCount: 50 });
    } catch (error) {
      problems.push({ level: 'error', file, line: 1, message: `YAML: ${(error as Error).message.split('\n')[0]}` });
      return new YamlFile(file, null, lines);
    }
    return new YamlFile(file, doc, lines);
  }

  at(pathInFile: YamlPath): Location {
    let node: unknown = null;
    for (let depth = pathInFile.length; depth >= 0 && !node; depth--) {
      node = depth === 0 ? this.doc?.contents : this.doc?.getIn(pathInFile.slice(0, depth), true);
    }
    const range = (node as Node | null)?.range;
    return { file: this.file, line: range ? this.lines.linePos(range[0]).line : 1 };
  }

  /** The list at `key` of the top-level map (or the top level itself when key is null). */
  list(key: string | null, problems: Problem[], required = true): { value: Record<string, unknown>; path: YamlPath }[] {
    if (this.data === undefined) return [];
    const base: YamlPath = key === null ? [] : [key];
    const value = key === null ? this.data : (this.data as Record<string, unknown> | null)?.[key];
    if (value === undefined || value === null) {
      if (required) problems.push({ level: 'error', ...this.at(base), message: `missing list "${key ?? '(top level)'}"` });
      return [];
    }
    if (!Array.isArray(value)) {
      problems.push({ level: 'error', ...this.at(base), message: `"${key ?? '(top level)'}" must be a list` });
      return [];
    }
    const items: { value: Record<string, unknown>; path: YamlPath }[] = [];
    value.forEach((item, i) => {
      if (item && typeof item === 'object' && !Array.isArray(item)) items.push({ value: item as Record<string, unknown>, path: [...base, i] });
      else problems.push({ level: 'error', ...this.at([...base, i]), message: 'each entry must be a map of fields' });
    });
    return items;
  }

  isMapAt(pathInFile: YamlPath): boolean {
    const node = pathInFile.length ? this.doc?.getIn(pathInFile, true) : this.doc?.contents;
    return isMap(node);
  }

  isSeqAt(pathInFile: YamlPath): boolean {
    return isSeq(this.doc?.getIn(pathInFile, true));
  }
}

function typeName(type: FieldSpec['type']): string {
  return typeof type === 'string' ? type.replace('[]', ' list') : `one of ${type.enum.join(', ')}`;
}

function checkField(value: unknown, spec: FieldSpec, syncDay: string): { ok: boolean; value: unknown } {
  const type = spec.type;
  if (typeof type === 'object') return { ok: typeof value === 'string' && type.enum.includes(value), value };
  switch (type) {
    case 'string':
      if (typeof value === 'number') return { ok: true, value: String(value) };
      return { ok: typeof value === 'string' && value.trim() !== '', value: typeof value === 'string' ? value.trim() : value };
    case 'date': {
      const date = resolveContentDate(value, syncDay);
      return { ok: date !== null, value: date };
    }
    case 'number':
      return { ok: typeof value === 'number' && Number.isFinite(value), value };
    case 'boolean':
      return { ok: typeof value === 'boolean', value };
    case 'string[]':
      return {
        ok: Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number'),
        value: Array.isArray(value) ? value.map((v) => String(v).trim()) : value,
      };
    case 'object':
      return { ok: !!value && typeof value === 'object' && !Array.isArray(value), value };
    case 'object[]':
      return { ok: Array.isArray(value) && value.every((v) => v && typeof v === 'object'), value };
  }
}

/**
 * Checks one item against its spec. Returns the item with dates resolved and strings trimmed,
 * or null when a required field is missing or malformed (each reported with its line).
 */
export function validateItem(
  file: YamlFile,
  itemPath: YamlPath,
  item: Record<string, unknown>,
  spec: ItemSpec,
  syncDay: string,
  problems: Problem[],
  what: string,
  strictFields = true,
): Record<string, unknown> | null {
  let valid = true;
  const out: Record<string, unknown> = { ...item };
  const label = typeof item.id === 'string' ? `${what} "${item.id}"` : what;
  for (const [name, fieldSpec] of Object.entries(spec)) {
    const value = item[name];
    if (value === undefined || value === null || value === '') {
      if (fieldSpec.required) {
        problems.push({ level: 'error', ...file.at(itemPath), message: `${label}: missing required field "${name}"` });
        valid = false;
      }
      continue;
    }
    const checked = checkField(value, fieldSpec, syncDay);
    if (!checked.ok) {
      problems.push({
        level: 'error',
        ...file.at([...itemPath, name]),
        message: `${label}: "${name}" must be ${fieldSpec.type === 'date' ? 'a date (YYYY-MM-DD or relative like -45d)' : typeName(fieldSpec.type)}`,
      });
      valid = false;
    } else out[name] = checked.value;
  }
  for (const name of strictFields ? Object.keys(item) : []) {
    if (!(name in spec) && !name.startsWith('x-')) {
      problems.push({ level: 'warning', ...file.at([...itemPath, name]), message: `${label}: unknown field "${name}" is ignored` });
    }
  }
  return valid ? out : null;
}
