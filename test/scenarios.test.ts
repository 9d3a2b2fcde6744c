/** Pure parts of diagnose: judging by the preset, failure rules, config validation, the stream reader on a real socket. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolMechanism } from '../scenarios/pool-exhaustion.ts';
import { userVisibleFailure, FALLBACK_TEXT } from '../scenarios/gemini-429.ts';
import { scenarios } from '../scenarios/index.ts';
import { accountAt, parseConfig } from '../src/config.ts';
import { UsageError } from '../src/errors.ts';
import { classifyResponse } from '../src/load/classify.ts';
import { HttpClient } from '../src/load/http.ts';
import { chat, type ChatStreamResult } from '../src/load/stream.ts';
import { judge, rulesFor } from '../src/diagnose/rules.ts';
import { selectScenarios } from '../src/diagnose/run.ts';
import { loadPreset, presetNames, verdictFrom } from '../src/report/thresholds.ts';

describe('scenarios are judged by the preset only', () => {
  const preset = loadPreset('default');

  it('pool-exhaustion fails on error rate; latency warns; a config threshold names the metric', () => {
    const bad = judge('pool-exhaustion', { errorRatePct: 58, p95Ms: 300 }, preset, undefined);
    expect(bad.map((r) => [r.metric, r.passed])).toEqual([['errorRatePct', false], ['p95Ms', true]]);
    expect(verdictFrom(bad)).toBe('fail');
    const slow = judge('pool-exhaustion', { errorRatePct: 0, p95Ms: 300 }, preset, { thresholds: { p95Ms: 200 }, levels: {} });
    expect(slow[1]).toMatchObject({ metric: 'p95Ms', expected: 200, actual: 300, passed: false, level: 'warn' });
    expect(verdictFrom(slow)).toBe('pass');
  });

  it('levels from the config turn a warning into a failure and back', () => {
    const metrics = { errorRatePct: 0, p95Ms: 9000 };
    expect(verdictFrom(judge('pool-exhaustion', metrics, preset, undefined))).toBe('pass');
    expect(verdictFrom(judge('pool-exhaustion', metrics, preset, { thresholds: {}, levels: { p95Ms: 'error' } }))).toBe('fail');
  });

  it('lost-update fails on any lost write; rejections are not losses; a config may tolerate some', () => {
    expect(verdictFrom(judge('lost-update', { lost: 0, rejected: 40 }, preset, undefined))).toBe('pass');
    expect(verdictFrom(judge('lost-update', { lost: 1 }, preset, undefined))).toBe('fail');
    expect(verdictFrom(judge('lost-update', { lost: 2 }, preset, { thresholds: { lost: 2 }, levels: {} }))).toBe('pass');
  });

  it('shared-ip-login fails when brute force is not limited even with nobody blocked', () => {
    const r = judge('shared-ip-login', { legitBlocked: 0, bruteForceLimited: false }, preset, undefined);
    expect(r.map((x) => [x.metric, x.passed])).toEqual([['legitBlocked', true], ['bruteForceLimited', false]]);
  });

  it('a config threshold { bruteForceLimited: true } is the preset rule, and judges brute force by it', () => {
    const settings = parseConfig({ scenarios: { 'shared-ip-login': { thresholds: { bruteForceLimited: true } } } }).scenarios['shared-ip-login'];
    expect(verdictFrom(judge('shared-ip-login', { legitBlocked: 0, bruteForceLimited: true }, preset, settings))).toBe('pass');
    expect(verdictFrom(judge('shared-ip-login', { legitBlocked: 0, bruteForceLimited: false }, preset, settings))).toBe('fail');
  });

  it('gemini-429 threshold is configurable by its metric', () => {
    expect(verdictFrom(judge('gemini-429', { aiFailures: 2 }, preset, undefined))).toBe('fail');
    expect(verdictFrom(judge('gemini-429', { aiFailures: 2 }, preset, { thresholds: { aiFailures: 5 }, levels: {} }))).toBe('pass');
  });

  it('a config naming no rule\'s metric (a typo, an old key) or the wrong type is a usage error naming the metrics', () => {
    expect(() => rulesFor('pool-exhaustion', preset, { thresholds: { maxP95Ms: 9000 }, levels: {} })).toThrow(UsageError);
    expect(() => rulesFor('pool-exhaustion', preset, { thresholds: { maxP95Ms: 9000 }, levels: {} })).toThrow(/thresholds\.maxP95Ms: no rule of pool-exhaustion reads the metric "maxP95Ms"/);
    expect(() => rulesFor('lost-update', preset, { thresholds: {}, levels: { lsot: 'warn' } })).toThrow(/levels\.lsot/);
    expect(() => rulesFor('shared-ip-login', preset, { thresholds: { bruteForceLimited: 1 }, levels: {} })).toThrow(/expected a boolean/);
  });

  it('every registered scenario has rules in every preset', () => {
    for (const name of presetNames) {
      const rules = loadPreset(name);
      for (const s of scenarios) expect(rules[s.id]?.length, `${name}: ${s.id}`).toBeGreaterThan(0);
    }
  });

  it('no scenario carries a verdict of its own', () => {
    for (const s of scenarios) expect(Object.keys(s).sort()).toEqual(expect.not.arrayContaining(['check', 'defaultThresholds', 'verdict']));
  });

  it('runs all eight in order: the later three before shared-ip-login, which spends the IP\'s login budget', () => {
    expect(scenarios.map((s) => s.id)).toEqual([
      'pool-exhaustion', 'gemini-429', 'lost-update', 'buffer-truncation', 'cache-effectiveness', 'upload-memory', 'session-id', 'shared-ip-login',
    ]);
  });

  it('every scenario summarizes its metrics in one sentence', () => {
    for (const s of scenarios) expect(s.summarize({})).toMatch(/\.$/);
  });
});

describe('pool mechanism', () => {
  it('names the pool mechanism from bodies and the database sample', () => {
    expect(poolMechanism({ errors: 3, errorsByClass: { tooManyClients: 3 } })).toBe('server-refused');
    expect(poolMechanism({ errors: 3, errorsByClass: { '5xx': 3 }, maxConnections: 10, reservedConnections: 3, peakAppConnections: 7 })).toBe('server-refused');
    expect(poolMechanism({ errors: 3, errorsByClass: { poolTimeout: 3 } })).toBe('pool-wait-timeout');
    expect(poolMechanism({ errors: 0 })).toBe('none');
    expect(poolMechanism({ errors: 2, errorsByClass: { '5xx': 2 } })).toBe('unknown');
  });
});

describe('user-visible AI failures', () => {
  const ok: ChatStreamResult = {
    format: 'data-stream', status: 200, ttfbMs: 1, ttftMs: 2, totalMs: 3, maxGapMs: 0, bytes: 10, lines: 2, unparsedLines: 0,
    text: 'hello', errorParts: [], finishReason: 'stop', finishPresent: true, complete: true,
  };
  it('classifies each kind', () => {
    expect(userVisibleFailure(ok)).toBeNull();
    expect(userVisibleFailure({ ...ok, text: FALLBACK_TEXT, finishReason: 'error' })).toBe('fallbackText');
    expect(userVisibleFailure({ ...ok, errorParts: ['boom'] })).toBe('errorPart');
    expect(userVisibleFailure({ ...ok, finishReason: 'error' })).toBe('finishError');
    expect(userVisibleFailure({ ...ok, text: ' ' })).toBe('emptyReply');
    expect(userVisibleFailure({ ...ok, complete: false, finishPresent: false })).toBe('incomplete');
    expect(userVisibleFailure({ ...ok, bytes: 0, failure: '5xx' })).toBe('http');
  });
  it('classifies database error bodies', () => {
    expect(classifyResponse(500, 'Timed out fetching a new connection from the connection pool')).toBe('pool-timeout');
    expect(classifyResponse(500, 'error: sorry, too many clients already')).toBe('too-many-clients');
    expect(classifyResponse(500, 'remaining connection slots are reserved for roles with the SUPERUSER attribute')).toBe('too-many-clients');
    expect(classifyResponse(503, '')).toBe('5xx');
    expect(classifyResponse(200, 'Timed out fetching')).toBeNull();
  });
});

describe('config', () => {
  it('defaults fit the sample app', () => {
    const c = parseConfig({});
    expect(c.routes.login).toBe('/api/auth/login');
    expect(accountAt(c, 0)).toEqual({ email: 'user001@genie.test', password: 'genie-pass-001' });
    expect(accountAt(c, 119)).toEqual({ email: 'user120@genie.test', password: 'genie-pass-120' });
  });
  it('the account pattern is overridable', () => {
    const c = parseConfig({ credentials: { accounts: { email: 'p{n}@ship.test', password: 'pw-{n:4}', first: 7, count: 2 } } });
    expect([accountAt(c, 0), accountAt(c, 1)]).toEqual([
      { email: 'p7@ship.test', password: 'pw-0007' },
      { email: 'p8@ship.test', password: 'pw-0008' },
    ]);
  });
  it('lists every bad field by path, one line each, under a summary', () => {
    let err: unknown;
    try {
      parseConfig({ routes: { chat: 5 }, credentials: { list: [] }, scenarios: { 'lost-update': { levels: { lost: 'fatal' } } } }, 'cfg.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const lines = (err as Error).message.split('\n');
    expect(lines[0]).toBe('invalid cfg.json: 3 problems');
    expect(lines.slice(1).map((l) => l.trim().split(':')[0]).sort()).toEqual(['credentials.list', 'routes.chat', 'scenarios.lost-update.levels.lost']);
  });
  it('rejects unknown scenario ids with the list to choose from', () => {
    expect(() => selectScenarios(['pool'], undefined)).toThrow(/choose from: pool-exhaustion, gemini-429/);
    expect(selectScenarios(undefined, ['gemini-429']).map((s) => s.id)).not.toContain('gemini-429');
  });
});

describe('stream reader on a real socket', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/v4') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('0:"Hel');
        setTimeout(() => res.end('lo"\n0:" world"\ne:{"finishReason":"stop"}\nd:{"finishReason":"stop"}\n'), 80);
      } else if (req.url === '/v5') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: {"type":"start"}\r\n\r\ndata: {"type":"text-delta","id":"1","delta":"Hi"}\n\ndata: {"type":"finish"}\n\ndata: [DONE]\n\n');
      } else if (req.url === '/cut') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('0:"partial"\n0:"broken');
      } else {
        res.writeHead(500).end('sorry, too many clients already');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads both AI SDK formats and flags cut streams', async () => {
    const client = new HttpClient(base, new AbortController().signal, 4);
    const v4 = await chat(client, '/v4', 'x', undefined, 5000);
    expect([v4.format, v4.text, v4.finishReason, v4.complete]).toEqual(['data-stream', 'Hello world', 'stop', true]);
    expect(v4.maxGapMs).toBeGreaterThanOrEqual(40);
    const v5 = await chat(client, '/v5', 'x', undefined, 5000);
    expect([v5.format, v5.text, v5.finishPresent, v5.complete]).toEqual(['ui-message-stream', 'Hi', true, true]);
    const cut = await chat(client, '/cut', 'x', undefined, 5000);
    expect([cut.text, cut.finishPresent, cut.unparsedLines, cut.complete]).toEqual(['partial', false, 1, false]);
    const err = await chat(client, '/err', 'x', undefined, 5000);
    expect([err.status, err.failure]).toEqual([500, 'too-many-clients']);
    await client.close();
  });
});
