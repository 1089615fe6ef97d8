// Parses one questionnaire in a worker thread, so a hostile file cannot hang or exhaust the server.
// Plain JavaScript: a worker starts without the parent's TypeScript loader, so it registers its own.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { parseQuestionnaire, previewWorkbook } = await import('./parse.ts');
try {
  const result = workerData.mode === 'preview'
    ? previewWorkbook(workerData.data, workerData.fileName)
    : parseQuestionnaire(workerData.data, workerData.fileName, workerData.options);
  parentPort.postMessage({ ok: true, result });
} catch (error) {
  parentPort.postMessage({
    ok: false,
    error: { message: error?.message ?? String(error), statusCode: error?.statusCode ?? 500, expected: error?.code === 'unreadable_questionnaire' },
  });
}
