import { createRequire } from 'node:module';

// Required on first use (synchronously, like the callers): the sanitiser and its HTML parser cost
// a tenth of a second of every start, and a restart with unchanged content renders no Markdown.
const require = createRequire(import.meta.url);
let libraries: { marked: typeof import('marked').marked; sanitizeHtml: typeof import('sanitize-html') } | null = null;
function load() {
  libraries ??= { marked: (require('marked') as typeof import('marked')).marked, sanitizeHtml: require('sanitize-html') as typeof import('sanitize-html') };
  return libraries;
}

/**
 * Markdown from content/ rendered to HTML and sanitised, the only HTML templates may print raw.
 * Even trusted content goes through the sanitiser: a content mistake must not become a script.
 */
export function renderMarkdown(markdown: string): string {
  const { marked, sanitizeHtml } = load();
  const html = marked.parse(markdown, { async: false, gfm: true }) as string;
  return sanitizeHtml(html, {
    allowedTags: ['p', 'br', 'strong', 'em', 'b', 'i', 'code', 'pre', 'ul', 'ol', 'li', 'a', 'h2', 'h3', 'h4', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'sup', 'hr'],
    allowedAttributes: { a: ['href', 'title'] },
    allowedSchemes: ['https', 'http', 'mailto'],
    transformTags: { h1: 'h2' },
  });
}
