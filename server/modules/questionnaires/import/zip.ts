import { unzipSync, type Unzipped } from 'fflate';
import { ImportError } from './errors.js';

export interface ZipLimits {
  maxEntries: number;
  /** Bytes the inflated parts may add up to; parts not asked for are never inflated and do not count. */
  maxTotalBytes: number;
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 5_000, maxTotalBytes: 200 * 1024 * 1024, maxRatio: 200 };

/**
 * Unzips an OOXML package, refusing zip bombs before inflating: too many entries, too much
 * declared content, or an implausible compression ratio. Only the parts `wanted` accepts are
 * inflated, and only they count against the limits: a huge part nobody reads costs nothing.
 * (Inflating writes into a buffer of the declared size, so a part that lies about its size
 * cannot grow past it.)
 */
export function safeUnzip(data: Uint8Array, wanted: (name: string) => boolean, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Unzipped {
  let entries = 0;
  let declared = 0;
  const bomb = () => new ImportError('The file expands to far more data than a questionnaire holds (a "zip bomb"); it was not processed.', 413);
  try {
    return unzipSync(data, {
      filter(file) {
        if (++entries > limits.maxEntries) throw bomb();
        if (!wanted(file.name)) return false;
        declared += file.originalSize;
        if (declared > limits.maxTotalBytes) throw bomb();
        if (file.originalSize > 1_000_000 && file.originalSize / Math.max(1, file.size) > limits.maxRatio) throw bomb();
        return true;
      },
    });
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError('The file is damaged: it looks like a workbook but its contents cannot be unpacked.');
  }
}
