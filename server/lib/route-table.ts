/** The role × route table (Markdown) of the staff and API routes, as published in the README. */
export function roleRouteTable(routes: { method: string; url: string; access: string | undefined }[]): string {
  const rank: Record<string, number> = { public: 0, viewer: 1, editor: 2, admin: 3 };
  // An undeclared route is treated as admin-only here; the role-matrix test refuses it anyway.
  const mark = (access: string | undefined, role: string) => (rank[role] >= rank[access ?? 'admin'] ? '✓' : '—');
  const rows = routes
    .filter((r) => r.url === '/admin' || r.url.startsWith('/admin/') || r.url.startsWith('/api/v1/'))
    .sort((a, b) => (a.url === b.url ? a.method.localeCompare(b.method) : a.url.localeCompare(b.url)));
  return [
    '| method | route | anonymous | viewer | editor | admin |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.method} | \`${r.url}\` | ${mark(r.access, 'public')} | ${mark(r.access, 'viewer')} | ${mark(r.access, 'editor')} | ${mark(r.access, 'admin')} |`),
  ].join('\n');
}
