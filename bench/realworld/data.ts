/** bench/realworld.json: the pinned public apps, what apply should do on each, and what it must leave alone. */
import fs from 'node:fs';
import { z } from 'zod';

const Site = z.object({
  codemod: z.string(),
  file: z.string(),
  /** fix: apply should edit this site; report: no safe edit exists, it should be listed (needs a human, or left alone with a note). */
  outcome: z.enum(['fix', 'report']).default('fix'),
  why: z.string(),
});

const App = z.object({
  name: z.string().regex(/^[\w.-]+$/),
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  /** Set when the pinned commit of the issue could not be used, with the reason. */
  substitution: z.string().optional(),
  appDir: z.string().default('.'),
  install: z.string(),
  prismaGenerate: z.string().optional(),
  applyArgs: z.array(z.string()).default([]),
  expected: z.array(Site),
  /** Files that must stay byte-identical (the traps of issue 10), app-relative, each with the reason. */
  untouched: z.array(
    z.object({
      file: z.string(),
      why: z.string(),
      /** When set, the file may change, but each of these snippets must still be in it (e.g. a kept validator call). */
      keep: z.array(z.string()).optional(),
    }),
  ),
});

const File = z.object({ $comment: z.string().optional(), apps: z.array(App).min(1) });

export type RealworldApp = z.infer<typeof App>;
export type ExpectedSite = z.infer<typeof Site>;

export function loadApps(file: string): RealworldApp[] {
  const parsed = File.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data.apps;
}
