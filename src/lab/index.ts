import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.ts';
import { registerSecret } from '../redact.ts';
import { appDatabaseUrl, assertNextApp, buildApp, copyAppForPatching, defaultAppDir } from './app.ts';
import { startDaemon, type DaemonConfig, type LabGeminiExtras } from './daemon-client.ts';
import { LAB_DEFAULTS } from './defaults.ts';
import { startInstance, waitHealthy } from './instances.ts';
import { freePort, isPortOpen } from './ports.ts';
import { adminUrl, applySchemaAndSeed, createAppDatabase, initCluster, startServer, waitForServer } from './postgres.ts';
import { labDown } from './down.ts';
import { isAlive, groupMembers } from './processes.ts';
import { readState, removeState, repoRoot, resolveLabDir, writeState, type LabProcess, type LabState } from './state.ts';

export { copyAppForPatching } from './app.ts';
export { labDown } from './down.ts';
export { LAB_DEFAULTS } from './defaults.ts';
export { resolveLabDir } from './state.ts';

/**
 * The lab: the sample target diagnose runs against, made of real parts (DESIGN.md "Real parts,
 * not stand-ins"): embedded PostgreSQL sized like a small managed plan, a latency proxy in front of
 * it, mock Gemini with a quota, N `next start` instances behind a round-robin proxy.
 */
export interface LabOptions {
  app?: string;
  instances?: number;
  maxConnections?: number;
  /** Units: milliseconds added to each direction between the app and PostgreSQL. */
  dbLatencyMs?: number;
  labDir?: string;
  /** Mock Gemini's quota, and its Google-like faults / event separator (LabGeminiExtras). */
  gemini?: { maxConcurrent?: number; requestsPerWindow?: number; windowMs?: number; retryDelaySec?: number } & LabGeminiExtras;
  onProgress?: (step: string) => void;
  forceBuild?: boolean;
  /** Aborting (Ctrl-C) stops everything started so far; labUp then rejects. */
  signal?: AbortSignal;
  /** Extra environment for every app instance (e.g. REDIS_URL for a `--store redis` copy). */
  env?: Record<string, string>;
}

export interface LabInfo {
  url: string;
  /** Superuser URL straight to PostgreSQL (no latency proxy), for diagnose's --database-url sampler. */
  databaseUrl: string;
  geminiUrl: string;
  testUser: { email: string; password: string };
  instances: number;
  instanceUrls: string[];
  appDir: string;
  labDir: string;
  /** What the app instances use: role genie, through the latency proxy, with the app's own URL parameters. */
  appDatabaseUrl: string;
  pids: Record<string, number>;
  /** GET → JSON counters: { gemini: mock-gemini stats, dbProxy: latency proxy, proxy: round-robin per instance }. */
  statsUrl?: string;
}

const APP_DB = { database: 'genie', role: 'genie' };

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) throw new UsageError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return v;
}

/** Where the app runs from: in place inside the repository, or a copy there (it needs the root node_modules). */
async function resolveAppDir(app: string | undefined): Promise<string> {
  const dir = path.resolve(app ?? defaultAppDir());
  if (!existsSync(dir)) throw new UsageError(`no Next.js app in ${dir} (folder does not exist)`, 'pass --app <dir>');
  assertNextApp(dir);
  const rel = path.relative(repoRoot, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return copyAppForPatching(dir, path.basename(dir));
  return dir;
}

function infoFromState(state: LabState): LabInfo | undefined {
  if (!state.ready || !state.url || !state.databaseUrl || !state.appDatabaseUrl || !state.geminiUrl || !state.testUser || !state.appDir) {
    return undefined;
  }
  return {
    url: state.url,
    databaseUrl: state.databaseUrl,
    geminiUrl: state.geminiUrl,
    testUser: state.testUser,
    instances: state.instanceUrls.length,
    instanceUrls: state.instanceUrls,
    appDir: state.appDir,
    labDir: state.labDir,
    appDatabaseUrl: state.appDatabaseUrl,
    pids: Object.fromEntries(state.processes.map((p) => [p.name, p.pid])),
    statsUrl: state.statsUrl,
  };
}

async function distinctFreePorts(n: number, taken: Set<number>): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) {
    const p = await freePort();
    if (!taken.has(p)) {
      taken.add(p);
      ports.push(p);
    }
  }
  return ports;
}

/**
 * Starts the lab. One lab per lab dir: while one runs (or is starting) there, this refuses rather
 * than silently replacing it and killing the URL someone is using; what a crashed lab left behind
 * is cleaned up first. On any failure everything started so far is stopped again.
 */
