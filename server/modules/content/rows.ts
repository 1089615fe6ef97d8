import { stableJson } from '../../lib/stable-json.js';
import { factValues } from './facts.js';
import { evidenceFileFacts, sha256Of } from './files.js';
import type { ContentBundle, Located } from './types.js';

export type Row = Record<string, unknown> & { id: string };

export interface TableRows {
  table: string;
  rows: Row[];
}

const json = (value: unknown) => JSON.stringify(value ?? null);

function row(item: Located | null, position: number, columns: Record<string, unknown> & { id: string }): Row {
  const hashed = Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, typeof v === 'string' && isJsonText(k) ? JSON.parse(v) : v]));
  return {
    ...columns,
    position,
    source_file: item?.at.file ?? null,
    content_hash: sha256Of(stableJson(hashed)),
  };
}

const jsonColumns = new Set(['data', 'keywords', 'focus', 'to_refs', 'evidence_ids', 'control_ids', 'phrasings', 'service_overrides', 'citations', 'third_parties', 'layers']);
function isJsonText(column: string): boolean {
  return jsonColumns.has(column);
}

/** Turns validated content into the rows of each synced table, in dependency order. */
export function buildRows(bundle: ContentBundle, contentDir: string): TableRows[] {
  const documents: Row[] = [];
  if (bundle.provider) documents.push(row(null, 0, { id: 'provider', data: json(bundle.provider) }));
  documents.push(row(null, 1, { id: 'thesaurus', data: json(bundle.thesaurus) }));
  documents.push(row(null, 4, { id: 'lexicons', data: json(bundle.lexicons) }));
  documents.push(row(null, 5, { id: 'facts', data: json(factValues(bundle.facts)) }));
  if (bundle.nda) documents.push(row(null, 2, { id: 'nda', data: json(bundle.nda) }));
  // Bundles name documents; they are read with them, never on their own.
  documents.push(row(null, 6, { id: 'bundles', data: json(bundle.bundles.map(({ at: _at, ...b }) => b)) }));
  if (bundle.accessRules) documents.push(row(null, 3, { id: 'access-rules', data: json(bundle.accessRules) }));

  return [
    { table: 'content_documents', rows: documents },
    {
      table: 'frameworks',
      rows: bundle.frameworks.map((f, i) => row(f, i, { id: f.id, name: f.name, edition: f.edition })),
    },
    {
      table: 'controls',
      rows: bundle.controls.map((c, i) =>
        row(c, i, {
          id: c.id,
          framework_id: c.frameworkId,
          ref: c.ref,
          title: c.title,
          theme: c.theme,
          description: c.description,
          keywords: json(c.keywords),
          focus: json(c.focus),
          guidance_clause: c.guidance?.clause ?? null,
          guidance_provider: c.guidance?.provider ?? null,
          guidance_customer: c.guidance?.customer ?? null,
        }),
      ),
    },
    {
      table: 'control_mappings',
      rows: bundle.mappings.map((m, i) => row(m, i, { id: m.from, title_2013: m.title2013, to_refs: json(m.to), relationship: m.relationship })),
    },
    {
      table: 'services',
      rows: bundle.services.map((s, i) =>
        row(s, i, {
          id: s.id,
          name: s.name,
          model: s.model,
          summary: s.summary,
          description: s.description,
          layers: json(s.layers.map(({ layer, party, note, subprocessors }) => ({ layer, party, note, subprocessors }))),
        }),
      ),
    },
    {
      table: 'responsibilities',
      rows: bundle.responsibilities.map((r, i) =>
        row(r, i, {
          id: r.id,
          control_id: r.controlId,
          service_id: r.serviceId,
          scope: 'service',
          party: r.party,
          provider_duty: r.provider,
          customer_duty: r.customer,
          reason: r.reason,
          owner: r.owner,
          evidence_ids: json(r.evidence),
          third_parties: json(r.thirdParties),
          region_overrides: json(r.regions),
        }),
      ).concat(
        bundle.ismsPractices.map((r, i) =>
          row(r, bundle.responsibilities.length + i, {
            id: r.id,
            control_id: r.controlId,
            service_id: null,
            scope: 'isms',
            party: 'provider',
            provider_duty: r.provider,
            customer_duty: null,
            reason: null,
            owner: r.owner,
            evidence_ids: json(r.evidence),
            third_parties: json([]),
            region_overrides: json({}),
          }),
        ),
      ),
    },
    {
      table: 'evidence',
      rows: bundle.evidence.map((e, i) => {
        const facts = e.file ? evidenceFileFacts(contentDir, e.file) : null;
        // Storage is not content: it is outside the hash, and a content version always points at the content file.
        return { storage: 'content', ...row(e, i, {
          id: e.id,
          title: e.title,
          summary: e.summary,
          kind: e.kind,
          owner: e.owner,
          source: e.source,
          issued_on: e.issued,
          period_start: e.periodStart,
          period_end: e.periodEnd,
          version: e.version,
          approver: e.approver,
          redistribution: e.redistribution,
          collected_on: e.collected,
          review_by: e.reviewBy,
          control_ids: json(e.controls),
          access: e.access,
          file_name: e.file,
          media_type: facts?.mediaType ?? null,
          size: facts?.size ?? null,
          sha256: facts?.sha256 ?? null,
        }) };
      }),
    },
    {
      table: 'data_categories',
      rows: bundle.dataCategories.map((c, i) => row(c, i, { id: c.id, name: c.name, description: c.description })),
    },
    { table: 'regions', rows: bundle.regions.map((r, i) => row(r, i, { id: r.id, data: json(r.data) })) },
    { table: 'subprocessors', rows: bundle.subprocessors.map((s, i) => row(s, i, { id: s.id, data: json(s.data) })) },
    { table: 'certifications', rows: bundle.certifications.map((c, i) => row(c, i, { id: c.id, data: json(c.data) })) },
    {
      table: 'disclosure_changes',
      rows: bundle.changes.map((c, i) =>
        row(c, i, { id: c.id, published_on: c.published, effective_on: c.effective, kind: c.kind, data: json(c.data) }),
      ),
    },
    {
      table: 'library_answers',
      rows: bundle.library.map((a, i) =>
        row(a, i, {
          id: a.id,
          topic: a.topic,
          question: a.question,
          phrasings: json(a.phrasings),
          kind: a.kind,
          answer: a.answer,
          as_of: a.asOf,
          explanation: a.explanation,
          control_ids: json(a.controls),
          evidence_ids: json(a.evidence),
          access: a.access,
          owner: a.owner,
          reviewed_on: a.reviewed,
          service_overrides: json(a.services),
        }),
      ),
    },
    {
      table: 'faq_entries',
      rows: bundle.faq.map((f, i) => row(f, i, { id: f.id, question: f.question, answer_md: f.answer, citations: json(f.citations) })),
    },
  ];
}
