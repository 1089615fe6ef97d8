// The entry of every worker thread of the pool. Plain JavaScript: a worker starts without the
// parent's TypeScript loader, so it registers its own, once, before loading the tasks.
import { register } from 'tsx/esm/api';

register();
const loaded = import('./tasks.ts');

/** The pool calls this with { name, input }; the answer is the task's { ok, result | error }. */
export default async function run({ name, input }) {
  const { runTask } = await loaded;
  return runTask(name, input);
}
