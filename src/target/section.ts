/**
 * The part of the `--config` file that describes the target's requests (see schema.ts), and the
 * version rule: a file with a `target` section says which description version it is written in.
 */
import { z } from 'zod';
import { TARGET_VERSION, targetSchema } from './schema.ts';

export const targetConfigFields = {
  /** Version of the target description format; required with `target`. */
  version: z
    .number()
    .int()
    .refine((v) => v === TARGET_VERSION, { error: (issue) => `unsupported version ${String(issue.input)}; this genie-fix reads version ${TARGET_VERSION}` })
    .optional(),
  target: targetSchema.optional(),
};

export function checkTargetVersion(config: { version?: number; target?: unknown }, ctx: z.RefinementCtx): void {
  if (config.target && config.version === undefined) {
    ctx.addIssue({ code: 'custom', path: ['version'], message: `required with "target" (write "version": ${TARGET_VERSION})` });
  }
}
