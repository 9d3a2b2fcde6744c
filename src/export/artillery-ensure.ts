/**
 * Preset rules as Artillery `ensure` conditions over the counters genie-processor.cjs emits: one translation
 * table, so the exported scripts judge by the same rules diagnose does.
 */
import type { ThresholdRule } from '../report/thresholds.ts';

/**
 * A preset rule's metric as an Artillery `ensure` expression, over the processor's counters. A metric
 * missing here cannot be measured by Artillery; its rules are listed in the script's header instead.
 */
const ensureExpressions: Record<string, Record<string, string>> = {
  'pool-exhaustion': {
    errorRatePct: '(genie.requests - genie.ok_requests) / genie.requests * 100',
    p95Ms: 'http.response_time.p95',
  },
  'gemini-429': {
    aiFailures: 'genie.chats - genie.ok_chats',
    aiFailureRatePct: '(genie.chats - genie.ok_chats) / genie.chats * 100',
  },
  'buffer-truncation': { truncated: 'genie.long_replies - genie.whole_long_replies' },
  'lost-update': {},
  'shared-ip-login': {
    legitBlocked: 'genie.logins - genie.ok_logins',
    // A boolean metric is a condition: "at least one wrong password answered 429".
    bruteForceLimited: 'genie.bruteforce_limited >= 1',
  },
};

export interface Condition {
  expression: string;
  strict: boolean;
}

export interface EnsurePlan {
  conditions: Condition[];
  /** Rules Artillery cannot check, as `metric operator expected (level)`. */
  notExpressible: string[];
}

function ruleText(rule: ThresholdRule): string {
  return `${rule.metric} ${rule.operator} ${rule.expected} (${rule.level})`;
}

/** The rules as ensure conditions: error level fails the run (`strict`), warn level is reported only, off is left out. */
export function ensureConditions(id: string, rules: ThresholdRule[]): EnsurePlan {
  const plan: EnsurePlan = { conditions: [], notExpressible: [] };
  for (const rule of rules) {
    if (rule.level === 'off') continue;
    const measured = ensureExpressions[id]?.[rule.metric];
    if (!measured) {
      plan.notExpressible.push(ruleText(rule));
      continue;
    }
    let expression: string;
    if (typeof rule.expected === 'boolean') {
      if (rule.operator !== '==') {
        plan.notExpressible.push(ruleText(rule));
        continue;
      }
      expression = rule.expected ? measured : `not (${measured})`;
    } else expression = `${measured} ${rule.operator} ${rule.expected}`;
    plan.conditions.push({ expression, strict: rule.level === 'error' });
  }
  return plan;
}

