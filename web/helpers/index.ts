import { array } from './array.js';
import { eq } from './eq.js';
import { fileSize } from './file-size.js';
import { formatDate } from './format-date.js';
import { includes } from './includes.js';
import { json } from './json.js';
import { partyLabel } from './party-label.js';

/** Every helper the templates may call, registered by name. */
export const helpers: Record<string, (...args: never[]) => unknown> = {
  array,
  eq,
  fileSize,
  formatDate,
  includes,
  json,
  partyLabel,
};
