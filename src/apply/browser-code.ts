/**
 * Which sources run in the browser, by Next.js's rules: a `'use client'` module and everything only client
 * modules (or pages-router pages, which are bundled for the browser) import. Server codemods never edit them:
 * a Gemini queue, a limiter or a database lock has no business in a bundle sent to users.
 */
import path from 'node:path';
import { ts } from 'ts-morph';
import { importedModuleNames } from './import-scan.ts';

export interface SourceText {
  rel: string; // app-relative, forward slashes
  text: string;
}

export function hasDirective(text: string, directive: 'use client' | 'use server'): boolean {
  // Directives must come before any statement; comments may precede them.
  const head = text.replace(/^\uFEFF/, '').replace(/^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '');
  return new RegExp(`^(['"])${directive}\\1`).test(head);
}

const SERVER_ENTRY = [
  /(?:^|\/)app\/(?:.*\/)?route\.[cm]?tsx?$/,
  /(?:^|\/)app\/(?:.*\/)?(?:page|layout|template|default|not-found|loading|head|opengraph-image|twitter-image|icon|apple-icon|sitemap|robots|manifest)\.[cm]?tsx?$/,
  /(?:^|\/)pages\/api\//,
  /^(?:src\/)?(?:middleware|proxy|instrumentation)\.[cm]?tsx?$/,
];
// Pages-router pages (not API routes) are rendered on the server and bundled for the browser.
const PAGES_PAGE = /^(?:src\/)?pages\/(?!api\/).*\.[cm]?tsx?$/;

function isServerEntry(rel: string, text: string): boolean {
  if (hasDirective(text, 'use client')) return false;
  return hasDirective(text, 'use server') || SERVER_ENTRY.some((re) => re.test(rel));
}

function isClientEntry(rel: string, text: string): boolean {
  return hasDirective(text, 'use client') || PAGES_PAGE.test(rel);
}

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '/index.ts', '/index.tsx'];

/** Resolves relative imports and tsconfig `paths` aliases to app sources; packages are not followed. */
export function makeResolver(root: string, rels: Set<string>): (fromRel: string, spec: string) => string | undefined {
  const aliases: Array<{ prefix: string; targets: string[] }> = [];
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile).config as
    | { compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> } }
    | undefined;
  const baseUrl = config?.compilerOptions?.baseUrl ?? '.';
  for (const [pattern, targets] of Object.entries(config?.compilerOptions?.paths ?? {})) {
    aliases.push({ prefix: pattern.replace(/\*$/, ''), targets: targets.map((t) => path.posix.join(baseUrl, t.replace(/\*$/, ''))) });
  }
  const pick = (base: string): string | undefined => {
    const clean = path.posix.normalize(base).replace(/^\.\//, '');
    if (rels.has(clean)) return clean;
    const stripped = clean.replace(/\.(?:js|jsx|mjs|cjs)$/, '');
    for (const ext of EXTENSIONS) if (rels.has(stripped + ext)) return stripped + ext;
    return undefined;
  };
  return (fromRel, spec) => {
    if (spec.startsWith('.')) return pick(path.posix.join(path.posix.dirname(fromRel), spec));
    for (const a of aliases) {
      if (!spec.startsWith(a.prefix)) continue;
      for (const t of a.targets) {
        const hit = pick(path.posix.join(t, spec.slice(a.prefix.length)));
        if (hit) return hit;
      }
    }
    return undefined;
  };
}

/**
 * A module client code imports that the server graph reaches only incidentally (a server page importing a
 * config that imports the client API, say) is still browser code when it says so: it lives in a `client/`
 * folder, or it touches the browser's globals.
 */
function looksLikeBrowserCode(rel: string, text: string): boolean {
  if (/(?:^|\/)client\//.test(rel)) return true;
  return /(?<![\w.])(?:window|document|localStorage|sessionStorage|navigator)\.[A-Za-z_]/.test(text);
}

/** App-relative paths of the sources that only ever run in the browser. */
export function browserOnlySources(root: string, sources: SourceText[]): Set<string> {
  const rels = new Set(sources.map((s) => s.rel));
  const resolve = makeResolver(root, rels);
  const textOf = new Map(sources.map((s) => [s.rel, s.text]));
  const imports = new Map<string, string[]>();
  const importsOf = (rel: string): string[] => {
    let out = imports.get(rel);
    if (!out) {
      const text = textOf.get(rel) ?? '';
      const names = importedModuleNames(text) ?? ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
      out = names.map((name) => resolve(rel, name)).filter((r): r is string => r !== undefined);
      imports.set(rel, out);
    }
    return out;
  };
  const reach = (starts: string[], enterClient: boolean): Set<string> => {
    const seen = new Set<string>();
    const stack = [...starts];
    while (stack.length) {
      const rel = stack.pop()!;
      if (seen.has(rel)) continue;
      // A 'use client' module imported from server code is a boundary: what it imports is bundled for the browser.
      if (!enterClient && hasDirective(textOf.get(rel) ?? '', 'use client')) continue;
      seen.add(rel);
      stack.push(...importsOf(rel));
    }
    return seen;
  };
  const server = reach(sources.filter((s) => isServerEntry(s.rel, s.text)).map((s) => s.rel), false);
  const client = reach(sources.filter((s) => isClientEntry(s.rel, s.text)).map((s) => s.rel), true);
  const out = new Set<string>();
  for (const rel of client) if (!server.has(rel) || looksLikeBrowserCode(rel, textOf.get(rel) ?? '')) out.add(rel);
  return out;
}
