import type { MetricValue, Report, ScenarioReport } from '../report/types.ts';

/**
 * The five core defects the demo must reproduce and then remove, each with the one figure a person
 * reads first. One table: the before/after rows, the exit rule and the README all come from it.
 */
export interface CoreDefect {
  scenario: string;
  label: string;
  figure(m: Record<string, MetricValue>): string;
}

const num = (m: Record<string, MetricValue>, k: string): number | null => (typeof m[k] === 'number' ? (m[k] as number) : null);
const of = (m: Record<string, MetricValue>, part: string, whole: string) => `${num(m, part) ?? '–'}/${num(m, whole) ?? '–'}`;

export const coreDefects: CoreDefect[] = [
  { scenario: 'pool-exhaustion', label: 'DB pool: requests failed', figure: (m) => `${num(m, 'errorRatePct') ?? '–'} % (${of(m, 'errors', 'requests')})` },
  { scenario: 'gemini-429', label: 'AI chat: users who saw a failure', figure: (m) => `${num(m, 'aiFailureRatePct') ?? '–'} % (${of(m, 'aiFailures', 'chats')})` },
  { scenario: 'lost-update', label: 'Acknowledged writes lost', figure: (m) => `${num(m, 'lost') ?? '–'} of ${num(m, 'acknowledged') ?? '–'}` },
  { scenario: 'buffer-truncation', label: 'Long AI replies truncated', figure: (m) => of(m, 'truncated', 'streams') },
  {
    scenario: 'shared-ip-login',
    label: 'Logins blocked behind one IP',
    figure: (m) => `${of(m, 'legitBlocked', 'users')}${m.bruteForceLimited === true ? ', brute force limited' : m.bruteForceLimited === false ? ', brute force NOT limited' : ''}`,
  },
];

/**
 * Run before and after too, to put numbers next to the memo's claimed results (DB queries −90 %,
 * upload memory −70 %); they inform, they do not decide the demo's exit code.
 */
export const claimScenarios = ['cache-effectiveness', 'upload-memory'];

export interface DefectRow {
  scenario: string;
  label: string;
  before: string;
  after: string;
  beforeVerdict: ScenarioReport['verdict'] | 'missing';
  afterVerdict: ScenarioReport['verdict'] | 'missing';
  /** Reproduced before (fail) and gone after (pass). */
  held: boolean;
}

function find(report: Report, id: string): ScenarioReport | undefined {
  return report.scenarios.find((s) => s.id === id);
}

/** Pure: rows for the scenarios that ran in both reports. */
export function defectRows(before: Report, after: Report): DefectRow[] {
  const ran = new Set(before.options.scenarios);
  return coreDefects
    .filter((d) => ran.has(d.scenario))
    .map((d) => {
      const b = find(before, d.scenario);
      const a = find(after, d.scenario);
      return {
        scenario: d.scenario,
        label: d.label,
        before: b ? d.figure(b.metrics) : '–',
        after: a ? d.figure(a.metrics) : '–',
        beforeVerdict: b?.verdict ?? 'missing',
        afterVerdict: a?.verdict ?? 'missing',
        held: b?.verdict === 'fail' && a?.verdict === 'pass',
      };
    });
}

/** Why the loop did not hold, one line per defect that broke it; empty when it held. */
export function loopFailures(rows: DefectRow[]): string[] {
  return rows
    .filter((r) => !r.held)
    .map((r) =>
      r.beforeVerdict !== 'fail'
        ? `${r.scenario}: not reproduced before the fix (verdict ${r.beforeVerdict})`
        : `${r.scenario}: still ${r.afterVerdict} after the fix (${r.after})`,
    );
}
