/** src/demo/defects.ts: the five core defects the demo must reproduce and remove, and its exit rule. */
import { describe, expect, it } from 'vitest';
import { coreDefects, defectRows, loopFailures } from '../src/demo/defects.ts';
import type { Report, ScenarioReport } from '../src/report/types.ts';

function scenario(id: string, metrics: ScenarioReport['metrics'], verdict: ScenarioReport['verdict']): ScenarioReport {
  return { id, title: id, verdict, summary: '', metrics, thresholds: {}, evidence: [], durationMs: 1 };
}
function report(scenarios: ScenarioReport[]): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'genie-fix', version: '0' },
    target: { url: 'http://127.0.0.1:1' },
    startedAt: '2025-01-28T00:00:00Z',
    durationMs: 1,
    options: { users: 100, scenarios: scenarios.map((s) => s.id) },
    scenarios,
  };
}

describe('core defects', () => {
  it('are the five core scenarios, in run order', () => {
    expect(coreDefects.map((d) => d.scenario)).toEqual(['pool-exhaustion', 'gemini-429', 'lost-update', 'buffer-truncation', 'shared-ip-login']);
  });

  it('hold the loop only when a defect fails before and passes after, and say why otherwise', () => {
    const before = report([
      scenario('pool-exhaustion', { errorRatePct: 61, errors: 549, requests: 900 }, 'fail'),
      scenario('lost-update', { lost: 0, acknowledged: 29 }, 'pass'),
      scenario('shared-ip-login', { legitBlocked: 100, users: 100, bruteForceLimited: true }, 'fail'),
    ]);
    const after = report([
      scenario('pool-exhaustion', { errorRatePct: 0, errors: 0, requests: 900 }, 'pass'),
      scenario('lost-update', { lost: 0, acknowledged: 56 }, 'pass'),
      scenario('shared-ip-login', { legitBlocked: 3, users: 100, bruteForceLimited: false }, 'fail'),
    ]);
    const rows = defectRows(before, after);
    expect(rows.map((r) => [r.scenario, r.before, r.after, r.held])).toEqual([
      ['pool-exhaustion', '61 % (549/900)', '0 % (0/900)', true],
      ['lost-update', '0 of 29', '0 of 56', false],
      ['shared-ip-login', '100/100, brute force limited', '3/100, brute force NOT limited', false],
    ]);
    expect(loopFailures(rows)).toEqual([
      'lost-update: not reproduced before the fix (verdict pass)',
      'shared-ip-login: still fail after the fix (3/100, brute force NOT limited)',
    ]);
  });
});
