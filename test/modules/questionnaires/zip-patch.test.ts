import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { patchZip } from '../../../server/modules/questionnaires/export/zip-patch.js';

describe('patchZip', () => {
  const original = zipSync({
    '[Content_Types].xml': strToU8('<Types/>'),
    'xl/worksheets/sheet1.xml': strToU8('<worksheet>old</worksheet>'),
    'xl/calcChain.xml': strToU8('<calcChain/>'),
    'xl/media/big.bin': [new Uint8Array(3_000_000).fill(7), { level: 9 }],
    'docProps/app.xml': [strToU8('<Properties/>'), { level: 0 }],
  });

  it('replaces and removes parts; every other part keeps its content', () => {
    const patched = patchZip(original, new Map<string, Uint8Array | null>([['xl/worksheets/sheet1.xml', strToU8('<worksheet>new</worksheet>')], ['xl/calcChain.xml', null]]));
    const files = unzipSync(patched);
    expect(Object.keys(files).sort()).toEqual(['[Content_Types].xml', 'docProps/app.xml', 'xl/media/big.bin', 'xl/worksheets/sheet1.xml']);
    expect(strFromU8(files['xl/worksheets/sheet1.xml'])).toBe('<worksheet>new</worksheet>');
    expect(strFromU8(files['docProps/app.xml'])).toBe('<Properties/>');
    expect(files['xl/media/big.bin'].every((b) => b === 7)).toBe(true);
  });

  it('copies untouched parts still compressed, byte for byte', () => {
    const patched = patchZip(original, new Map([['xl/worksheets/sheet1.xml', strToU8('<worksheet>new</worksheet>')]]));
    const compressed = (zip: Uint8Array, name: string) => {
      const view = Buffer.from(zip);
      const at = view.indexOf(Buffer.from(name));
      return view.subarray(at + name.length, at + name.length + 500);
    };
    expect(compressed(patched, 'xl/media/big.bin').equals(compressed(original, 'xl/media/big.bin'))).toBe(true);
    expect(patched.length).toBeLessThan(original.length + 200);
  });

  it('refuses a damaged package with a clear error', () => {
    expect(() => patchZip(original.subarray(0, original.length - 30), new Map())).toThrow(/damaged/);
  });
});
