import { memoOn } from './cache.js';
import { resolveControlRef } from '../content/queries.js';
import type { FastifyInstance } from 'fastify';
import { today } from '../../clock.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { neutralise, toCsv } from '../../lib/csv.js';
import { findControl, listControls, listServices } from '../catalogue/queries.js';
import { listEvidence } from '../evidence/queries.js';
import { listDuties, listIsmsPractices } from '../responsibility/queries.js';
import { loadMatrix, THEMES } from './matrix.js';
import { cachedPage } from './render.js';
import type { RegionOverride } from '../content/tables.js';
import type { Site } from './site.js';
import { legendOf, stackOf } from './stack.js';
import { PAGE_SIZE, SEARCH_TYPES, searchSite, type SearchType } from './search.js';

/** A subprocessor's name by id, for the layers a subservice organisation runs (a retired one keeps its name). */
function subprocessorNames(site: Site): (id: string) => string {
  const names = new Map([...site.subprocessors, ...site.retiredSubprocessors].map((s) => [s.id, s.name]));
  return (id) => names.get(id) ?? id;
}

/** Where a service row differs by region, in words: the region's name, who does it there and what differs. */
function regionLines(site: Site, regions: Record<string, RegionOverride>) {
  const regionName = new Map(site.regions.map((r) => [r.id, r.name]));
  const subprocessor = subprocessorNames(site);
  return Object.entries(regions).map(([id, o]) => ({
    name: regionName.get(id) ?? id,
    party: o.party ?? null,
    provider: o.provider ?? null,
    customer: o.customer ?? null,
    reason: o.reason ?? null,
    runBy: (o.thirdParties ?? []).map(subprocessor).join(', ') || null,
  }));
}

