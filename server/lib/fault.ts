import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A test-only way to freeze the process at a named point, so a test can kill it there and check
 * that what was half done is not half stored. Active only when NODE_ENV=test sets EVIDENT_FAULT_PAUSE.
 */
let armed: { point: string; dataDir: string } | null = null;

export function armFault(point: string | null, dataDir: string): void {
  armed = point ? { point, dataDir } : null;
}

export async function faultPoint(name: string): Promise<void> {
  if (!armed || armed.point !== name) return;
  mkdirSync(armed.dataDir, { recursive: true });
  writeFileSync(path.join(armed.dataDir, `fault-${name}`), String(process.pid));
  await new Promise(() => {});
}
