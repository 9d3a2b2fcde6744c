/**
 * genie-fix's own folder (the one holding its package.json), found by walking up from this module: the
 * same answer whether the code runs as TypeScript from src/ or compiled into dist/src/, so what ships
 * beside the code (package.json, codemods/templates, the sample app) is found from either.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  const here = fileURLToPath(import.meta.url);
  let dir = dirname(here);
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'genie-fix') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`genie-fix: its package.json was not found above ${here}`);
    dir = parent;
  }
}

export const PACKAGE_ROOT: string = findPackageRoot();
