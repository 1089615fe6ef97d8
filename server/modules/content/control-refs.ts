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

/** The clause numbers of ISO/IEC 27001 (2013 and 2022 editions): ids only. */
const CLAUSES_27001 = new Set(
  '4 4.1 4.2 4.3 4.4 5 5.1 5.2 5.3 6 6.1 6.1.1 6.1.2 6.1.3 6.2 6.3 7 7.1 7.2 7.3 7.4 7.5 7.5.1 7.5.2 7.5.3 8 8.1 8.2 8.3 9 9.1 9.2 9.2.1 9.2.2 9.3 9.3.1 9.3.2 9.3.3 10 10.1 10.2'.split(' '),
);

/** An ISO/IEC 27001 management-system clause number (4-10), as opposed to an Annex A control. */
export function isClauseNumber(id: string): boolean {
  return CLAUSES_27001.has(id.trim());
}

/** A reference that names ISO/IEC 27001 and a bare clause number (no "A.", no "Annex") is one of its clauses. */
export function isClauseOf27001(raw: string): boolean {
  const m = /^(?:iso\/?iec\s*|iso\s*)?27001(?::20(?:13|22))?\s*(?::|clause\s+|§\s*)?\s*(\d{1,2}(?:\.\d{1,2}){0,2})$/i.exec(raw.trim());
  return m !== null && CLAUSES_27001.has(m[1]);
}

export function controlRefResolver(knownIds: Iterable<string>, mappings: ControlMapping[]): ControlRefResolver {
  const known = new Set(knownIds);
  const from2013 = new Map(mappings.filter((m) => /^A\.\d+\.\d+\.\d+$/.test(m.from)).map((m) => [m.from, m.to]));
  const iso27002 = (ref: string) => (known.has(`iso27002:${ref}`) ? [`iso27002:${ref}`] : []);

  function resolve(raw: string): string[] {
    const canonicalForm = /^(iso2700[12]|iso27017):(.+)$/i.exec(raw.trim());
    if (canonicalForm) {
      if (known.has(raw.trim())) return [raw.trim()];
      return isClauseOf27001(raw) ? [] : resolve(canonicalForm[2]);
    }
    // "27001 7.2" is the competence clause, not physical entry 7.2: 27001's own clauses (4-10) are
    // requirements of the management system, never Annex A controls, so they resolve to nothing.
    if (isClauseOf27001(raw)) return [];
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
