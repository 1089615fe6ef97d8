import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ItemSpec } from '../schema.js';
import type { Problem } from '../types.js';
import { validateItem, YamlFile } from '../yaml-file.js';

type YamlPath = (string | number)[];

/** A validated list entry and where it stands in its file. */
export interface CheckedItem {
  item: Record<string, unknown>;
  path: YamlPath;
}

/**
 * What every reader of one content kind needs: the content root, the sync day that dates resolve
 * against, and the one problems list they all report into (its order is the order of the reads).
 */
export interface LoadContext {
  root: string;
  syncDay: string;
  problems: Problem[];
  /** Parses one file (an absolute path); syntax errors become problems. */
  read(absolute: string): YamlFile;
  /** A file that should exist: a missing one is a warning and null, so the rest still loads. */
  optionalFile(relative: string): YamlFile | null;
  /** The YAML files of a folder under the root, sorted so the load order does not depend on the file system. */
  yamlFilesIn(relativeDir: string): string[];
  /** The valid entries of the list at `key`; an invalid entry is reported and left out. */
  items(file: YamlFile, key: string | null, spec: ItemSpec, what: string, strict?: boolean): CheckedItem[];
}

export function createLoadContext(root: string, syncDay: string): LoadContext {
  const problems: Problem[] = [];
  const read = (absolute: string) => YamlFile.read(root, absolute, problems);
  return {
    root,
    syncDay,
    problems,
    read,
    optionalFile(relative) {
      const absolute = path.join(root, relative);
      if (existsSync(absolute)) return read(absolute);
      problems.push({ level: 'warning', file: relative, line: 1, message: 'file is missing' });
      return null;
    },
    yamlFilesIn(relativeDir) {
      const dir = path.join(root, relativeDir);
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join(dir, f));
    },
    items(file, key, spec, what, strict = true) {
      return file
        .list(key, problems)
        .map(({ value, path: p }) => ({ item: validateItem(file, p, value, spec, syncDay, problems, what, strict), path: p }))
        .filter((x): x is CheckedItem => x.item !== null);
    },
  };
}
