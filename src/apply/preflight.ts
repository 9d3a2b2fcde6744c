import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { workspaceNextApps } from './monorepo.ts';

/** A Next.js app: `next` among its dependencies, or an app/ or pages/ router folder. */
export function isNextProject(root: string): boolean {
  const pkgPath = path.join(root, 'package.json');
  if (fs.existsSync(pkgPath)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as Record<string, Record<string, string> | undefined>;
      if (pkg.dependencies?.next ?? pkg.devDependencies?.next) return true;
    } catch {
      throw new UsageError(`${pkgPath} is not valid JSON`);
    }
  }
  return ['app', 'pages', 'src/app', 'src/pages'].some((d) => fs.existsSync(path.join(root, d)));
}

export function assertNextProject(root: string): void {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new UsageError(`${root} is not a folder`);
  }
  if (isNextProject(root)) return;
  const apps = workspaceNextApps(root);
  if (apps.length) {
    throw new UsageError(
      `${root} is a monorepo root, not a Next.js app; its Next.js apps: ${apps.join(', ')}`,
      `run genie-fix apply ${apps.map((a) => path.join(root, a)).join(' or ')}`,
    );
  }
  throw new UsageError(`${root} is not a Next.js project (no "next" dependency and no app/ or pages/ folder)`);
}

/** Uncommitted changes under root (tracked or untracked); undefined when root is not inside a git work tree. */
export function gitDirtyFiles(root: string): string[] | undefined {
  try {
    execFileSync('git', ['-C', root, 'rev-parse', '--is-inside-work-tree'], { stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
  const out = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=all', '--', '.'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out.split('\n').filter(Boolean);
}

export function assertCleanTree(root: string, force: boolean): void {
  if (force) return;
  const dirty = gitDirtyFiles(root);
  if (dirty && dirty.length > 0) {
    throw new UsageError(
      `${root} has ${dirty.length} uncommitted change(s) (${dirty.slice(0, 3).map((l) => l.slice(3)).join(', ')}${dirty.length > 3 ? ', …' : ''}); commit or stash them so the codemods' changes can be reviewed and reverted`,
      'or pass --force',
    );
  }
}
