/**
 * How an app is deployed, judged from the files that deploy it: a serverless platform (each function instance
 * keeps its own small pool) or a long-running server (one process keeps one pool for all its requests). The two
 * need opposite pool sizes, so a guess does harm either way: evidence for both, or for neither, is "unknown".
 */
import fs from 'node:fs';
import path from 'node:path';

export type DeployKind = 'serverless' | 'server';

export interface DeployVerdict {
  kind: DeployKind | 'unknown';
  /** What was found, app-relative ("vercel.json", "../../docker/Dockerfile.web", "next.config.ts: output 'standalone'"). */
  serverless: string[];
  server: string[];
}

const SERVERLESS_FILES = ['vercel.json', '.vercel', 'netlify.toml', '.netlify', 'open-next.config.ts', 'wrangler.toml', 'wrangler.json', 'wrangler.jsonc', 'serverless.yml', 'sst.config.ts', 'amplify.yml'];
const SERVERLESS_PACKAGES = /^(?:@vercel\/(?:node|functions)|vercel|@netlify\/plugin-nextjs|serverless|sst|@opennextjs\/.+)$/;
const SERVER_FILES = /^(?:Dockerfile(?:\..+)?|.+\.Dockerfile|docker-compose(?:\.[\w-]+)?\.ya?ml|compose\.ya?ml|fly\.toml|Procfile|render\.yaml|railway\.(?:json|toml)|ecosystem\.config\.c?js)$/;
const CUSTOM_SERVER = /^server\.(?:m?js|ts)$/;
const STANDALONE = /output\s*:[^,\n}]*['"]standalone['"]/;
// `node server.js`, `node .next/standalone/server.js`, `tsx server.ts`: a process that keeps running, not `next start`.
const START_SERVER = /\b(?:node|tsx|ts-node|bun)\s+(?:[\w./-]*\/)?[\w.-]*server[\w.-]*\.(?:m?js|ts)\b/;

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** A repository or workspace root: where a monorepo keeps the Dockerfile or compose file that deploys its apps. */
function isTop(dir: string): boolean {
  if (['.git', 'pnpm-workspace.yaml', 'turbo.json', 'lerna.json', 'nx.json'].some((f) => fs.existsSync(path.join(dir, f)))) return true;
  return Boolean(readJson(path.join(dir, 'package.json'))?.workspaces);
}

/** The app folder, then its parents up to the repository or workspace root (a monorepo deploys apps/web from the top). */
function foldersToSearch(root: string): string[] {
  const chain = [root];
  let dir = root;
  for (let depth = 0; depth < 4 && !isTop(dir); depth++) {
    const parent = path.dirname(dir);
    if (parent === dir) return [root];
    dir = parent;
    chain.push(dir);
  }
  // No repository root above: the app stands alone, its parents (a temp folder, a home folder) say nothing.
  return isTop(dir) ? chain : [root];
}

export function detectDeployKind(root: string): DeployVerdict {
  const serverless: string[] = [];
  const server: string[] = [];
  for (const dir of foldersToSearch(root)) {
    const rel = (name: string) => path.relative(root, path.join(dir, name)).split(path.sep).join('/');
    for (const name of list(dir)) {
      if (SERVERLESS_FILES.includes(name)) serverless.push(rel(name));
      if (SERVER_FILES.test(name)) server.push(rel(name));
      if (name === 'docker' && fs.statSync(path.join(dir, name)).isDirectory()) {
        for (const inner of list(path.join(dir, name))) if (SERVER_FILES.test(inner)) server.push(rel(`docker/${inner}`));
      }
    }
  }
  for (const name of list(root)) {
    if (/^next\.config\.(?:m?js|ts|cjs)$/.test(name) && STANDALONE.test(fs.readFileSync(path.join(root, name), 'utf8'))) server.push(`${name}: output 'standalone'`);
    if (CUSTOM_SERVER.test(name)) server.push(`${name} (custom server)`);
  }
  const pkg = readJson(path.join(root, 'package.json'));
  if (pkg) {
    const deps = { ...(pkg.dependencies as object | undefined), ...(pkg.devDependencies as object | undefined) };
    for (const dep of Object.keys(deps)) if (SERVERLESS_PACKAGES.test(dep)) serverless.push(`package.json: ${dep}`);
    const start = (pkg.scripts as Record<string, unknown> | undefined)?.start;
    if (typeof start === 'string' && START_SERVER.test(start)) server.push(`package.json start: ${start}`);
  }
  const kind = serverless.length && !server.length ? 'serverless' : server.length && !serverless.length ? 'server' : 'unknown';
  return { kind, serverless, server };
}
