import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { workspaceNextApps } from '../src/apply/monorepo.ts';
import { assertNextProject } from '../src/apply/preflight.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'genie-mono-'));
  made.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const next = '{"dependencies":{"next":"15.0.0"}}';
const lib = '{"dependencies":{"zod":"3.0.0"}}';

describe('workspaceNextApps', () => {
  it('finds the Next.js apps of npm/yarn workspaces, pnpm-workspace.yaml and a turbo repo', () => {
    const npm = tree({ 'package.json': '{"workspaces":["apps/*","packages/ui"]}', 'apps/web/package.json': next, 'apps/api/package.json': lib, 'packages/ui/package.json': lib });
    expect(workspaceNextApps(npm)).toEqual(['apps/web']);
    const pnpm = tree({ 'package.json': '{}', 'pnpm-workspace.yaml': 'packages:\n  - "apps/*"\n  - "!apps/ignored"\n', 'apps/web/package.json': next, 'apps/docs/package.json': next });
    expect(workspaceNextApps(pnpm)).toEqual(['apps/docs', 'apps/web']);
    const turbo = tree({ 'package.json': '{}', 'turbo.json': '{}', 'apps/site/package.json': next });
    expect(workspaceNextApps(turbo)).toEqual(['apps/site']);
    expect(workspaceNextApps(tree({ 'package.json': lib }))).toEqual([]);
  });

  it('a monorepo root passed where an app is expected names its apps and the command to run', () => {
    const root = tree({ 'package.json': '{"workspaces":{"packages":["apps/*"]}}', 'apps/web/package.json': next });
    expect(() => assertNextProject(root)).toThrow(/is a monorepo root, not a Next\.js app; its Next\.js apps: apps\/web/);
  });
});
