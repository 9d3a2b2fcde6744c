import fs from 'node:fs';
import path from 'node:path';

/** Folders never scanned: dependencies, build output, generated clients, and the modules genie-fix itself adds. */
const SKIP_DIRS = new Set(['node_modules', '.next', '.git', 'generated', 'dist', 'build', 'out', 'coverage', '.turbo', '.vercel', '.genie-lab']);
const SOURCE_EXT = /\.(?:ts|tsx|mts|cts)$/;

const SOURCE_OR_JAVASCRIPT = /\.(?:ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
/** Where an app keeps the code that serves requests: JavaScript there is code the codemods do not read. */
const SERVED_JAVASCRIPT = /^(?:src\/)?(?:app|pages|lib|server|utils)\/.*\.(?:js|jsx|mjs|cjs)$/;

/** The TypeScript sources, and how many JavaScript sources of the app's own code were not read (one walk). */
export function listAppSources(root: string): { sources: string[]; javascriptUnread: number } {
  const all = listSources(root, SOURCE_OR_JAVASCRIPT);
  return { sources: all.filter((rel) => SOURCE_EXT.test(rel)), javascriptUnread: all.filter((rel) => SERVED_JAVASCRIPT.test(rel)).length };
}

/** App-relative paths (forward slashes) of every TypeScript source under root (or of `ext`), sorted for stable output. */
export function listSources(root: string, ext: RegExp = SOURCE_EXT): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (SKIP_DIRS.has(entry.name)) continue;
        if (childRel === 'lib/genie' || childRel === 'src/lib/genie') continue;
        walk(path.join(dir, entry.name), childRel);
      } else if (entry.isFile() && ext.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        out.push(childRel);
      }
    }
  };
  walk(root, '');
  return out.sort();
}

/** Non-source files in one folder of the app (e.g. the .env files at its root). */
export function listFolder(root: string, relDir: string): string[] {
  const dir = path.join(root, relDir);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => (relDir && relDir !== '.' ? `${relDir}/${e.name}` : e.name))
    .sort();
}

/** Writes through a temp file in the same folder and a rename, so a crash never leaves half a file. */
export function writeAtomic(abs: string, content: string, target: string = abs): void {
  // `target` is where the bytes go: the real file behind a symlink, so the link itself stays a link.
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.genie-tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
