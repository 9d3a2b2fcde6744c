/** The target description (src/target): schema errors name every bad field; templates, pointers, accounts files. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accountAt, accountCount, parseConfig } from '../src/config.ts';
import { parseAccounts } from '../src/target/accounts.ts';
import { getPointer, pointerOf } from '../src/target/json-pointer.ts';
import { loadTargetConfig } from '../src/target/load.ts';
import { fill, fillPath, placeholdersIn } from '../src/target/placeholders.ts';

const dir = mkdtempSync(join(tmpdir(), 'genie-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bearerTarget = {
  session: { kind: 'bearer', token: '/token' },
  login: { method: 'POST', path: '/api/v1/sessions', json: { username: '{{account.id}}', password: '{{account.password}}' } },
  reads: [{ path: '/api/v1/me' }],
  chat: { request: { method: 'POST', path: '/api/v1/ranger', json: { question: '{{message}}' } }, streamFormat: 'text' },
  lostUpdate: [
    {
      mode: 'counter',
      create: { method: 'POST', path: '/api/v1/tallies', json: { label: 'genie {{run}}' }, capture: { tallyId: '/tally/id' } },
      adjust: { method: 'POST', path: '/api/v1/tallies/{{capture.tallyId}}/points', json: { delta: '{{delta}}' } },
      read: { path: '/api/v1/tallies/{{capture.tallyId}}' },
      value: '/tally/points',
      cleanup: { method: 'DELETE', path: '/api/v1/tallies/{{capture.tallyId}}' },
    },
  ],
};

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (err) {
    return (err as Error).message.split('\n').slice(1).map((l) => l.trim());
  }
  return [];
}

describe('target description schema', () => {
  it('accepts a complete bearer-token description and fills in defaults', () => {
    const config = parseConfig({ version: 1, target: bearerTarget });
    expect(config.target?.session).toEqual({ kind: 'bearer', token: '/token', header: 'authorization', scheme: 'Bearer' });
    expect(config.target?.accounts).toEqual({ from: 'file' });
    expect(config.target?.chat?.fallbackPatterns).toEqual([]);
    expect(config.target?.lostUpdate?.[0]).toMatchObject({ mode: 'counter', delta: 1 });
  });

  it('without a target section the config still describes the sample app', () => {
    const config = parseConfig({});
    expect(config.target).toBeUndefined();
    expect(config.routes.login).toBe('/api/auth/login');
  });

  it('names every bad field at once, structural and template problems together', () => {
    const raw = {
      version: 2,
      routes: { login: 'api/login' },
      target: {
        session: { kind: 'bearer', token: 'token', extra: 1 },
        login: { method: 'FETCH', path: '/s', json: { user: '{{account.name}}' } },
        reads: [],
        chat: { request: { method: 'POST', path: '/chat', json: { q: 'hello' } }, streamFormat: 'sse', fallbackPatterns: ['('] },
        lostUpdate: [{ mode: 'counter', adjust: { method: 'POST', path: '/t/{{capture.id}}', json: {} }, read: { path: '/t' }, value: 'points', delta: 0 }],
      },
    };
    expect(problems(raw).sort()).toEqual(
      [
        'routes.login: must start with "/"',
        'target.session: Unrecognized key: "extra": extra',
        'target.session.token: must be a JSON pointer such as "/token" or "/tally/points"',
        'target.login.method: Invalid option: expected one of "GET"|"POST"|"PUT"|"PATCH"|"DELETE"',
        'target.reads: Too small: expected array to have >=1 items',
        'target.chat.streamFormat: Invalid option: expected one of "auto"|"data-stream"|"ui-message-stream"|"text"|"gemini-sse"|"ndjson"',
        'target.lostUpdate.0.value: must be a JSON pointer such as "/token" or "/tally/points"',
        'target.lostUpdate.0.delta: must not be 0',
        'version: unsupported version 2; this genie-fix reads version 1',
        // Template problems come in the same pass, next to the malformed fields.
        'target.login.json.user: {{account.name}} is not known here; use one of: account.id, account.password, run, vu',
        'target.login: must use {{account.id}} somewhere (path or json)',
        'target.chat.request: must use {{message}} somewhere (path or json)',
        'target.chat.fallbackPatterns.0: not a regular expression: Invalid regular expression: /(/: Unterminated group',
        'target.lostUpdate.0.adjust.path: {{capture.id}}: nothing captures "id" before this request',
      ].sort(),
    );
  });

  it('names each placeholder problem by the field it sits in', () => {
    const raw = {
      version: 1,
      target: {
        session: { kind: 'bearer', token: '/token' },
        login: { method: 'POST', path: '/s', json: { user: '{{account.name}}' } },
        chat: { request: { method: 'POST', path: '/chat', json: { q: 'hello' } }, fallbackPatterns: ['('] },
        lostUpdate: [{ mode: 'counter', adjust: { method: 'POST', path: '/t/{{capture.id}}', json: {} }, read: { path: '/t' }, value: '/points' }],
      },
    };
    expect(problems(raw)).toEqual([
      'target.login.json.user: {{account.name}} is not known here; use one of: account.id, account.password, run, vu',
      'target.login: must use {{account.id}} somewhere (path or json)',
      'target.chat.request: must use {{message}} somewhere (path or json)',
      expect.stringMatching(/^target\.chat\.fallbackPatterns\.0: not a regular expression/),
      'target.lostUpdate.0.adjust.path: {{capture.id}}: nothing captures "id" before this request',
    ]);
  });

  it('requires a version with a target, and a login unless the session is a pre-made header or none', () => {
    expect(problems({ target: { session: { kind: 'cookie' } } })).toEqual([
      'target.login: required with a cookie session (the request that logs an account in)',
      'version: required with "target" (write "version": 1)',
    ]);
    expect(problems({ version: 1, target: { session: { kind: 'header', name: 'x-api-key', fromEnv: 'APP_KEY' } } })).toEqual([]);
    expect(problems({ version: 1, target: { session: { kind: 'none' } } })).toEqual([]);
  });
});

describe('templates and pointers', () => {
  it('keeps the type of a whole-string placeholder and splices inside longer strings', () => {
    const vars = { delta: 5, run: 'r1', 'capture.id': 'ab/c' };
    expect(fill({ delta: '{{delta}}', label: 'tally {{run}}', list: ['{{ capture.id }}'] }, vars)).toEqual({ delta: 5, label: 'tally r1', list: ['ab/c'] });
    expect(fillPath('/t/{{capture.id}}/points', vars)).toBe('/t/ab%2Fc/points');
    expect(() => fill('{{message}}', vars)).toThrow('{{message}} has no value');
  });

  it('lists where each placeholder sits', () => {
    expect(placeholdersIn({ a: { b: ['x {{run}}'] }, c: '{{vu}}' })).toEqual([
      { at: 'a.b.0', name: 'run' },
      { at: 'c', name: 'vu' },
    ]);
  });

  it('reads JSON pointers, escapes included', () => {
    const doc = { tally: { id: 'x', 'a/b': 1, '~t': 2 }, items: [{ id: 7 }] };
    expect(getPointer(doc, '/tally/id')).toBe('x');
    expect(getPointer(doc, '/tally/a~1b')).toBe(1);
    expect(getPointer(doc, '/tally/~0t')).toBe(2);
    expect(getPointer(doc, '/items/0/id')).toBe(7);
    expect(getPointer(doc, '/items/01')).toBeUndefined();
    expect(getPointer(doc, '/missing/x')).toBeUndefined();
    expect(getPointer(doc, '')).toBe(doc);
    expect(pointerOf(['tally', 'a/b'])).toBe('/tally/a~1b');
  });
});

describe('--accounts file', () => {
  it('takes a pattern or a list, not both, and names bad fields', () => {
    expect(parseAccounts({ pattern: { id: 'user{n:3}', password: 'pass-{n:3}', count: 120 } }, 'a').pattern?.first).toBe(1);
    expect(() => parseAccounts({ pattern: { id: 'user', password: 'p', count: 0 } }, 'a.json')).toThrow(
      /invalid a\.json: 2 problems\n {2}pattern\.id: must contain \{n\} or \{n:3\}.*\n {2}pattern\.count: /s,
    );
    expect(() => parseAccounts({}, 'a.json')).toThrow('(root): give exactly one of "pattern" or "list"');
    expect(() => parseAccounts({ list: [{ id: 'x', pass: 'y' }] }, 'a.json')).toThrow(/list\.0\.password: .*\n.*list\.0: Unrecognized key/s);
  });

  it('replaces the config accounts; ids fill {{account.id}} whatever the login field is', async () => {
    const configFile = join(dir, 'genie.json');
    writeFileSync(configFile, JSON.stringify({ version: 1, target: bearerTarget }));
    const patternFile = join(dir, 'pattern.json');
    writeFileSync(patternFile, '\uFEFF' + JSON.stringify({ pattern: { id: 'hiker{n:3}', password: 'summit-{n:3}', first: 1, count: 120 } }));
    const config = await loadTargetConfig(configFile, patternFile);
    expect(accountCount(config)).toBe(120);
    expect(accountAt(config, 1)).toEqual({ email: 'hiker002', password: 'summit-002' });

    const listFile = join(dir, 'list.json');
    writeFileSync(listFile, JSON.stringify({ list: [{ id: 'ann', password: 'one' }, { id: 'bo', password: 'two' }] }));
    const listed = await loadTargetConfig(configFile, listFile);
    expect(accountCount(listed)).toBe(2);
    expect(accountAt(listed, 3)).toEqual({ email: 'bo', password: 'two' });
    await expect(loadTargetConfig(configFile, join(dir, 'missing.json'))).rejects.toThrow(/cannot read --accounts .*missing\.json: ENOENT/);
  });

  it('diagnose --accounts with a bad file exits 2 naming the field, before any request', () => {
    const bad = join(dir, 'bad-accounts.json');
    writeFileSync(bad, JSON.stringify({ pattern: { id: 'hiker', password: 'x', count: 5 } }));
    const r = spawnSync(process.execPath, ['bin/genie-fix.js', 'diagnose', '--url', 'http://127.0.0.1:9', '--accounts', bad], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('pattern.id: must contain {n} or {n:3} (the account number)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
