import type { DocumentBundle } from '../content/types.js';

/** The choice that stands for every requestable document ("request all" without JavaScript). */
export const ALL = 'all';

type Bundle = Omit<DocumentBundle, 'at'>;

/** Bundles as the request form offers them: only their requestable documents, and only bundles left with some. */
export function offeredBundles(bundles: Bundle[], requestable: string[]): Bundle[] {
  const open = new Set(requestable);
  return bundles.map((b) => ({ ...b, documents: b.documents.filter((id) => open.has(id)) })).filter((b) => b.documents.length > 0);
}

/**
 * The documents a form asked for: those ticked one by one plus every document of each ticked
 * bundle (or all of them). Unknown bundle ids add nothing; unknown documents are left for the
 * request's own check to refuse.
 */
export function chosenDocuments(documents: string[], bundleIds: string[], bundles: Bundle[], requestable: string[]): string[] {
  const chosen = new Set(documents);
  for (const id of bundleIds) {
    const docs = id === ALL ? requestable : (bundles.find((b) => b.id === id)?.documents ?? []);
    for (const doc of docs) chosen.add(doc);
  }
  // In the register's order, so the request lists them as the page did.
  return [...requestable.filter((id) => chosen.has(id)), ...[...chosen].filter((id) => !requestable.includes(id))];
}
