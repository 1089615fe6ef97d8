import { crc32, deflateRawSync } from 'node:zlib';
import { ImportError } from '../import/errors.js';

/** One entry of a zip's central directory; nothing is inflated to list it. */
interface Entry {
  name: string;
  central: Uint8Array;
  method: number;
  compressedSize: number;
  dataStart: number;
}

const damaged = () => new ImportError('The stored workbook is damaged: its zip directory cannot be read.');

function entries(data: Uint8Array): Entry[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let eocd = data.length - 22;
  while (eocd >= 0 && view.getUint32(eocd, true) !== 0x06054b50) {
    if (data.length - eocd > 65_557) throw damaged();
    eocd--;
  }
  if (eocd < 0) throw damaged();
  const count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  // A questionnaire is far below 4 GB; ZIP64 markers here mean a crafted file.
  if (count === 0xffff || offset === 0xffffffff) throw new ImportError('The stored workbook uses ZIP64, which a questionnaire never needs.');
  const out: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (offset + 46 > data.length || view.getUint32(offset, true) !== 0x02014b50) throw damaged();
    const nameLength = view.getUint16(offset + 28, true);
    const length = 46 + nameLength + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
    const local = view.getUint32(offset + 42, true);
    if (local + 30 > data.length || view.getUint32(local, true) !== 0x04034b50) throw damaged();
    const compressedSize = view.getUint32(offset + 20, true);
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (dataStart + compressedSize > data.length) throw damaged();
    out.push({
      name: Buffer.from(data.subarray(offset + 46, offset + 46 + nameLength)).toString('utf8'),
      central: data.subarray(offset, offset + length),
      method: view.getUint16(offset + 10, true),
      compressedSize,
      dataStart,
    });
    offset += length;
  }
  return out;
}

/**
 * A copy of the package where the named parts are replaced (or removed, for null) and every
 * other part is copied as it is stored, compressed bytes and all: a large part the export does
 * not touch is never inflated, never held unpacked, never compressed again.
 */
export function patchZip(data: Uint8Array, replace: Map<string, Uint8Array | null>): Uint8Array {
  const chunks: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let written = 0;
  for (const entry of entries(data)) {
    const replacement = replace.get(entry.name);
    if (replacement === null) continue;
    const nameBytes = entry.central.subarray(46, 46 + entry.central[28] + entry.central[29] * 256);
    const central = Uint8Array.from(entry.central);
    const cv = new DataView(central.buffer);
    let body: Uint8Array;
    if (replacement) {
      body = deflateRawSync(replacement, { level: 6 });
      cv.setUint16(10, 8, true);
      cv.setUint32(16, crc32(replacement), true);
      cv.setUint32(20, body.length, true);
      cv.setUint32(24, replacement.length, true);
    } else body = data.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
    // Sizes and checksum go in the local header, so no data descriptor follows the data.
    cv.setUint16(8, cv.getUint16(8, true) & ~0x0008, true);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    for (const [to, from] of [[4, 6], [6, 8], [8, 10], [10, 12], [12, 14]]) lv.setUint16(to, cv.getUint16(from, true), true);
    lv.setUint32(14, cv.getUint32(16, true), true);
    lv.setUint32(18, cv.getUint32(20, true), true);
    lv.setUint32(22, cv.getUint32(24, true), true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    cv.setUint32(42, written, true);
    chunks.push(local, body);
    written += local.length + body.length;
    centrals.push(central);
  }
  const directorySize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, centrals.length, true);
  ev.setUint16(10, centrals.length, true);
  ev.setUint32(12, directorySize, true);
  ev.setUint32(16, written, true);
  return Buffer.concat([...chunks, ...centrals, end]);
}
