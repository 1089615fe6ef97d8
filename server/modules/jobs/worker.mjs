// The entry of every worker thread of the pool. Plain JavaScript: the build copies it next to the
// compiled tasks.js, which it then loads directly; beside the TypeScript sources (tests, a
// checkout without a build) it registers tsx first, once, before loading the tasks.
import { existsSync } from 'node:fs';

const compiled = new URL('./tasks.js', import.meta.url);

async function load() {
  if (existsSync(compiled)) return import(compiled.href);
  const { register } = await import('tsx/esm/api');
  register();
  return import('./tasks.ts');
}

const loaded = load();

/** The pool calls this with { name, input }; the answer is the task's { ok, result | error }. */
export default async function run({ name, input }) {
  const { runTask } = await loaded;
  return runTask(name, input);
}
