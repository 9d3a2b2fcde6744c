/**
 * The package as users get it: `npm pack` yields a tarball that, installed in an empty folder, runs
 * `npx genie-fix --help` and `apply` on a small Next.js app — compiled JavaScript only (no tsx, no
 * TypeScript sources of ours), the templates shipped as .ts files.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'genie-package-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string, timeout = 120_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

describe('npm pack → install in an empty folder → npx genie-fix', () => {
  it('runs --help and apply from the tarball, with no TypeScript of ours at run time', () => {
    const pack = run('npm', ['pack', '--json', '--pack-destination', work], REPO, 240_000);
    expect(pack.code, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const shipped = info!.files.map((f) => f.path);
    expect(shipped).toContain('bin/genie-fix.js');
    expect(shipped).toContain('dist/src/cli.js');
    expect(shipped).toContain('codemods/templates/line-splitter.ts');
    // TypeScript ships only as templates for users' apps; the code that runs is JavaScript.
    expect(shipped.filter((p) => p.endsWith('.ts') && !p.startsWith('codemods/templates/'))).toEqual([]);

    const user = path.join(work, 'user');
    fs.mkdirSync(user);
    fs.writeFileSync(path.join(user, 'package.json'), '{ "name": "empty", "private": true }\n');
    const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, info!.filename)], user, 300_000);
    expect(install.code, install.stderr).toBe(0);
    expect(fs.existsSync(path.join(user, 'node_modules', 'tsx')), 'tsx is a dev dependency only').toBe(false);

    const help = run('npx', ['--no', '--', 'genie-fix', '--help'], user);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/Usage: genie-fix/);
    for (const command of ['diagnose', 'apply', 'compare', 'demo']) expect(help.stdout).toContain(command);

    // A small Next.js app with the memo's truncating stream buffer: apply's dry run fixes it with a template.
    const app = path.join(user, 'my-app');
    fs.mkdirSync(path.join(app, 'app/api/chat/stream'), { recursive: true });
    // No dependencies to install (an app/ folder makes it a Next.js app): the proof then runs on genie-fix's own
    // TypeScript, and the template's eventsource-parser must resolve from genie-fix's own install.
    fs.writeFileSync(path.join(app, 'package.json'), '{ "name": "my-app", "private": true }\n');
    fs.copyFileSync(path.join(REPO, 'codemods/__testfixtures__/stream-buffer/genie-chat.input.ts'), path.join(app, 'app/api/chat/stream/route.ts'));
    const apply = run('npx', ['--no', '--', 'genie-fix', 'apply', 'my-app', '--only', 'stream-buffer'], user);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/proof: every edit shown was type-checked in memory .* TypeScript \d/);
    expect(apply.stdout).not.toContain('needs a human');
    expect(apply.stdout).toContain('+++ b/app/api/chat/stream/route.ts');
    expect(apply.stdout).toContain('+++ b/lib/genie/line-splitter.ts');
    expect(apply.stdout).toMatch(/stream-buffer\s+changed/);
    expect(apply.stderr).not.toMatch(/\n\s+at /);
  }, 600_000);
});
