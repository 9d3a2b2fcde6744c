import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import os from 'node:os';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';

/**
 * Everything a running lab is made of, written as each part starts, so `lab down` can stop what
 * exists even after `lab up` or the shell crashed half-way. Holds the admin DATABASE_URL: it is a
 * throwaway local credential, kept in this file (mode 0600) and redacted everywhere it is printed.
 */
export interface LabProcess {
  name: string;
  pid: number;
  /** Process group id; the whole group is stopped. */
  pgid: number;
  /** A substring of the command line, checked before signalling so a reused pid is left alone. */
  expect: string;
  /** `task`: initdb or the app build, recorded only while `lab up` waits for it. */
  kind: 'postgres' | 'daemon' | 'next' | 'task';
}

export interface LabState {
  version: 1;
  startedAt: string;
  /** True once every part answered; false while `lab up` is still working (or crashed). */
  ready: boolean;
  labDir: string;
  appDir?: string;
  url?: string;
  databaseUrl?: string;
  appDatabaseUrl?: string;
  geminiUrl?: string;
  statsUrl?: string;
  testUser?: { email: string; password: string };
  instanceUrls: string[];
  ports: Record<string, number>;
  processes: LabProcess[];
}

/** genie-fix's own folder: the sample app and the default lab folder are found from it, from src/ or dist/. */
export const repoRoot = PACKAGE_ROOT;

export function resolveLabDir(explicit?: string): string {
  return path.resolve(explicit ?? process.env.GENIE_LAB_DIR ?? defaultLabDir());
}

/**
 * <repo>/.genie-lab, unless we are root in a clone the `postgres` user cannot enter (under /root,
 * mode 0700): PostgreSQL's data must be reachable by the user it runs as, so the lab then lives in
 * the temp folder, under a name fixed per clone so `lab down` finds it again.
 */
function defaultLabDir(): string {
  const inRepo = path.join(repoRoot, '.genie-lab');
  if (process.getuid?.() !== 0 || reachableByOthers(repoRoot)) return inRepo;
  const id = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `genie-fix-lab-${id}`);
}

/**
 * The first folder on the way to `dir` (itself included) that other users cannot enter, or undefined.
 * As root the PostgreSQL server runs as `postgres`, an "other" user here.
 */
export function firstClosedFolder(dir: string): { folder: string; mode: number } | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const mode = statSync(d).mode & 0o777;
    if ((mode & 0o001) === 0) return { folder: d, mode };
    if (d === path.dirname(d)) return undefined;
  }
}

const reachableByOthers = (dir: string) => firstClosedFolder(dir) === undefined;

export const stateFile = (labDir: string) => path.join(labDir, 'state.json');

export async function readState(labDir: string): Promise<LabState | undefined> {
  try {
    return JSON.parse(await fs.readFile(stateFile(labDir), 'utf8')) as LabState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

let tmpCounter = 0;
const writeChains = new Map<string, Promise<void>>();

/** Atomic replace: a reader never sees half a file, even if we crash mid-write. Writes to one file keep their order. */
export function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value, null, 2) + '\n';
  const write = async () => {
    const tmp = `${file}.${process.pid}.${tmpCounter++}.tmp`;
    try {
      await fs.writeFile(tmp, text, { mode: 0o600 });
      await fs.rename(tmp, file);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  };
  const next = (writeChains.get(file) ?? Promise.resolve()).then(write, write);
  writeChains.set(file, next);
  return next;
}

export const writeState = (state: LabState) => writeJsonAtomic(stateFile(state.labDir), state);

/** Removes the state file, after any write still queued for it, and the temp files of writers that crashed. */
export async function removeState(labDir: string): Promise<void> {
  const file = stateFile(labDir);
  await writeChains.get(file)?.catch(() => undefined);
  await fs.rm(file, { force: true });
  const base = path.basename(file);
  const stale = (await fs.readdir(path.dirname(file)).catch(() => [] as string[])).filter((n) => n.startsWith(`${base}.`) && n.endsWith('.tmp'));
  await Promise.all(stale.map((n) => fs.rm(path.join(path.dirname(file), n), { force: true })));
}
