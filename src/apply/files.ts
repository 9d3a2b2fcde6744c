import fs from 'node:fs';
import path from 'node:path';

/** Folders never scanned: dependencies, build output, generated clients, and the modules genie-fix itself adds. */
const SKIP_DIRS = new Set(['node_modules', '.next', '.git', 'generated', 'dist', 'build', 'out', 'coverage', '.turbo', '.vercel', '.genie-lab']);
const SOURCE_EXT = /\.(?:ts|tsx|mts|cts)$/;

/** App-relative paths (forward slashes) of every TypeScript source under root, sorted for stable output. */
export function listSources(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (SKIP_DIRS.has(entry.name)) continue;
        if (childRel === 'lib/genie' || childRel === 'src/lib/genie') continue;
        walk(path.join(dir, entry.name), childRel);
      } else if (entry.isFile() && SOURCE_EXT.test(entry.name) && !entry.name.endsWith('.d.ts')) {
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
