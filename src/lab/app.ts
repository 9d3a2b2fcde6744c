import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { repoRoot } from './state.ts';
import { runDetached, type SpawnedProcess } from './processes.ts';

/**
 * The sample app's side of the lab: finding it, building it only when it changed, and what its
 * instances need to start (the `next` binary, the DATABASE_URL parameters it ships with).
 */

/** Folders that are build output or installed packages, never app source. */
const NOT_SOURCE = new Set(['node_modules', '.next', '.git', 'generated', '.turbo', 'coverage']);
/** Files a build itself rewrites; hashing them would make every build look like a change. */
const BUILD_WRITTEN = [/^next-env\.d\.ts$/, /\.tsbuildinfo$/];
/** Not copied for patching. Generated code (the Prisma client) is copied: codemods type-check against it. */
const NOT_COPIED = new Set([...NOT_SOURCE].filter((d) => d !== 'generated'));

export const defaultAppDir = () => path.join(repoRoot, 'examples', 'genie-app');

export function assertNextApp(dir: string): void {
  const pkgFile = path.join(dir, 'package.json');
  let pkg: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } | undefined;
  try {
    pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  } catch {
    throw new UsageError(`no Next.js app in ${dir} (no readable package.json)`, 'pass --app <dir> pointing at a Next.js project');
  }
  if (!pkg?.dependencies?.next && !pkg?.devDependencies?.next) {
    throw new UsageError(`no Next.js app in ${dir} (package.json does not depend on next)`, 'pass --app <dir> pointing at a Next.js project');
  }
}

/** node_modules/<rel> found walking up from `dir`, as Node's resolution would. */
export function findUp(dir: string, rel: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules', rel);
    if (existsSync(candidate)) return candidate;
    if (d === path.dirname(d)) return undefined;
  }
}

export function nextBinary(appDir: string): string {
  const bin = findUp(appDir, path.join('next', 'dist', 'bin', 'next'));
  if (!bin) throw new UsageError(`next is not installed for ${appDir}`, 'run npm install at the repository root');
  return bin;
}

/**
 * Copies an app to <repo>/.genie-lab/apps/<name>/ so it resolves the repository's node_modules,
 * without node_modules or .next. A previous copy's .next is kept: if the new
 * sources hash the same, the lab skips the rebuild.
 */
export async function copyAppForPatching(srcDir: string, name: string): Promise<string> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new UsageError(`invalid app copy name "${name}"`, 'use letters, digits, ".", "_" or "-"');
  const dest = path.join(repoRoot, '.genie-lab', 'apps', name);
  const src = path.resolve(srcDir);
  if (src === dest) return dest;
  await fs.mkdir(dest, { recursive: true });
  for (const entry of await fs.readdir(dest)) {
    if (entry !== '.next') await fs.rm(path.join(dest, entry), { recursive: true, force: true });
  }
  await fs.cp(src, dest, {
    recursive: true,
    filter: (from) => {
      const rel = path.relative(src, from);
      if (rel === '') return true;
      const parts = rel.split(path.sep);
      if (parts.includes('node_modules')) return false;
      return !NOT_COPIED.has(parts[0]!);
    },
  });
  return dest;
}

async function sourceFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
  for (const entry of entries) {
    const relPath = rel ? path.join(rel, entry.name) : entry.name;
    if (entry.isDirectory()) {
      if (NOT_SOURCE.has(entry.name) || entry.name.startsWith('.genie-lab')) continue;
      out.push(...(await sourceFiles(dir, relPath)));
    } else if (entry.isFile() && !BUILD_WRITTEN.some((re) => re.test(entry.name))) {
      out.push(relPath);
    }
  }
  return out.sort();
}

