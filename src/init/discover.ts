/** Finds an app's route handlers (app router `route.ts`, pages router `pages/api`) and the URL each one serves. */
import fs from 'node:fs';
import path from 'node:path';

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

function walk(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.isDirectory()) {
      if (!SKIP.has(e.name) && !e.name.startsWith('.')) walk(path.join(dir, e.name), out);
    } else if (e.isFile() && CODE.test(e.name) && !e.name.endsWith('.d.ts')) {
      out.push(path.join(dir, e.name));
    }
  }
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
    const files: string[] = [];
    walk(path.join(appDir, base), files);
    for (const abs of files) {
      if (!/^route\.(?:ts|js|tsx|jsx|mjs)$/.test(path.basename(abs))) continue;
      const rel = path.relative(path.join(appDir, base), path.dirname(abs)).split(path.sep).filter(Boolean);
      out.push({ file: path.relative(appDir, abs).split(path.sep).join('/'), abs, router: 'app', ...urlOf(rel) });
    }
  }
  for (const base of ['pages/api', 'src/pages/api']) {
    const files: string[] = [];
    walk(path.join(appDir, base), files);
    for (const abs of files) {
      const rel = path.relative(path.join(appDir, base), abs).replace(CODE, '').split(path.sep);
      if (rel[rel.length - 1] === 'index') rel.pop();
      out.push({ file: path.relative(appDir, abs).split(path.sep).join('/'), abs, router: 'pages', ...urlOf(['api', ...rel]) });
    }
  }
  return out.sort((a, b) => a.urlPath.localeCompare(b.urlPath));
}
