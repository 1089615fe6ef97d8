/**
 * Whether a question asks the negative way round ("Is data NOT encrypted?", "Isn't…", "Can changes
 * ship without approval?"). A library answer's Yes or No is true of its own wording; carried over
 * to a question that asks the opposite way it would claim the opposite of what the provider said.
 * Only the opening words count: further on, a negation qualifies the object ("media no longer
 * required", "a site not collocated with the system") rather than the question.
 */
const NEGATION = /^(not|never|no|none|nor|neither|without|cannot)$|n't$/;
const OPENING_WORDS = 6;
const NOT_A_NEGATION = /\b(no longer|not only|no later|no more than|not just)\b/g;

export function asksNegatively(text: string): boolean {
  const words = text
    .toLowerCase()
    .replace(/\(\s*y\s*\/\s*n\s*\)|\byes\s*\/\s*no\b/g, '')
    .replace(NOT_A_NEGATION, '')
    .replace(/[’']/g, "'")
    .split(/[^a-z']+/)
    .filter(Boolean)
    .slice(0, OPENING_WORDS);
  return words.some((w) => NEGATION.test(w));
}

/** True when no wording of the answer asks the way the question does. */
export function polarityDiffers(question: string, wordings: string[]): boolean {
  const negative = asksNegatively(question);
  return !wordings.some((w) => asksNegatively(w) === negative);
}
