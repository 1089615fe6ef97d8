/**
 * Control references as people write them — "A.12.4.1" (ISO/IEC 27001:2013 Annex A), "A.8.15"
 * (2022), "CLD.9.5.1", "ISO 27002 5.15", "iso27002:5.15" — resolved to canonical control ids.
 * Questionnaires often still cite the 2013 numbering; the 2013→2022 mapping in content/frameworks
 * turns those into today's controls.
 */
export interface ControlMapping {
  from: string;
  to: string[];
}

export interface ControlRefResolver {
  /** Canonical ids for one reference; empty when it names no known control. */
  resolve(ref: string): string[];
  /** Canonical ids of the Annex A and CLD references written inside a text, in order of appearance. */
  refsIn(text: string): string[];
}

const IN_TEXT = /\b(?:A\.\d{1,2}\.\d{1,2}(?:\.\d{1,2})?|CLD\.\d{1,2}\.\d{1,2}\.\d{1,2})\b/gi;

export function controlRefResolver(knownIds: Iterable<string>, mappings: ControlMapping[]): ControlRefResolver {
  const known = new Set(knownIds);
  const from2013 = new Map(mappings.filter((m) => /^A\.\d+\.\d+\.\d+$/.test(m.from)).map((m) => [m.from, m.to]));
  const iso27002 = (ref: string) => (known.has(`iso27002:${ref}`) ? [`iso27002:${ref}`] : []);

  function resolve(raw: string): string[] {
    const canonicalForm = /^(iso2700[12]|iso27017):(.+)$/i.exec(raw.trim());
    if (canonicalForm) return known.has(raw.trim()) ? [raw.trim()] : resolve(canonicalForm[2]);
    const ref = raw
      .trim()
      .replace(/^iso\/?iec\s*/i, '')
      .replace(/^(?:iso\s*)?2700[127](?::20(?:13|15|22))?\s*/i, '')
      .replace(/^annex\s+/i, '')
      .trim();
    if (known.has(ref)) return [ref];
    const cld = /^cld\.(\d+\.\d+\.\d+)$/i.exec(ref);
    if (cld) return known.has(`iso27017:CLD.${cld[1]}`) ? [`iso27017:CLD.${cld[1]}`] : [];
    const annex2013 = /^a\.(\d+\.\d+\.\d+)$/i.exec(ref);
    if (annex2013) return [...new Set((from2013.get(`A.${annex2013[1]}`) ?? []).flatMap((to) => (/^A\.\d+\.\d+$/.test(to) ? iso27002(to.slice(2)) : [])))];
    const annex2022 = /^(?:a\.)?(\d+\.\d+)$/i.exec(ref);
    if (annex2022) return iso27002(annex2022[1]);
    return [];
  }

  return {
    resolve,
    refsIn: (text) => [...new Set((text.match(IN_TEXT) ?? []).flatMap(resolve))],
  };
}