function installedVersion(appDir: string, pkg: string): string {
  const file = findUp(appDir, path.join(pkg, 'package.json'));
  if (!file) return 'missing';
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Hash of everything a build depends on: sources (.env files included), installed next/prisma, build env. */
export async function buildHash(appDir: string, buildEnv: Record<string, string>): Promise<string> {
  const hash = createHash('sha256');
  for (const rel of await sourceFiles(appDir)) {
    hash.update(`file ${rel}\0`);
    hash.update(await fs.readFile(path.join(appDir, rel)));
  }
  for (const pkg of ['next', 'prisma', '@prisma/client', '@prisma/adapter-pg', 'react']) {
    hash.update(`pkg ${pkg}@${installedVersion(appDir, pkg)}\0`);
  }
  for (const key of Object.keys(buildEnv).sort()) hash.update(`env ${key}=${buildEnv[key]}\0`);
  hash.update(`node ${process.version}\0`);
  return hash.digest('hex');
}

/**
 * The hash lives beside the build it describes (in .next), so it is valid for any lab dir and
 * disappears when the build does (next build empties .next).
 */
const hashFile = (appDir: string) => path.join(appDir, '.next', 'genie-lab-build.json');

function buildEnvFor(appDir: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.build ?? '';
  const env: Record<string, string> = { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };
  // prisma generate would try to download a schema engine from an unreachable host; any executable satisfies it.
  if (!script.includes('PRISMA_SCHEMA_ENGINE_BINARY')) {
    env.PRISMA_SCHEMA_ENGINE_BINARY = process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/true';
  }
  return env;
}

export interface BuildResult {
  built: boolean;
  hash: string;
  /** Units: milliseconds. */
  durationMs: number;
}

/** Builds with the app's own `npm run build`, unless the stored hash says nothing changed. */
/** Called with each child we start, so the caller can record it before waiting on it. */
export type OnSpawn = (p: SpawnedProcess) => Promise<void>;

export async function buildApp(
  appDir: string,
  logFile: string,
  opts: { force?: boolean; onProgress?: (s: string) => void; onSpawn?: OnSpawn } = {},
): Promise<BuildResult> {
  const { force = false, onProgress, onSpawn } = opts;
  const started = Date.now();
  const env = buildEnvFor(appDir);
  return withBuildLock(appDir, async () => {
    const before = await buildHash(appDir, env);
    const stored = await fs.readFile(hashFile(appDir), 'utf8').then((t) => (JSON.parse(t) as { hash: string }).hash, () => '');
    if (!force && stored === before && existsSync(path.join(appDir, '.next', 'BUILD_ID'))) {
      return { built: false, hash: before, durationMs: Date.now() - started };
    }
    onProgress?.(`building ${path.relative(process.cwd(), appDir) || appDir} (npm run build)`);
    await runBuild(appDir, env, logFile, onSpawn);
    // A build may rewrite sources (Next adds to tsconfig.json): store the hash of what it left behind.
    const after = await buildHash(appDir, env);
    await fs.writeFile(hashFile(appDir), JSON.stringify({ hash: after, builtAt: new Date().toISOString() }) + '\n');
    return { built: true, hash: after, durationMs: Date.now() - started };
  });
}

async function runBuild(appDir: string, env: Record<string, string>, logFile: string, onSpawn?: OnSpawn): Promise<void> {
  const task = runDetached('npm', ['run', 'build'], { cwd: appDir, env: { ...process.env, ...env }, logFile });
  await onSpawn?.(task);
  const code = await task.exited;
  if (code !== 0) {
    const tail = (await fs.readFile(logFile, 'utf8')).trim().split('\n').slice(-15).join('\n');
    throw new UsageError(`the app build failed in ${appDir} (exit ${code}):\n${tail}`, `see ${logFile}`);
  }
}

/** Two labs building the same app folder at once would corrupt .next: serialise on a lock dir. */
async function withBuildLock<T>(appDir: string, fn: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  // Outside the app folder (which may be a git tree apply checks for cleanliness), in the ignored .genie-lab/.
  const lock = path.join(repoRoot, '.genie-lab', 'locks', `build-${createHash('sha1').update(path.resolve(appDir)).digest('hex').slice(0, 16)}`);
  await fs.mkdir(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fs.mkdir(lock);
      await fs.writeFile(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(await fs.readFile(path.join(lock, 'pid'), 'utf8').catch(() => '0'));
      let alive = false;
      try {
        if (holder > 0) {
          process.kill(holder, 0);
          alive = true;
        }
      } catch {
        alive = false;
      }
      if (!alive && holder > 0) {
        await fs.rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new UsageError(`another build holds ${lock}`, 'wait for it, or remove the folder if no build runs');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lock, { recursive: true, force: true });
  }
}

/** Parses a dotenv file's KEY=value lines (quotes removed); enough for DATABASE_URL. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    out[m[1]!] = value;
  }
  return out;
}

/**
 * The query string of the DATABASE_URL the app ships with (.env.production, then .env), so a
 * codemod's edit of `connection_limit` and friends reaches the running app as it would in production.
 */
export function appDatabaseUrlParams(appDir: string): URLSearchParams {
  for (const name of ['.env.production', '.env']) {
    const file = path.join(appDir, name);
    if (!existsSync(file)) continue;
    const url = parseDotenv(readFileSync(file, 'utf8')).DATABASE_URL;
    if (!url) continue;
    try {
      return new URL(url).searchParams;
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams();
}

export function appDatabaseUrl(appDir: string, role: string, password: string, port: number, database: string): string {
  const url = new URL(`postgresql://127.0.0.1:${port}/${database}`);
  url.username = role;
  url.password = password;
  for (const [k, v] of appDatabaseUrlParams(appDir)) url.searchParams.append(k, v);
  return url.toString();
}
