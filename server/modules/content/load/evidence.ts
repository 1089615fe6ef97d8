import { specs } from '../schema.js';
import { defaultRedistribution, type AccessLevel, type Redistribution } from '../tables.js';
import type { DocumentBundle, EvidenceItem } from '../types.js';
import type { YamlFile } from '../yaml-file.js';
import type { CheckedItem, LoadContext } from './context.js';

export interface EvidenceRegister {
  evidence: EvidenceItem[];
  bundles: DocumentBundle[];
}

/** evidence/register.yaml: the documents and records the provider can show, and the bundles that group them. */
export function readEvidenceRegister(ctx: LoadContext): EvidenceRegister {
  const register: EvidenceRegister = { evidence: [], bundles: [] };
  const file = ctx.optionalFile('evidence/register.yaml');
  if (!file) return register;
  register.evidence = ctx.items(file, 'evidence', specs.evidence, 'evidence').map((checked) => toEvidence(file, checked));
  // Bundles are optional: a register without them offers documents one by one.
  if ((file.data as Record<string, unknown> | undefined)?.bundles !== undefined) {
    register.bundles = ctx.items(file, 'bundles', specs.documentBundle, 'bundle').map(({ item, path: p }) => ({
      id: item.id as string,
      title: item.title as string,
      description: item.description as string,
      documents: item.documents as string[],
      at: file.at(p),
    }));
  }
  return register;
}

function toEvidence(file: YamlFile, { item, path: p }: CheckedItem): EvidenceItem {
  return {
    id: item.id as string,
    title: item.title as string,
    summary: item.summary as string,
    kind: item.kind as never,
    owner: item.owner as string,
    source: item.source as string,
    issued: (item.issued as string | undefined) ?? null,
    periodStart: (item.periodStart as string | undefined) ?? null,
    periodEnd: (item.periodEnd as string | undefined) ?? null,
    version: (item.version as string | undefined) ?? null,
    approver: (item.approver as string | undefined) ?? null,
    // Without a word from the register, access decides whether a document may be passed on.
    redistribution: (item.redistribution as Redistribution | undefined) ?? defaultRedistribution(item.access as AccessLevel),
    collected: item.collected as string,
    reviewBy: item.reviewBy as string,
    controls: item.controls as string[],
    access: item.access as never,
    file: (item.file as string | undefined) ?? null,
    sha256: (item.sha256 as string | undefined)?.toLowerCase() ?? null,
    at: file.at(p),
  };
}
