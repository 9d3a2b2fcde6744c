/** Finds an app's route handlers (app router `route.ts`, pages router `pages/api`) and the URL each one serves. */
import path from 'node:path';
import { walkFiles } from '../../codemods/lib/walk-files.ts';

const SKIP = new Set(['node_modules', '.next', '.git', 'generated', 'dist', 'build', 'coverage', '.turbo']);
const CODE = /\.(?:ts|tsx|js|jsx|mjs)$/;

export interface RouteFile {
  /** App-relative, forward slashes. */
  file: string;
  abs: string;
  router: 'app' | 'pages';
  /** URL path with `{param}` for dynamic segments ("/api/v1/tallies/{tallyId}"). */
  urlPath: string;
  /** Dynamic segment names, in order. */
  params: string[];
}

/** Code files under `dir`, in the folders a route can live in. */
function walk(dir: string): string[] {
  return [...walkFiles(dir, { skipDir: (name) => SKIP.has(name) || name.startsWith('.'), keep: (name) => CODE.test(name) && !name.endsWith('.d.ts') })];
}

/** "[id]" → {id}, "[...slug]" / "[[...slug]]" → {slug}, "(group)" and "@slot" vanish. */
function urlOf(segments: string[]): { urlPath: string; params: string[] } {
  const params: string[] = [];
  const parts: string[] = [];
  for (const seg of segments) {
    if (/^\(.*\)$/.test(seg) || seg.startsWith('@')) continue;
    const dyn = /^\[{1,2}(?:\.\.\.)?([^\]]+)\]{1,2}$/.exec(seg);
    if (dyn) {
      params.push(dyn[1]!);
      parts.push(`{${dyn[1]}}`);
    } else {
      parts.push(seg);
    }
  }
  return { urlPath: '/' + parts.join('/'), params };
}

export function findRouteFiles(appDir: string): RouteFile[] {
  const out: RouteFile[] = [];
  for (const base of ['app', 'src/app']) {
    for (const abs of walk(path.join(appDir, base))) {
      if (!/^route\.(?:ts|js|tsx|jsx|mjs)$/.test(path.basename(abs))) continue;
      const rel = path.relative(path.join(appDir, base), path.dirname(abs)).split(path.sep).filter(Boolean);
      out.push({ file: path.relative(appDir, abs).split(path.sep).join('/'), abs, router: 'app', ...urlOf(rel) });
    }
  }
  for (const base of ['pages/api', 'src/pages/api']) {
    for (const abs of walk(path.join(appDir, base))) {
      const rel = path.relative(path.join(appDir, base), abs).replace(CODE, '').split(path.sep);
      if (rel[rel.length - 1] === 'index') rel.pop();
      out.push({ file: path.relative(appDir, abs).split(path.sep).join('/'), abs, router: 'pages', ...urlOf(['api', ...rel]) });
    }
  }
  return out.sort((a, b) => a.urlPath.localeCompare(b.urlPath));
}
