import { describe, expect, it } from 'vitest';
import { aggregateRuns, median } from '../src/report/aggregate.ts';
import { readReport } from '../src/report/compare.ts';
import { evaluate, loadPreset, mergeRules, operators, verdictFrom, type Operator } from '../src/report/thresholds.ts';
import type { Report } from '../src/report/types.ts';

const fixtures = new URL('./fixtures/reports/', import.meta.url).pathname;

describe('operators', () => {
  const table: Array<[Operator, number | boolean, number | boolean, boolean]> = [
    ['<=', 1, 1, true], ['<=', 2, 1, false],
    ['<', 0, 1, true], ['<', 1, 1, false],
    ['>=', 1, 1, true], ['>=', 0, 1, false],
    ['>', 2, 1, true], ['>', 1, 1, false],
    ['==', 0, 0, true], ['==', 1, 0, false],
    ['==', true, true, true], ['==', false, true, false],
    // A boolean never satisfies an ordering, and a number never equals a boolean.
    ['<=', true, 1, false], ['==', 1, true, false],
  ];
  it.each(table)('%s: actual %s, expected %s → %s', (op, actual, expected, result) => {
    expect(operators[op](actual, expected)).toBe(result);
  });
});

describe('evaluate and verdictFrom', () => {
  it('checks every rule, reaches into record metrics, and only error level fails', () => {
    const metrics = { errorRatePct: 4, p95Ms: 5000, errorsByClass: { tooManyClients: 3 } };
    const results = evaluate(metrics, [
      { metric: 'errorRatePct', level: 'warn', operator: '<=', expected: 1 },
      { metric: 'p95Ms', level: 'off', operator: '<=', expected: 1 },
      { metric: 'errorsByClass.tooManyClients', level: 'error', operator: '==', expected: 0 },
      { metric: 'peakAppConnections', level: 'error', operator: '<=', expected: 10, whenPresent: true },
    ]);
    expect(results).toEqual([
      { metric: 'errorRatePct', level: 'warn', operator: '<=', expected: 1, actual: 4, passed: false, message: 'errorRatePct is 4, expected <= 1' },
      { metric: 'errorsByClass.tooManyClients', level: 'error', operator: '==', expected: 0, actual: 3, passed: false, message: 'errorsByClass.tooManyClients is 3, expected == 0' },
    ]);
    expect(verdictFrom(results)).toBe('fail');
    expect(verdictFrom(results.slice(0, 1))).toBe('pass');
  });

  it('fails an error-level rule whose metric was not measured', () => {
    const [r] = evaluate({}, [{ metric: 'lost', level: 'error', operator: '==', expected: 0 }]);
    expect(r).toMatchObject({ actual: null, passed: false, message: 'lost is not measured, expected == 0' });
  });
});

describe('presets', () => {
  it('strict spreads default: replaces same metric+operator, keeps the rest', () => {
    const def = loadPreset('default');
    const strict = loadPreset('strict');
    expect(def['pool-exhaustion']!.find((r) => r.metric === 'errorRatePct')!.expected).toBe(1);
    expect(strict['pool-exhaustion']!.find((r) => r.metric === 'errorRatePct')!.expected).toBe(0);
    expect(strict['pool-exhaustion']!.find((r) => r.metric === 'p95Ms')!.level).toBe('error');
    expect(strict['lost-update']).toEqual(def['lost-update']);
    expect(Object.keys(strict).sort()).toEqual(Object.keys(def).sort());
    for (const rules of Object.values(def)) for (const r of rules) expect(r.why, r.metric).toBeTruthy();
  });

  it('rejects an unknown preset with the names to choose from', () => {
    expect(() => loadPreset('lenient')).toThrow('unknown threshold preset "lenient", choose one of: default, strict');
  });

  it('mergeRules replaces same metric+operator and appends the rest', () => {
    const base = [{ metric: 'a', level: 'error' as const, operator: '<=' as const, expected: 1 }];
    expect(mergeRules(base, [{ metric: 'b', level: 'warn', operator: '==', expected: true }]).map((r) => r.metric)).toEqual(['a', 'b']);
    expect(mergeRules(base, [{ metric: 'a', level: 'warn', operator: '<=', expected: 3 }])).toEqual([{ metric: 'a', level: 'warn', operator: '<=', expected: 3 }]);
  });
});

describe('aggregateRuns', () => {
  it('takes medians and re-evaluates the recorded thresholds', () => {
    const after = readReport(fixtures + 'after.json');
    const regressed = readReport(fixtures + 'regressed.json');
    // Two good runs and one bad: the median is the good one, so the gate does not flip on noise.
    const agg = aggregateRuns([after, regressed, structuredClone(after)]);
    const pool = agg.scenarios.find((s) => s.id === 'pool-exhaustion')!;
    expect(pool.verdict).toBe('pass');
    expect(pool.metrics.errorRatePct).toBe(0);
    expect(pool.metrics.errorsByClass).toEqual({ tooManyClients: 0, poolTimeout: 0, timeout: 0, http5xx: 0 });
    expect(pool.evidence.at(-1)!.message).toContain('3 runs, verdicts: pass, fail, pass');
    // Two bad runs of three: fail, re-evaluated from the median.
    const bad = aggregateRuns([regressed, after, regressed]);
    expect(bad.scenarios.find((s) => s.id === 'lost-update')!).toMatchObject({ verdict: 'fail', metrics: { lost: 2 } });
    expect(bad.scenarios.find((s) => s.id === 'pool-exhaustion')!.thresholds.errorRatePct).toMatchObject({ actual: 42, passed: false });
  });

  it('majority for booleans; a scenario that mostly errored keeps the error', () => {
    const after = readReport(fixtures + 'after.json');
    const errored: Report = structuredClone(after);
    errored.scenarios = errored.scenarios.map((s) => ({ ...s, verdict: 'error' as const, summary: 'target unreachable', metrics: {} }));
    const agg = aggregateRuns([errored, after, errored]);
    expect(agg.scenarios[0]!).toMatchObject({ verdict: 'error', summary: 'target unreachable' });
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
