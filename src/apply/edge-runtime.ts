/**
 * Edge runtime routes (`export const runtime = 'edge'`, and middleware) have no Node.js built-ins. A template
 * that imports `node:crypto` or `node:stream` type-checks there and fails at build or run time, so the type
 * check cannot catch it: an edit that brings such a template into edge code is not proven.
 */
import fs from 'node:fs';
import path from 'node:path';
import { siblingTemplates, TEMPLATES_DIR } from './workspace.ts';

const EDGE = /export\s+const\s+runtime\s*=\s*['"](?:edge|experimental-edge)['"]/;

export function isEdgeRuntime(rel: string, text: string): boolean {
  return EDGE.test(text) || /^(?:src\/)?middleware\.[cm]?tsx?$/.test(rel);
}

/** The Node.js built-ins a template needs, itself or through the sibling templates it imports. */
export function nodeBuiltinsOf(template: string, seen = new Set<string>()): string[] {
  if (seen.has(template)) return [];
  seen.add(template);
  const file = path.join(TEMPLATES_DIR, `${template}.ts`);
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  const own = [...text.matchAll(/^import\s[^;]*?from\s+['"](node:[\w/]+)['"]/gm)].filter((m) => !/^import\s+type\s/.test(m[0])).map((m) => m[1]!);
  return [...new Set([...own, ...siblingTemplates(text).flatMap((s) => nodeBuiltinsOf(s, seen))])];
}

/** Why an edited file cannot take the templates it now imports, or undefined when it can. */
export function edgeProblem(rel: string, after: string): string | undefined {
  if (!isEdgeRuntime(rel, after)) return undefined;
  for (const m of after.matchAll(/from\s+['"][^'"]*\/genie\/([\w.-]+)['"]/g)) {
    const builtins = nodeBuiltinsOf(m[1]!);
    if (builtins.length) return `it runs on the edge runtime, which has no ${builtins.join(', ')} (needed by lib/genie/${m[1]}.ts)`;
  }
  return undefined;
}
