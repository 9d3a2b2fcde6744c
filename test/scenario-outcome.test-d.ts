/**
 * A scenario measures; it cannot judge. The only verdicts it may report itself are the ones that say it
 * could not measure (skip, error), always with a reason — pass/fail come from the preset's rules.
 */
import { expectTypeOf, test } from 'vitest';
import type { Scenario, ScenarioOutcome, Unmeasured } from '../scenarios/types.ts';

test('a scenario reports skip or error with a reason, never pass or fail', () => {
  expectTypeOf<Unmeasured['verdict']>().toEqualTypeOf<'skip' | 'error'>();
  expectTypeOf<Unmeasured['reason']>().toEqualTypeOf<string>();
  expectTypeOf<{ verdict: 'fail'; reason: string }>().not.toExtend<Unmeasured>();
  expectTypeOf<ScenarioOutcome['unmeasured']>().toEqualTypeOf<Unmeasured | undefined>();
});

test('a scenario has no verdict function of its own', () => {
  expectTypeOf<Scenario>().not.toHaveProperty('check');
  expectTypeOf<Scenario>().not.toHaveProperty('defaultThresholds');
  expectTypeOf<Scenario['run']>().returns.resolves.toEqualTypeOf<ScenarioOutcome>();
});
