/**
 * Splits a compound question into the questions it asks. Two shapes are common in
 * questionnaires: several sentences ending in "?" in one cell, and one question joining two
 * short objects with "and" ("Do you encrypt data at rest and in transit?"). Whether a split is
 * kept is decided by the engine (only when the parts find different answers).
 */
const prepositions = new Set(['at', 'in', 'on', 'for', 'to', 'from', 'by', 'during', 'within', 'across', 'between', 'of', 'with']);
const functionWords = new Set([...prepositions, 'a', 'an', 'the', 'its', 'their', 'our', 'your', 'is', 'are', 'be', 'who', 'that', 'which']);
const verbStarts = /^(do|does|did|is|are|was|were|have|has|can|will|would|should|how|what|which|who|when|where|why|please|describe|explain|provide|list)\b/i;

/** Separate questions in one cell ("Is MFA enforced? Are passwords rotated?", "…, and do you Y?"), or none. */
function separateQuestions(text: string): string[] {
  const sentences = text.split(/(?<=\?)\s+(?=[A-Z])/).map((s) => s.trim()).filter((s) => s.length > 8);
  if (sentences.length > 1 && sentences.length <= 5) return sentences;
  const clauses = splitClauses(text);
  return clauses.length > 1 ? clauses : [];
}

const normalise = (question: string) => question.replace(/\s+/g, ' ').trim();

/** Several questions in one cell, not one question with two objects ("at rest and in transit"). */
export function asksSeveralQuestions(question: string): boolean {
  return separateQuestions(normalise(question)).length > 0;
}

export function splitCompound(question: string): string[] {
  const text = normalise(question);
  const separate = separateQuestions(text);
  if (separate.length) return separate;
  const items = splitNumberedList(text);
  return items.length ? items : splitConjunction(text);
}

/**
 * "Do you report incidents to: (1) internal stakeholders; (2) affected clients; and (3)
 * regulators?" asks the stem of each item: an answer about regulators does not answer all three.
 * Items numbered (1), (a) or (i) alike.
 */
const LIST_SERIES: [RegExp, RegExp, RegExp][] = [
  [/\(1\)\s/, /\(2\)\s/, /\(\d{1,2}\)\s*/],
  [/\(a\)\s/, /\(b\)\s/, /\([a-h]\)\s*/],
  [/\(i\)\s/, /\(ii\)\s/, /\((?:i{1,3}|iv|v|vi{1,3})\)\s*/],
];

function splitNumberedList(text: string): string[] {
  const series = LIST_SERIES.find(([first, second]) => first.test(text) && second.test(text));
  if (!series) return [];
  const first = text.search(series[0]);
  const stem = text.slice(0, first).replace(/[:\s]+$/, '').replace(/:$/, '');
  const end = /[?.]$/.test(text) ? text.slice(-1) : '?';
  const items = text
    .slice(first)
    .split(series[2])
    .map((item) => item.trim().replace(/[?.]$/, '').replace(/[;,]?\s*(?:and|or)$/i, '').replace(/[;,]$/, '').trim())
    .filter((item) => item.length > 0);
  if (items.length < 2 || items.length > 8 || stem.split(' ').length < 2) return [];
  return items.map((item) => `${stem} ${/^[A-Z][a-z]/.test(item) ? item[0].toLowerCase() + item.slice(1) : item}${end}`);
}

/** "Is MFA enforced, and do you review access?": a conjunction before a new question's verb and subject starts a second question. */
// "…and is MFA enforced for customers?" too; "…and are reviewed annually" or "…and can be restored" continue the first.
// The word after the verb must be able to start a subject (a pronoun, a determiner, a name, a plural): in "…and can
// communicate with" or "…or have adversely affected" it is a verb or an adverb, and the first question goes on.
const secondQuestion = /,?\s+(?:and|or)\s+(?=(?:do|does|did|is|are|was|were|has|have|can|will|would)\s+(?:(?:you|we|they|it|there|these|this|those|the|a|an|all|any|each|every|your|our|its|their|such|staff|personnel)\b|[A-Z0-9][\w-]*|[a-z][\w-]*[^s\W]s\b)\s+\w)/;

function splitClauses(text: string): string[] {
  const end = /[?.]$/.test(text) ? text.slice(-1) : '?';
  const parts = text.split(secondQuestion).map((p) => p.trim().replace(/[?.,;]+$/, '')).filter((p) => p.split(' ').length >= 3);
  if (parts.length < 2) return [text];
  return parts.map((p) => `${p[0].toUpperCase()}${p.slice(1)}${end}`);
}

function splitConjunction(text: string): string[] {
  const match = /^(.*\S)\s+and\s+([^,;]+?)(\?|\.)?$/i.exec(text);
  if (!match) return [text];
  const left = match[1];
  const right = match[2].trim();
  const end = match[3] ?? '?';
  const rightWords = right.split(' ');
  // A list ("(1) …; (2) …; and (3) …") is one requirement with its items, not two questions.
  if (rightWords.length > 4 || verbStarts.test(right) || /[,;:]/.test(left)) return [text];
  const leftWords = left.split(' ');
  if (leftWords.length < 3 || functionWords.has(leftWords[leftWords.length - 1].toLowerCase())) return [text];
  let stemEnd: number;
  if (prepositions.has(rightWords[0].toLowerCase())) {
    // "... data at rest and in transit": the shared stem ends before the last preposition
    let i = leftWords.length - 1;
    while (i > 0 && !prepositions.has(leftWords[i].toLowerCase())) i--;
    if (i <= 1) return [text];
    stemEnd = i;
  } else {
    // "... vulnerability scanning and penetration testing": replace as many words as the right side has
    stemEnd = leftWords.length - rightWords.length;
    if (stemEnd < 2) return [text];
    const shared = sharedTail(leftWords, rightWords, stemEnd);
    if (shared) return shared.map((p) => `${p}${end}`);
  }
  const first = `${left}${end}`;
  const second = `${leftWords.slice(0, stemEnd).join(' ')} ${right}${end}`;
  return first.toLowerCase() === second.toLowerCase() ? [text] : [first, second];
}

/**
 * "…to detect and eradicate malicious code", "…a safe and secure working environment": the left
 * side's conjunct is one word after a function word and the right side's tail belongs to both.
 * Replacing as many words as the right side has would cut through "to detect". A plural noun
 * ("for contractors and service providers") is a whole conjunct: only it is replaced.
 */
function sharedTail(leftWords: string[], rightWords: string[], stemEnd: number): [string, string] | null {
  let fn = -1;
  for (let i = leftWords.length - 1; i >= stemEnd; i--) if (functionWords.has(leftWords[i].toLowerCase())) { fn = i; break; }
  if (fn < 0) return null;
  const stem = leftWords.slice(0, fn + 1).join(' ');
  const conjunct = leftWords.slice(fn + 1);
  const right = rightWords.join(' ');
  if (/[^s\W]s$/i.test(conjunct[conjunct.length - 1])) return [leftWords.join(' '), `${stem} ${right}`];
  // "secure and in-line with industry practices": the tail starts with a preposition and belongs to the right side only.
  const tail = rightWords.length > 1 && !prepositions.has(rightWords[1].toLowerCase()) ? ` ${rightWords.slice(1).join(' ')}` : '';
  return [`${leftWords.join(' ')}${tail}`, `${stem} ${right}`];
}