/** The pages that read the operating model: responsibility matrix, controls, search. */
export async function trustModelPages(app: FastifyInstance): Promise<void> {
  const { db, clock } = app.deps;
  const pub = { config: { access: 'public' as const } };
  const services = () => listServices(db);

  app.get('/responsibility', pub, (request, reply) =>
    cachedPage(app, request, reply, 'views/trust/responsibility.hbs', async (site) => {
      const query = request.query as { service?: string; theme?: string };
      const all = await services();
      const service = all.find((s) => s.id === query.service) ?? all[0];
      const theme = THEMES.find((t) => t.id === query.theme) ?? THEMES[0];
      const rows = service ? await memoOn(site, `matrix|${service.id}|${theme.id}`, () => loadMatrix(db, service.id, theme.id, today(clock), app.config.expiringWithinDays)) : [];
      const stackService = site.services.find((s) => s.id === service?.id);
      const stack = stackService?.layers.length ? stackOf(stackService, subprocessorNames(site)) : null;
      return {
        title: 'Shared responsibility',
        stack,
        legend: stack ? legendOf([stack]) : [],
        services: all.map((s) => ({ ...s, selected: s.id === service?.id })),
        themes: THEMES.map((t) => ({ ...t, selected: t.id === theme.id })),
        service,
        theme,
        rows,
        counts: {
          provider: rows.filter((r) => r.party === 'provider').length,
          shared: rows.filter((r) => r.party === 'shared').length,
          customer: rows.filter((r) => r.party === 'customer').length,
        },
      };
    }),
  );

  /**
   * The services side by side: per control, who is responsible and what the customer does on each,
   * so "what must I do on Compute that I need not do on the database service?" is one screen.
   */
  app.get('/responsibility/compare', pub, (request, reply) =>
    cachedPage(app, request, reply, 'views/trust/compare.hbs', async (site) => {
      const differOnly = (request.query as { differ?: string }).differ === '1';
      const [controls, duties, all] = await Promise.all([listControls(db), listDuties(db), services()]);
      const dutyOf = new Map(duties.map((d) => [`${d.controlId}|${d.serviceId}`, d]));
      const rows = controls.map(({ id, ref, title, theme }) => {
        const cells = all.map((s) => {
          const d = dutyOf.get(`${id}|${s.id}`);
          return { service: s.name, party: d?.party ?? null, customer: d?.customer ?? null };
        });
        const differs = new Set(cells.map((cell) => `${cell.party}|${cell.customer ?? ''}`)).size > 1;
        return { id, ref, title, theme, url: `/controls/${encodeURIComponent(id)}`, cells, differs };
      });
      const shown = differOnly ? rows.filter((r) => r.differs) : rows;
      const themes = [...new Set(shown.map((r) => r.theme))].map((theme) => ({ theme, rows: shown.filter((r) => r.theme === theme) }));
      const stacks = site.services.filter((s) => s.layers.length).map((s) => stackOf(s, subprocessorNames(site)));
      return { title: 'Compare services', stacks, legend: legendOf(stacks), services: all, themes, differOnly, shown: shown.length, total: rows.length, differing: rows.filter((r) => r.differs).length };
    }),
  );

  /** Every control, grouped by theme, titles first, with who does it on each service at a glance. */
  app.get('/controls', pub, (request, reply) =>
    cachedPage(app, request, reply, 'views/trust/controls.hbs', async () => {
      const [controls, duties, all] = await Promise.all([listControls(db), listDuties(db), services()]);
      const partyOf = new Map(duties.map((d) => [`${d.controlId}|${d.serviceId}`, d.party]));
      const themes = [...new Set(controls.map((c) => c.theme))].map((theme) => ({
        theme,
        controls: controls
          .filter((c) => c.theme === theme)
          .map(({ id, ref, title, theme }) => ({ id, ref, title, theme, url: `/controls/${encodeURIComponent(id)}`, parties: all.map((s) => ({ service: s.name, party: partyOf.get(`${id}|${s.id}`) ?? null })) })),
      }));
      return { title: 'Controls', services: all, themes, count: controls.length };
    }),
  );

  app.get('/controls/:id', pub, (request, reply) =>
    cachedPage(app, request, reply, 'views/trust/control.hbs', async (site) => {
      const { id } = request.params as { id: string };
      const control = await findControl(db, id);
      if (!control) {
        // Old and informal numbers ("A.12.4.1", "5.15", "CLD.9.5.1") lead to today's control.
        const resolved = await resolveControlRef(db, id);
        if (resolved.length === 1) return { redirect: `/controls/${encodeURIComponent(resolved[0]!)}` };
        throw new NotFoundError(resolved.length ? `"${id}" corresponds to several controls today: ${resolved.join(', ')}.` : `There is no control "${id}".`);
      }
      const all = await services();
      const [duties, [isms]] = await Promise.all([listDuties(db, { controlId: id }), listIsmsPractices(db, { controlId: id })]);
      const evidence = await listEvidence(db, { ids: [...new Set([...duties, ...(isms ? [isms] : [])].flatMap((d) => d.evidenceIds))], access: ['public'] });
      return {
        title: `${control.ref} ${control.title}`,
        control,
        framework: control.frameworkId === 'iso27017' ? 'ISO/IEC 27017:2015' : 'ISO/IEC 27002:2022',
        duties: all.map((s) => {
          const duty = duties.find((d) => d.serviceId === s.id) ?? null;
          return { service: s, duty, regions: duty ? regionLines(site, duty.regions) : [] };
        }),
        isms: isms ?? null,
        evidence: evidence.filter((e) => e.reviewBy >= today(clock)),
      };
    }),
  );

  const TYPE_LABELS: Record<SearchType, string> = { answers: 'Answers', controls: 'Controls', responsibilities: 'Responsibilities', documents: 'Documents', faq: 'FAQ' };

  app.get('/search', pub, (request, reply) =>
    cachedPage(app, request, reply, 'views/trust/search.hbs', async () => {
      const { q, type: rawType, page: rawPage } = request.query as { q?: unknown; type?: unknown; page?: unknown };
      const query = (typeof q === 'string' ? q : '').slice(0, 200);
      // Odd values are read as their default, never an error: these are links people edit by hand.
      const type = SEARCH_TYPES.find((t) => t === rawType);
      const page = typeof rawPage === 'string' && /^\d{1,4}$/.test(rawPage) ? Number(rawPage) : 1;
      const found = query.trim() ? await searchSite(app, query, { type, page }) : null;
      const link = (params: { type?: SearchType; page?: number }) =>
        `/search?${new URLSearchParams({ q: query, ...(params.type ? { type: params.type } : {}), ...(params.page && params.page > 1 ? { page: String(params.page) } : {}) })}`;
      return {
        title: query ? `Search: ${query}` : 'Search',
        query,
        searched: Boolean(found),
        found,
        type,
        typeLabel: type ? TYPE_LABELS[type] : null,
        filters: found
          ? [{ label: 'All', url: link({}), count: null, current: !type }, ...SEARCH_TYPES.map((t) => ({ label: TYPE_LABELS[t], url: link({ type: t }), count: found.counts[t], current: t === type }))]
          : [],
        firstShown: found && found.total ? (found.page - 1) * PAGE_SIZE + 1 : 0,
        lastShown: found ? (found.page - 1) * PAGE_SIZE + found.results.length : 0,
        previous: found && found.page > 1 ? link({ type, page: found.page - 1 }) : null,
        next: found && found.page < found.pages ? link({ type, page: found.page + 1 }) : null,
        askUrl: `/ask?${new URLSearchParams({ q: query })}`,
      };
    }),
  );

  app.get('/api/v1/responsibilities/customer-checklist', pub, async (request, reply) => {
    const { service: serviceId, format = 'csv' } = request.query as { service?: string; format?: string };
    const service = (await services()).find((s) => s.id === serviceId);
    if (!service) throw new ValidationError('Choose a service: ?service=<id> (see /api/v1/services).');
    const rows = (await loadMatrix(db, service.id, 'all', today(clock), app.config.expiringWithinDays)).filter((r) => r.party === 'customer' || r.party === 'shared');
    const header = ['control', 'title', 'responsibility', 'what you must do', 'what the provider does', 'done?'];
    const data = rows.map((r) => [r.controlId, r.title, r.party, r.customer ?? '', r.provider ?? '', '']);
    if (format === 'csv') {
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="customer-checklist-${service.id}.csv"`).send(toCsv(header, data));
    }
    if (format !== 'xlsx') throw new ValidationError('format must be csv or xlsx.');
    // Loaded when a workbook is asked for: it costs a second of every start otherwise.
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Your responsibilities');
    ws.addRow([`${service.name} (${service.model}): what you do in your tenant`]).font = { bold: true, size: 14 };
    ws.addRow(header).font = { bold: true };
    for (const row of data) ws.addRow(row.map((v) => neutralise(String(v))));
    ws.columns.forEach((c, i) => (c.width = [18, 32, 14, 60, 60, 10][i]));
    ws.getColumn(4).alignment = { wrapText: true, vertical: 'top' };
    ws.getColumn(5).alignment = { wrapText: true, vertical: 'top' };
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="customer-checklist-${service.id}.xlsx"`)
      .send(Buffer.from(await wb.xlsx.writeBuffer()));
  });
}