export async function labUp(opts: LabOptions = {}): Promise<LabInfo> {
  const progress = opts.onProgress ?? (() => undefined);
  const instances = positiveInt('--instances', opts.instances, LAB_DEFAULTS.instances);
  const maxConnections = positiveInt('--max-connections', opts.maxConnections, LAB_DEFAULTS.maxConnections, 5);
  const dbLatencyMs = positiveInt('--db-latency-ms', opts.dbLatencyMs, LAB_DEFAULTS.dbLatencyMs, 0);
  const gemini = { ...LAB_DEFAULTS.gemini, ...opts.gemini };
  const labDir = resolveLabDir(opts.labDir);

  const appDir = await resolveAppDir(opts.app);
  const schemaFile = path.join(appDir, 'db', 'schema.sql');
  const seedFile = path.join(appDir, 'db', 'seed.mjs');
  if (!existsSync(schemaFile)) throw new UsageError(`no db/schema.sql in ${appDir}`, 'the lab creates the tables from that file');
  if (!existsSync(seedFile)) throw new UsageError(`no db/seed.mjs in ${appDir}`, 'the lab seeds users with its seed() export');

  const previous = await readState(labDir);
  if (previous) {
    const alive = await Promise.all(previous.processes.map(async (p) => (await groupMembers(p.pgid)).length > 0));
    if (alive.some(Boolean)) {
      const where = previous.ready && previous.url ? ` at ${previous.url}` : ' (still starting)';
      throw new UsageError(`a lab is already running in ${labDir}${where}`, 'stop it with genie-fix lab down, or pass another --lab-dir');
    }
    progress('cleaning up after a lab that crashed');
    await labDown({ labDir });
  }

  await fs.mkdir(labDir, { recursive: true });
  // As root, PostgreSQL runs as the `postgres` user and must reach its data folder through this one.
  await fs.chmod(labDir, 0o755);
  const logDir = path.join(labDir, 'logs');
  await fs.rm(logDir, { recursive: true, force: true });
  await fs.mkdir(logDir, { recursive: true });

  const state: LabState = {
    version: 1,
    startedAt: new Date().toISOString(),
    ready: false,
    labDir,
    appDir,
    instanceUrls: [],
    ports: {},
    processes: [],
  };
  await writeState(state);
  const aborted = () => opts.signal?.aborted === true;
  const checkAborted = () => {
    if (aborted()) throw new UsageError('lab up was interrupted', 'run genie-fix lab up again');
  };
  const record = async (p: LabProcess) => {
    state.processes.push(p);
    await writeState(state);
    // A process started after the abort must not escape the cleanup that is already under way.
    checkAborted();
  };
  const recordTask = (name: string) => async (p: { pid: number; pgid: number }) => record({ name, kind: 'task', expect: '', ...p });
  const forgetTask = async (name: string) => {
    state.processes = state.processes.filter((p) => p.name !== name);
    await writeState(state);
  };

  let buildInFlight: Promise<unknown> | undefined;
  try {
    const superPassword = randomBytes(18).toString('hex');
    const appPassword = randomBytes(18).toString('hex');
    const geminiKey = `lab-${randomBytes(16).toString('hex')}`;
    for (const s of [superPassword, appPassword, geminiKey]) registerSecret(s);

    const taken = new Set<number>();
    const [pgPort, ...instancePorts] = await distinctFreePorts(1 + instances, taken);
    state.ports.postgres = pgPort!;
    const admin = adminUrl(pgPort!, superPassword);
    state.databaseUrl = adminUrl(pgPort!, superPassword, APP_DB.database);

    // The build is the slow part and needs no database: it runs while PostgreSQL starts and is seeded.
    const build = buildApp(appDir, path.join(logDir, 'build.log'), {
      force: opts.forceBuild,
      onProgress: progress,
      onSpawn: recordTask('build'),
    }).finally(() => forgetTask('build'));
    build.catch(() => undefined);
    buildInFlight = build;

    progress('starting PostgreSQL');
    const pgOpts = {
      dataDir: path.join(labDir, 'pg', 'data'),
      port: pgPort!,
      superuserPassword: superPassword,
      maxConnections,
      logFile: path.join(logDir, 'postgres.log'),
    };
    await initCluster(pgOpts, recordTask('initdb'));
    await forgetTask('initdb');
    const pgProc = await startServer(pgOpts);
    await record({ name: 'postgres', kind: 'postgres', expect: 'postgres', ...pgProc });
    await waitForServer(admin, () => isAlive(pgProc.pid), pgOpts.logFile);

    checkAborted();
    progress('creating and seeding the genie database');
    await createAppDatabase(admin, { ...APP_DB, password: appPassword });
    const directAppUrl = `postgresql://${APP_DB.role}:${appPassword}@127.0.0.1:${pgPort}/${APP_DB.database}`;
    const seeded = await applySchemaAndSeed(directAppUrl, schemaFile, pathToFileURL(seedFile).href, LAB_DEFAULTS.seedUsers);
    if (!seeded?.testUser) throw new Error(`${seedFile} did not return a testUser`);
    state.testUser = seeded.testUser;

    checkAborted();
    progress('starting the latency proxy and mock Gemini');
    const daemonConfig: DaemonConfig = { pgPort: pgPort!, dbLatencyMs, instancePorts, gemini };
    const daemon = await startDaemon(labDir, daemonConfig, (p) => record({ name: 'daemon', kind: 'daemon', expect: 'lab/daemon.', ...p }));
    Object.assign(state.ports, {
      dbProxy: daemon.info.dbProxyPort,
      proxy: daemon.info.proxyPort,
      gemini: daemon.info.geminiPort,
      stats: Number(new URL(daemon.info.statsUrl).port),
    });
    state.geminiUrl = daemon.info.geminiUrl;
    state.statsUrl = daemon.info.statsUrl;
    state.appDatabaseUrl = appDatabaseUrl(appDir, APP_DB.role, appPassword, daemon.info.dbProxyPort, APP_DB.database);
    await writeState(state);

    const built = await Promise.race([build, abortedPromise(opts.signal)]);
    progress(built.built ? `app built in ${(built.durationMs / 1000).toFixed(1)} s` : 'app unchanged since the last build');

    checkAborted();
    progress(`starting ${instances} app instance${instances === 1 ? '' : 's'}`);
    const started: Array<{ url: string; pid: number; logFile: string }> = [];
    // The app's temp files (upload staging) stay inside the lab dir, so lab down removes them with it.
    const appTmp = path.join(labDir, 'tmp');
    await fs.mkdir(appTmp, { recursive: true });
    for (const [i, port] of instancePorts.entries()) {
      const logFile = path.join(logDir, `instance-${i + 1}.log`);
      const proc = startInstance(
        appDir,
        port,
        { TMPDIR: appTmp, ...opts.env, DATABASE_URL: state.appDatabaseUrl, GEMINI_BASE_URL: state.geminiUrl, GEMINI_API_KEY: geminiKey },
        logFile,
      );
      state.ports[`instance-${i + 1}`] = port;
      state.instanceUrls.push(`http://127.0.0.1:${port}`);
      await record({ name: `instance-${i + 1}`, kind: 'next', expect: 'next', ...proc });
      started.push({ url: `http://127.0.0.1:${port}`, pid: proc.pid, logFile });
    }
    progress('waiting for /api/health on every instance');
    await waitHealthy(started, undefined, aborted);
    checkAborted();

    state.url = daemon.info.proxyUrl;
    state.ready = true;
    await writeState(state);
    return infoFromState(state)!;
  } catch (err) {
    progress(aborted() ? 'interrupted; stopping what was started' : 'start failed; stopping what was started');
    // labDown also stops a build still running (it is recorded); then wait for it to be gone.
    await labDown({ labDir }).catch(() => undefined);
    await buildInFlight?.catch(() => undefined);
    if (err instanceof UsageError) throw err;
    throw new Error(`lab up failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Settles never unless the signal aborts, then rejects: lets a long wait end on Ctrl-C. */
function abortedPromise(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (!signal) return;
    const fail = () => reject(new UsageError('lab up was interrupted', 'run genie-fix lab up again'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

export async function labStatus(
  opts: { labDir?: string } = {},
): Promise<{ running: boolean; info?: LabInfo; processes: Array<{ name: string; pid: number; alive: boolean }> }> {
  const labDir = resolveLabDir(opts.labDir);
  const state = await readState(labDir);
  if (!state) return { running: false, processes: [] };
  const processes = await Promise.all(
    state.processes.map(async (p) => ({ name: p.name, pid: p.pid, alive: (await groupMembers(p.pgid)).length > 0 })),
  );
  const info = infoFromState(state);
  const proxyUp = state.ports.proxy ? await isPortOpen(state.ports.proxy) : false;
  const running = Boolean(info) && processes.length > 0 && processes.every((p) => p.alive) && proxyUp;
  return { running, info, processes };
}
