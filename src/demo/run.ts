/**
 * reproduce → fix → prove on the bundled sample app: lab up → diagnose → copy + apply --write →
 * lab up on the copy (rebuild) → diagnose with the same settings → compare. Everything the demo
 * starts is stopped in `finally`, also on failure and Ctrl-C.
 */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { labDown, labUp, copyAppForPatching, type LabInfo } from '../lab/index.ts';
import { defaultAppDir } from '../lab/app.ts';
import { diagnose } from '../diagnose/run.ts';
import { applyCodemods, type ApplyResult } from '../apply/index.ts';
import { writeReports } from '../report/write.ts';
import { compareReports } from '../report/compare.ts';
import type { Report } from '../report/types.ts';
import { claimScenarios, coreDefects, defectRows, loopFailures, type DefectRow } from './defects.ts';
import { claimsTable, type ClaimRow } from '../report/claims.ts';
import type { StepRunner } from './steps.ts';
import { FailureError, InterruptedError } from '../errors.ts';
import { DEFAULTS } from '../defaults.ts';

export interface DemoOptions {
  out: string;
  users?: number;
  /** Scenario ids (default: the five core defects plus the claim scenarios). The after-run uses exactly the same set. */
  scenarios?: string[];
  /** Codemods left out on purpose (to prove the loop notices a missing fix). */
  skipCodemods?: string[];
  /** Keep the patched copy (its path is printed). */
  keep?: boolean;
  labDir?: string;
  instances?: number;
  signal?: AbortSignal;
  steps: StepRunner;
  log: (line: string) => void;
}

export interface DemoResult {
  before: Report;
  after: Report;
  rows: DefectRow[];
  /** The memo's claimed results next to the measured figures. */
  claims: ClaimRow[];
  failures: string[];
  apply: ApplyResult;
  patchedDir: string;
  files: string[];
  exitCode: 0 | 1;
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const { steps, log } = opts;
  const scenarios = opts.scenarios ?? [...coreDefects.map((d) => d.scenario), ...claimScenarios];
  const users = opts.users ?? DEFAULTS.users;
  const out = path.resolve(opts.out);
  const labDir = opts.labDir;
  const patchName = `demo-${process.pid}`;
  let patchedDir = '';
  const run = (info: LabInfo, phase: 'before' | 'after', update: (detail: string) => void) =>
    diagnose({
      url: info.url,
      databaseUrl: info.databaseUrl,
      scenarios,
      users,
      out: path.join(out, phase),
      labDir: info.labDir,
      signal: opts.signal,
      log: () => undefined,
      // The step's spinner names the scenario that runs, not only a timer.
      progress: update,
    });

  try {
    const beforeLab = await steps.step('Start the lab with the unpatched sample app', (update) =>
      labUp({ labDir, instances: opts.instances, onProgress: update, signal: opts.signal }),
    );
    throwIfAborted(opts.signal);
    const before = await steps.step(`Reproduce: diagnose with ${users} users`, (update) => run(beforeLab, 'before', update));
    throwIfAborted(opts.signal);

    patchedDir = await steps.step('Copy the app for patching', () => copyAppForPatching(defaultAppDir(), patchName));
    throwIfAborted(opts.signal);
    const apply = await steps.step('Fix: genie-fix apply --write', () =>
      applyCodemods({
        dir: patchedDir,
        write: true,
        force: true,
        skip: opts.skipCodemods,
        // Size the pool from the lab's real server and instance count, as a user would with --database-url; the lab
        // runs its instances like serverless functions (each its own pool), as the sample's vercel.json says too.
        // The sample's checklist screen sends back the version it read: opt that route in to version checks,
        // as a user would with --version-check (blind writes are otherwise left alone).
        options: { databaseUrl: beforeLab.databaseUrl, instances: beforeLab.instances, deploy: 'serverless', versionCheck: ['app/api/checklist/route.ts'] },
      }),
    );
    const where = (n: { file: string; line?: number }) => `${n.file}${n.line ? `:${n.line}` : ''}`;
    for (const c of apply.codemods) {
      for (const ch of c.changes) {
        log(`  ${c.id}: ${where(ch)} ${ch.message}`);
        if (ch.memoWasWrong) log(`    memo was wrong: ${ch.memoWasWrong}`);
      }
      for (const f of c.failures) log(`  ${c.id}: FAILED ${where(f)} ${f.message}`);
    }
    for (const c of apply.codemods) for (const n of c.candidates) log(`  ${c.id}: needs a human: ${where(n)} ${n.message}`);
    // Sites that need a human are listed and left as they are; the diagnose after the fix judges the outcome.
    const failed = apply.codemods.filter((c) => c.failures.length).map((c) => c.id);
    if (failed.length) throw new FailureError(`apply could not fix the copy (${failed.join(', ')}); see the lines above`);
    // The server was needed until now: database-url sized the pool from its max_connections.
    await steps.step('Stop the lab', () => labDown({ labDir }));
    throwIfAborted(opts.signal);

    const afterLab = await steps.step('Rebuild and start the lab with the patched copy', (update) =>
      labUp({ labDir, app: patchedDir, instances: opts.instances, onProgress: update, signal: opts.signal }),
    );
    throwIfAborted(opts.signal);
    const after = await steps.step(`Prove: diagnose again with ${users} users`, (update) => run(afterLab, 'after', update));
    throwIfAborted(opts.signal);

    const files = await steps.step('Write the before/after report', async () => {
      const written = await writeReports(after.report, path.join(out, 'after'), { baseline: before.report });
      return written;
    });
    const rows = defectRows(before.report, after.report);
    const failures = loopFailures(rows);
    if (rows.length === 0) failures.push(`none of the core defects (${coreDefects.map((d) => d.scenario).join(', ')}) was among the scenarios run`);
    // Worse figures after the fix (e.g. queued chats take longer) are shown, not hidden; the proof is the verdicts.
    for (const r of compareReports(before.report, after.report).regressions) log(`  note: ${r.scenario} ${r.metric}: ${r.reason}`);
    return {
      before: before.report,
      after: after.report,
      rows,
      claims: claimsTable(before.report, after.report),
      failures,
      apply,
      patchedDir,
      files: [...before.files, ...files],
      // Only the core defects decide: the claim scenarios measure the memo's promises, some of which do not hold.
      exitCode: failures.length === 0 ? 0 : 1,
    };
  } finally {
    await labDown({ labDir }).catch(() => undefined);
    if (patchedDir && !opts.keep) await rm(patchedDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Ctrl-C between steps: the `finally` above stops the lab and removes the copy, then the command exits 130. */
function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new InterruptedError();
}
