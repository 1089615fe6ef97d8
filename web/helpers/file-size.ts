/** 1536 → "1.5 KB": the size a reader weighs before downloading (1 KB = 1024 bytes, as file managers show). */
export function fileSize(value: unknown): string {
  const bytes = Number(value);
  if (value === null || value === undefined || !Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let size = bytes / 1024;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${size < 10 ? size.toFixed(1).replace(/\.0$/, '') : Math.round(size)} ${units[unit]}`;
}
