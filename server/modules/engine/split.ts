/**
 * Splits a compound question into the questions it asks. Two shapes are common in
 * questionnaires: several sentences ending in "?" in one cell, and one question joining two
 * short objects with "and" ("Do you encrypt data at rest and in transit?"). Whether a split is
 * kept is decided by the engine (only when the parts find different answers).
 */
const prepositions = new Set(['at', 'in', 'on', 'for', 'to', 'from', 'by', 'during', 'within', 'across', 'between', 'of', 'with']);
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
  return separate.length ? separate : splitConjunction(text);
}

/** "Is MFA enforced, and do you review access?": a conjunction before a new question's verb and subject starts a second question. */
// "…and is MFA enforced for customers?" too; "…and are reviewed annually" or "…and can be restored" continue the first.
const secondQuestion = /,?\s+(?:and|or)\s+(?=(?:do|does|did|is|are|was|were|has|have|can|will|would)\s+(?!be\b|been\b|\w+ed\b|\w+en\b)[a-z0-9][\w-]*\s+\w)/i;

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
  if (rightWords.length > 4 || verbStarts.test(right) || left.includes(',')) return [text];
  const leftWords = left.split(' ');
  if (leftWords.length < 3) return [text];
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
  }
  const first = `${left}${end}`;
  const second = `${leftWords.slice(0, stemEnd).join(' ')} ${right}${end}`;
  return first.toLowerCase() === second.toLowerCase() ? [text] : [first, second];
}
