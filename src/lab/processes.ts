import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/**
 * Every lab child runs in its own process group and is stopped by group: `next start` forks a
 * `next-server` that survives when only its parent's pid is signalled.
 */
export interface SpawnedProcess {
  pid: number;
  /** The process group id; equal to pid because the child leads its own group. */
  pgid: number;
}

export interface SpawnDetachedOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here; the child must not depend on our pipes once we exit. */
  logFile: string;
  uid?: number;
  gid?: number;
}

/** Starts `command` as the leader of its own process group, output appended to the log file. */
function spawnInGroup(command: string, args: string[], opts: SpawnDetachedOptions): ChildProcess {
  const log = fs.openSync(opts.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ['ignore', log, log],
      uid: opts.uid,
      gid: opts.gid,
    });
    if (child.pid === undefined) {
      child.once('error', () => undefined); // the spawn error is reported by the throw below
      throw new Error(`could not start ${command}`);
    }
    return child;
  } finally {
    fs.closeSync(log);
  }
}

export function spawnDetached(command: string, args: string[], opts: SpawnDetachedOptions): SpawnedProcess {
  const child = spawnInGroup(command, args, opts);
  child.unref();
  return { pid: child.pid!, pgid: child.pid! };
}

/**
 * Like spawnDetached, for a task `lab up` waits for (initdb, the app build): its own group too, so
 * `lab down` can stop it if `lab up` dies while it runs, but kept referenced so we see it exit.
 */
export function runDetached(
  command: string,
  args: string[],
  opts: SpawnDetachedOptions,
): SpawnedProcess & { exited: Promise<number | null> } {
  const child = spawnInGroup(command, args, opts);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  return { pid: child.pid!, pgid: child.pid!, exited };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Live members of a process group (Linux /proc); empty when the group is gone. */
export async function groupMembers(pgid: number, includeZombies = false): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return isAlive(pgid) ? [pgid] : [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Fields after "(comm)": state ppid pgrp …; comm may contain spaces, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if ((includeZombies || fields[0] !== 'Z') && Number(fields[2]) === pgid) members.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return members;
}

/** The command line of a process, or '' when it is gone. Used to avoid signalling a reused pid. */
export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StopOptions {
  /** Units: milliseconds between the polite signal and SIGKILL. */
  graceMs?: number;
  /** Signal sent first to the group leader only (postgres: SIGINT = fast shutdown); default SIGTERM to the group. */
  leaderSignal?: NodeJS.Signals;
  /** A substring the group's processes' command lines must contain, so a reused pid is left alone. */
  expect?: string;
}

/** Stops a process group: polite signal, wait, then SIGKILL. Returns true when something was signalled. */
export async function stopGroup(pgid: number, opts: StopOptions = {}): Promise<boolean> {
  const graceMs = opts.graceMs ?? 5000;
  let members = await groupMembers(pgid);
  if (opts.expect) members = members.filter((pid) => commandLine(pid).includes(opts.expect!) || commandLine(pid) === '');
  if (members.length === 0) return false;
  if (opts.leaderSignal && isAlive(pgid)) {
    try {
      process.kill(pgid, opts.leaderSignal);
    } catch {
      // Already gone.
    }
  } else {
    signalGroup(pgid, 'SIGTERM');
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && (await groupMembers(pgid)).length > 0) await sleep(100);
  if ((await groupMembers(pgid)).length > 0) {
    signalGroup(pgid, 'SIGKILL');
    const killDeadline = Date.now() + 2000;
    while (Date.now() < killDeadline && (await groupMembers(pgid)).length > 0) await sleep(50);
  }
  // Our children were detached and re-parented to init once `lab up` exited; init reaps them shortly.
  // Waiting (bounded) for that means `ps` right after `lab down` shows nothing of the lab.
  const reapDeadline = Date.now() + 3000;
  while (Date.now() < reapDeadline && (await groupMembers(pgid, true)).length > 0) await sleep(100);
  return true;
}
