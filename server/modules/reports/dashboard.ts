import type { Freshness } from '../evidence/freshness.js';
import { freshnessChart, freshnessGrid, type FreshnessBar } from './charts.js';
import { PROVIDER_SIDE } from '../content/tables.js';
import { findGaps } from './gaps.js';
import type { ModelControl, ModelDeps, OperatingModel } from '../responsibility/model.js';
import { today } from '../../clock.js';

const worstFirst: (Freshness | 'none')[] = ['none', 'stale', 'expiring', 'current'];

/** The weakest freshness among the evidence behind our part of a control (absent evidence is worst). */
function controlState(control: ModelControl): Freshness | 'none' {
  const ours = control.duties.filter((d) => PROVIDER_SIDE.includes(d.party));
  if (!ours.length) return 'current';
  let worst = worstFirst.length - 1;
  for (const duty of ours) {
    const best = duty.evidence.length ? Math.max(...duty.evidence.map((e) => worstFirst.indexOf(e.freshness))) : 0;
    worst = Math.min(worst, best);
  }
  return worstFirst[worst];
}

const themeNames: Record<string, string> = {
  organizational: 'Organisational',
  people: 'People',
  physical: 'Physical',
  technological: 'Technological',
  cloud: 'Cloud (27017)',
};

/** What the landing page shows: freshness by theme and by control, matrix coverage per service, open work. */
export async function dashboardModel(deps: ModelDeps, model: OperatingModel) {
  const byTheme = new Map<string, FreshnessBar>();
  for (const control of model.controls) {
    const bar = byTheme.get(control.theme) ?? { label: themeNames[control.theme] ?? control.theme, current: 0, expiring: 0, stale: 0 };
    const seen = new Set<string>();
    for (const e of control.duties.flatMap((d) => d.evidence)) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      bar[e.freshness]++;
    }
    byTheme.set(control.theme, bar);
  }
  const themeBars = [...byTheme.values()];
  const cells = model.controls.map((c) => ({ label: `${c.ref} ${c.title}`, href: `/admin/responsibility?service=${encodeURIComponent(c.duties[0]?.serviceId ?? '')}#${encodeURIComponent(c.id)}`, state: controlState(c) }));
  const coverage = model.services.map((s) => {
    const duties = model.controls.map((c) => c.duties.find((d) => d.serviceId === s.id)).filter((d) => d !== undefined);
    const ours = duties.filter((d) => PROVIDER_SIDE.includes(d.party));
    const evidenced = ours.filter((d) => d.evidence.some((e) => e.freshness !== 'stale')).length;
    const count = (party: string) => duties.filter((d) => d.party === party).length;
    return {
      service: s,
      described: duties.length,
      controls: model.controls.length,
      describedPercent: Math.round((100 * duties.length) / Math.max(1, model.controls.length)),
      provider: count('provider'),
      shared: count('shared'),
      customer: count('customer'),
      notApplicable: count('not-applicable'),
      evidenced,
      ours: ours.length,
      evidencedPercent: Math.round((100 * evidenced) / Math.max(1, ours.length)),
    };
  });
  const gaps = findGaps(model);
  const [questionnaires, overdue, pendingRequests] = await Promise.all([
    // Answered and not yet completed by the reviewers: what still needs people.
    deps.db.selectFrom('questionnaires').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'ready').where('review_stage', '<>', 'completed').executeTakeFirst(),
    // Overdue is computed from the clock's day, never stored.
    deps.db
      .selectFrom('questionnaires')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '<>', 'failed')
      .where('review_stage', '<>', 'completed')
      .where('due_date', '<', today(deps.clock))
      .executeTakeFirst(),
    deps.db.selectFrom('access_requests').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirst(),
  ]);
  return {
    themeChart: freshnessChart('Evidence freshness by control theme', themeBars),
    themeBars,
    controlGrid: freshnessGrid('Freshness of the evidence behind each control, weakest item counted', cells),
    controlStates: countStates(cells.map((c) => c.state)),
    coverage,
    gapCounts: { high: gaps.filter((g) => g.severity === 'high').length, medium: gaps.filter((g) => g.severity === 'medium').length, low: gaps.filter((g) => g.severity === 'low').length },
    openQuestionnaires: Number(questionnaires?.n ?? 0),
    overdueQuestionnaires: Number(overdue?.n ?? 0),
    pendingRequests: Number(pendingRequests?.n ?? 0),
  };
}

function countStates(states: string[]) {
  return { current: states.filter((s) => s === 'current').length, expiring: states.filter((s) => s === 'expiring').length, stale: states.filter((s) => s === 'stale').length, none: states.filter((s) => s === 'none').length };
}
