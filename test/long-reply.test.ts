import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LINE_WIDTH, MIN_LONG_REPLY, checkLongReply, longMarker, makeLongReply, parseLongMarker } from '../src/lab/long-reply.ts';

const HEADER = /^<<genie-long v1 chars=(\d+) sha256=([0-9a-f]{64})>>\n/;

describe('makeLongReply', () => {
  it('is exactly the asked size, every size, including where the header width changes', () => {
    const sizes = [MIN_LONG_REPLY, 100, 999, 1000, 1001, 1102, 1103, 1104, 10_104, 10_105, 10_106, 123_457, 2_000_000];
    for (let n = MIN_LONG_REPLY; n < 1300; n++) sizes.push(n);
    for (const n of sizes) {
      const text = makeLongReply(n);
      expect(text.length, `size ${n}`).toBe(n);
      expect(checkLongReply(text).ok, `size ${n}`).toBe(true);
    }
  });

  it('has a header whose count and sha256 cover the text after it, and numbered fixed-width lines', () => {
    const text = makeLongReply(50_000);
    const header = HEADER.exec(text);
    expect(header).not.toBeNull();
    const body = text.slice(header![0].length);
    expect(Number(header![1])).toBe(body.length);
    expect(createHash('sha256').update(body).digest('hex')).toBe(header![2]);
    const lines = body.split('\n');
    expect(lines[0]).toMatch(/^000001 /);
    expect(lines[1]).toMatch(/^000002 /);
    for (const line of lines.slice(0, -1)) expect(line.length + 1).toBe(LINE_WIDTH);
    expect(/^[\x20-\x7e\n<>]*$/.test(text)).toBe(true);
  });

  it('is deterministic and refuses sizes too small to hold its header', () => {
    expect(makeLongReply(4096)).toBe(makeLongReply(4096));
    expect(() => makeLongReply(MIN_LONG_REPLY - 1)).toThrow(RangeError);
    expect(() => makeLongReply(1.5 * 1000)).not.toThrow();
    expect(() => makeLongReply(1000.5)).toThrow(RangeError);
  });
});

describe('longMarker', () => {
  it('round-trips through parseLongMarker inside a prompt', () => {
    expect(longMarker(2_000_000)).toBe('[[genie:long:2000000]]');
    expect(parseLongMarker(`please write a lot ${longMarker(123)} thanks`)).toBe(123);
    expect(parseLongMarker('no marker here')).toBeNull();
  });
});

describe('checkLongReply', () => {
  const size = 2_000_000;
  const whole = makeLongReply(size);
  const headerChars = HEADER.exec(whole)![0].length;

  it('passes a whole reply and counts its chars', () => {
    expect(checkLongReply(whole)).toEqual({ ok: true, expectedChars: size, receivedChars: size });
  });

  it('locates a 500 KB hole in the middle at the line where it starts', () => {
    const cutAt = 700_000;
    const holed = whole.slice(0, cutAt) + whole.slice(cutAt + 500_000);
    const result = checkLongReply(holed);
    expect(result.ok).toBe(false);
    expect(result.expectedChars).toBe(size);
    expect(result.receivedChars).toBe(size - 500_000);
    expect(result.firstGapAtLine).toBe(Math.floor((cutAt - headerChars) / LINE_WIDTH) + 1);
    expect(result.reason).toMatch(/500000 chars missing/);
  });

  it('fails a truncated tail, naming the first incomplete line', () => {
    const result = checkLongReply(whole.slice(0, size - 1234));
    expect(result).toMatchObject({ ok: false, expectedChars: size, receivedChars: size - 1234 });
    expect(result.firstGapAtLine).toBe(Math.floor((size - 1234 - headerChars) / LINE_WIDTH) + 1);
    expect(result.reason).toMatch(/truncated: 1234 chars missing/);
  });

  it('fails a reply whose head was dropped (a buffer that kept only its tail)', () => {
    const result = checkLongReply(whole.slice(size - 500_000));
    expect(result).toMatchObject({ ok: false, expectedChars: null, receivedChars: 500_000, firstGapAtLine: 1 });
    expect(result.reason).toMatch(/header missing/);
  });

  it('fails a changed char and extra chars', () => {
    const i = headerChars + 40 * LINE_WIDTH + 10;
    const changed = whole.slice(0, i) + (whole[i] === 'x' ? 'y' : 'x') + whole.slice(i + 1);
    expect(checkLongReply(changed)).toMatchObject({ ok: false, firstGapAtLine: 41 });
    expect(checkLongReply(whole + 'tail')).toMatchObject({ ok: false, receivedChars: size + 4 });
  });
});

describe('isLongReply', () => {
  it('knows a long reply by its header or by any of its body lines, and nothing else', async () => {
    const { isLongReply } = await import('../src/lab/long-reply.ts');
    const text = makeLongReply(40_000);
    expect(isLongReply(text)).toBe(true);
    expect(isLongReply(text.slice(20_000))).toBe(true);
    expect(isLongReply(text.slice(0, 120))).toBe(true);
    expect(isLongReply('Boarding starts at 11:00.\n000123 is your cabin number, and the buffet opens at noon.')).toBe(false);
    expect(isLongReply('죄송합니다. 현재 AI 서비스가 일시적으로 사용 불가합니다.')).toBe(false);
    expect(isLongReply('')).toBe(false);
  });
});
