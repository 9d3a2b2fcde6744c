/**
 * A monorepo root is not an app, but it holds apps: the Next.js apps among its workspaces (npm/yarn
 * `workspaces`, pnpm-workspace.yaml, and the apps/* and packages/* folders turbo repos use) are what apply runs on.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** yaml (some 70 modules) is loaded only when there is a pnpm-workspace.yaml to read, not at every apply's start. */
const loadYaml = () => createRequire(import.meta.url)('yaml') as typeof import('yaml');

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function workspacePatterns(root: string): string[] {
  const pkg = readJson(path.join(root, 'package.json'));
  const ws = pkg?.workspaces as string[] | { packages?: string[] } | undefined;
  const patterns = Array.isArray(ws) ? ws : (ws?.packages ?? []);
  const pnpm = path.join(root, 'pnpm-workspace.yaml');
  if (fs.existsSync(pnpm)) {
    try {
      const doc = loadYaml().parse(fs.readFileSync(pnpm, 'utf8')) as { packages?: string[] } | null;
      patterns.push(...(doc?.packages ?? []));
    } catch {
      // an unreadable pnpm-workspace.yaml: fall back to the usual folders
    }
  }
  if (patterns.length === 0 && fs.existsSync(path.join(root, 'turbo.json'))) patterns.push('apps/*', 'packages/*');
  return patterns.filter((p) => !p.startsWith('!'));
}

/** Folders a pattern names: `apps/*`, `apps/**` (one level is enough for apps), or a plain path. */
function expand(root: string, pattern: string): string[] {
  const clean = pattern.replace(/\/+$/, '').replace(/^\.\//, '');
  const star = clean.search(/[*?]/);
  if (star < 0) return [clean];
  const base = clean.slice(0, clean.lastIndexOf('/', star) + 1).replace(/\/$/, '');
  const dir = path.join(root, base);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.'))
    .map((e) => (base ? `${base}/${e.name}` : e.name));
}

function isNextApp(dir: string): boolean {
  const pkg = readJson(path.join(dir, 'package.json')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } | undefined;
  return Boolean(pkg?.dependencies?.next ?? pkg?.devDependencies?.next);
}

/** App-relative folders of the Next.js apps in a monorepo root's workspaces, sorted; [] for anything else. */
export function workspaceNextApps(root: string): string[] {
  const found = new Set<string>();
  for (const pattern of workspacePatterns(root)) {
    for (const rel of expand(root, pattern)) if (isNextApp(path.join(root, rel))) found.add(rel);
  }
  return [...found].sort();
}
