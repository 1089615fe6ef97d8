import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * Markdown from content/ rendered to HTML and sanitised, the only HTML templates may print raw.
 * Even trusted content goes through the sanitiser: a content mistake must not become a script.
 */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true }) as string;
  return sanitizeHtml(html, {
    allowedTags: ['p', 'br', 'strong', 'em', 'b', 'i', 'code', 'pre', 'ul', 'ol', 'li', 'a', 'h2', 'h3', 'h4', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'sup', 'hr'],
    allowedAttributes: { a: ['href', 'title'] },
    allowedSchemes: ['https', 'http', 'mailto'],
    transformTags: { h1: 'h2' },
  });
}
