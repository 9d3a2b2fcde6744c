/**
 * The report.json schema as code (zod) so reading a report and publishing schema/report.schema.json
 * come from one definition; test/report-schema.test.ts keeps the published file in step with it.
 */
import { z } from 'zod';

export const SCHEMA_VERSION = 1 as const;
export const SCHEMA_ID = 'https://github.com/genie-fix/genie-fix/schema/report.schema.json';

const verdict = z.enum(['pass', 'fail', 'error', 'skip']);
const metricValue = z.union([z.number(), z.string(), z.boolean(), z.null(), z.record(z.string(), z.number())]);

const thresholdResult = z.object({
  metric: z.string(),
  level: z.enum(['off', 'warn', 'error']),
  operator: z.enum(['<=', '<', '>=', '>', '==']),
  expected: z.union([z.number(), z.boolean()]),
  actual: z.union([z.number(), z.boolean(), z.null()]),
  passed: z.boolean(),
  message: z.string(),
});

const evidence = z.object({
  kind: z.string(),
  message: z.string(),
  samples: z.array(z.unknown()).optional(),
});

const timePoint = z.object({
  t: z.number().describe('milliseconds since the scenario started'),
  latencyMs: z.number().optional(),
  ok: z.number().optional(),
  errors: z.number().optional(),
});

const scenario = z.object({
  id: z.string().min(1),
  title: z.string(),
  verdict,
  summary: z.string(),
  metrics: z.record(z.string(), metricValue),
  thresholds: z.record(z.string(), thresholdResult),
  evidence: z.array(evidence),
  timeline: z.array(timePoint).optional(),
  durationMs: z.number().nonnegative(),
});

export const reportSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.literal('genie-fix'), version: z.string() }),
  target: z.object({ url: z.string().describe('credentials removed') }),
  startedAt: z.string().describe('ISO 8601'),
  durationMs: z.number().nonnegative(),
  options: z.object({ users: z.number().int().nonnegative(), scenarios: z.array(z.string()) }),
  scenarios: z.array(scenario),
  partial: z.boolean().optional(),
});

/** The JSON Schema published at schema/report.schema.json. */
export function reportJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(reportSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  return {
    $schema: generated.$schema,
    $id: SCHEMA_ID,
    title: 'genie-fix report.json',
    description:
      'Written by `genie-fix diagnose` (report.json in the --out folder). Units are in metric names: …Ms milliseconds, …Bytes bytes, …Pct percent 0–100. A reader refuses a schemaVersion newer than it knows.',
    ...Object.fromEntries(Object.entries(generated).filter(([k]) => k !== '$schema')),
  };
}
