/**
 * The clone side of bench:realworld: find a clone, install its dependencies once (cached in the clone), and make a
 * throwaway git copy of it that apply can write to. The copy shares the clone's node_modules through symlinks, so
 * a monorepo is not reinstalled per run; the app's own node_modules becomes a folder of links so the libraries
 * apply adds (lru-cache, p-queue, …) can be linked in after --write, as the user's install would.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RealworldApp } from './data.ts';

export function shortCommit(app: RealworldApp): string {
  return app.commit.slice(0, 8);
}

/** `<clones>/<name>@<short commit>` (as the README's fetch recipe makes it), else `<clones>/<name>`. */
export function findClone(clones: string, app: RealworldApp): string | undefined {
  for (const candidate of [`${app.name}@${shortCommit(app)}`, app.name]) {
    const dir = path.join(clones, candidate);
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

function sh(command: string, cwd: string, log: string, env: NodeJS.ProcessEnv = {}): boolean {
  const fd = fs.openSync(log, 'a');
  try {
    const run = spawnSync('nice', ['-n', '10', 'bash', '-c', command], {
      cwd,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, CI: '1', PRISMA_SKIP_POSTINSTALL_GENERATE: '1', ...env },
      timeout: 60 * 60_000,
    });
    return run.status === 0;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Install once: a marker file in the clone records the install command that succeeded; a later run with the same
 * command skips it. Prisma generate runs with a stand-in schema engine (it does not use it, see DESIGN.md).
 */
export function ensureInstalled(clone: string, app: RealworldApp, logDir: string): { ok: boolean; detail: string } {
  const marker = path.join(clone, '.genie-bench-installed');
  const wanted = JSON.stringify({ install: app.install, prismaGenerate: app.prismaGenerate ?? null });
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === wanted) return { ok: true, detail: 'cached' };
  fs.mkdirSync(logDir, { recursive: true });
  const log = path.join(logDir, `${app.name}.install.log`);
  if (!sh(app.install, clone, log)) return { ok: false, detail: `install failed (${app.install}), see ${log}` };
  if (app.prismaGenerate) {
    const ok = sh(app.prismaGenerate, path.join(clone, app.appDir), log, { PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true' });
    if (!ok) return { ok: false, detail: `prisma generate failed (${app.prismaGenerate}), see ${log}` };
  }
  fs.writeFileSync(marker, wanted);
  return { ok: true, detail: 'installed' };
}

/** Every node_modules folder of the clone outside other node_modules (a workspace has one per package). */
function nodeModulesDirs(root: string, rel = '', depth = 0, found: string[] = []): string[] {
  if (depth > 4) return found;
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '.git') continue;
    const child = path.join(rel, entry.name);
    if (entry.name === 'node_modules') found.push(child);
    else if (!entry.name.startsWith('.')) nodeModulesDirs(root, child, depth + 1, found);
  }
  return found;
}

/** A folder whose entries link to the clone's: apply-added libraries can be linked in without touching the clone. */
function linkFarm(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const name of fs.readdirSync(from)) fs.symlinkSync(path.join(from, name), path.join(to, name));
}

const git = (cwd: string, ...args: string[]): string =>
  // No automatic gc: on a large clone it runs detached after a commit and is still writing .git when the copy is removed.
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', '-c', 'commit.gpgsign=false', '-c', 'gc.auto=0', '-c', 'maintenance.auto=false', ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });

export interface Copy {
  root: string;
  app: string;
  /** Files changed or added since the last commit, repo-relative to the app dir. */
  changedSinceCommit(): string[];
  commitAll(message: string): void;
  diff(): string;
  remove(): void;
}

/** A committed git copy of the clone (without its node_modules, which are linked). */
export function makeCopy(clone: string, app: RealworldApp): Copy {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `realworld-${app.name}-`));
  execFileSync('bash', ['-c', 'tar --exclude=node_modules --exclude=.git --exclude=.next --exclude=".genie-bench-*" -cf - . | tar -xf - -C "$0"', root], { cwd: clone });
  const appDir = path.join(root, app.appDir);
  for (const rel of nodeModulesDirs(clone)) {
    const target = path.join(root, rel);
    if (path.resolve(target) === path.resolve(appDir, 'node_modules')) linkFarm(path.join(clone, rel), target);
    else fs.symlinkSync(path.join(clone, rel), target);
  }
  // next-env.d.ts is generated by `next dev/build` and ignored by git; without it every app has the same
  // missing-image-module errors before and after, which only adds noise.
  const nextEnv = path.join(appDir, 'next-env.d.ts');
  if (!fs.existsSync(nextEnv)) fs.writeFileSync(nextEnv, '/// <reference types="next" />\n/// <reference types="next/image-types/global" />\n');
  git(root, 'init', '-q');
  fs.appendFileSync(path.join(root, '.git/info/exclude'), '\nnode_modules\n*.tsbuildinfo\n.next\nnext-env.d.ts\n');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'clone');
  return {
    root,
    app: appDir,
    changedSinceCommit: () =>
      git(appDir, 'status', '--porcelain', '--untracked-files=all', '--', '.')
        .split('\n')
        .filter(Boolean)
        .map((l) => path.relative(app.appDir, l.slice(3).replace(/^"|"$/g, ''))),
    commitAll(message) {
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '--allow-empty', '-m', message);
    },
    diff: () => git(root, 'diff', 'HEAD~1', 'HEAD'),
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Link the libraries apply added to package.json into the copy's app node_modules, from genie-fix's own install
 * (it tests its templates against these versions): what the user's `npm install` would do, without a network.
 */
function installedMajor(dir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version?.split('.')[0];
  } catch {
    return undefined;
  }
}

const rangeMajor = (range: string): string | undefined => /(\d+)/.exec(range)?.[1];

export function linkAddedDependencies(copy: Copy, deps: Record<string, string>, toolRoot: string): string[] {
  const missing: string[] = [];
  for (const [name, range] of Object.entries(deps)) {
    const target = path.join(copy.app, 'node_modules', name);
    // A hoisted transitive copy of another major (chatbot-ui has p-queue 6 via langchain) is what the user's
    // install replaces at the top level; only a copy of the requested major counts as installed.
    if (fs.existsSync(target) && installedMajor(target) === rangeMajor(range)) continue;
    const source = path.join(toolRoot, 'node_modules', name);
    if (!fs.existsSync(source)) {
      missing.push(name);
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (!fs.realpathSync(path.dirname(target)).startsWith(fs.realpathSync(copy.root) + path.sep)) {
      missing.push(`${name} (its scope folder links into the clone)`);
      continue;
    }
    fs.rmSync(target, { force: true }); // the farm's link only, never a path inside the clone
    fs.symlinkSync(source, target);
  }
  return missing;
}
