/**
 * The version, read once from genie-fix's own package.json (the one source of it). Found by walking
 * up from this module, so it holds whether this file runs as TypeScript from src/ or compiled
 * into another folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'genie-fix' && pkg.version) return pkg.version;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('genie-fix: package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export const VERSION: string = readVersion();
