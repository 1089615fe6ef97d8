// Moved to lib/csv.ts (shared by every export); this path stays for imports that still use it.
export { neutralise } from '../../../lib/csv.js';
