import { describe, expect, it } from 'vitest';
import { createLineSplitter, createSseEventSplitter } from '../../codemods/templates/line-splitter.ts';
import type { Splitter } from '../../codemods/templates/line-splitter.ts';

/** mulberry32: small seeded PRNG so every failure is reproducible from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cut(text: string, random: () => number, maxChunk: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; ) {
    const size = 1 + Math.floor(random() * maxChunk);
    chunks.push(text.slice(i, i + size));
    i += size;
  }
  return chunks;
}

function runAll(splitter: Splitter, chunks: string[]): string[] {
  const out: string[] = [];
  for (const chunk of chunks) for (const item of splitter.push(chunk)) out.push(item);
  for (const item of splitter.flush()) out.push(item);
  return out;
}

describe('createLineSplitter', () => {
  it('reassembles a 5 MB stream of random lines exactly under 200 random cut patterns', () => {
    const random = prng(20250128);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 {}":,\r한글';
    const lines: string[] = [];
    const parts: string[] = [];
    let size = 0;
    while (size < 5 * 1024 * 1024) {
      const length = random() < 0.01 ? Math.floor(random() * 200_000) : Math.floor(random() * 300);
      let line = '';
      for (let i = 0; i < length; i++) line += alphabet[Math.floor(random() * alphabet.length)];
      if (line.endsWith('\r')) line += 'x'; // a '\r' right before the terminator would read as CRLF
      lines.push(line);
      const terminator = random() < 0.5 ? '\n' : '\r\n';
      parts.push(line, terminator);
      size += line.length + terminator.length;
    }
    const stream = parts.join('');

    for (let pattern = 0; pattern < 200; pattern++) {
      const cutter = prng(pattern + 1);
      // Mix tiny and large chunks: tiny ones split terminators, large ones carry many lines at once.
      const maxChunk = pattern % 4 === 0 ? 7 : pattern % 4 === 1 ? 600 : 70_000;
      const chunks = pattern % 4 === 0 ? cut(stream.slice(0, 200_000), cutter, maxChunk) : cut(stream, cutter, maxChunk);
      const got = runAll(createLineSplitter(), chunks);
      const expected = pattern % 4 === 0 ? expectedPrefix(stream.slice(0, 200_000)) : lines;
      if (got.length !== expected.length || got.some((line, i) => line !== expected[i])) {
        throw new Error(`cut pattern ${pattern} lost or changed data (${got.length} vs ${expected.length} lines)`);
      }
    }
  });

  function expectedPrefix(text: string): string[] {
    const out = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    if (out[out.length - 1] === '') out.pop();
    return out;
  }

  it('joins a CRLF split across chunks and keeps a lone \\r inside a line', () => {
    const splitter = createLineSplitter();
    expect(splitter.push('0:"a"\r')).toEqual([]);
    expect(splitter.push('\n0:"b"\r\n0:"c\rd"')).toEqual(['0:"a"', '0:"b"']);
    expect(splitter.push('\r')).toEqual([]);
    expect(splitter.push('\n')).toEqual(['0:"c\rd"']);
    expect(splitter.flush()).toEqual([]);
  });

  it('returns the unterminated last line on flush and keeps empty lines', () => {
    const splitter = createLineSplitter();
    expect(splitter.push('a\n\nb')).toEqual(['a', '']);
    expect(splitter.flush()).toEqual(['b']);
  });

  it('keeps a 3 MB line whole when it arrives in 1 KB chunks', () => {
    const line = 'y'.repeat(3 * 1024 * 1024);
    const got = runAll(createLineSplitter(), cut(`${line}\nend\n`, prng(7), 1024));
    expect(got.length).toBe(2);
    expect(got[0]!.length).toBe(line.length);
    expect(got[1]).toBe('end');
  });
});

describe('createSseEventSplitter', () => {
  const events = ['{"text":"one"}', 'two\nlines', '{"text":"three"}'];
  const body = (sep: '\n' | '\r\n') =>
    events.map((e) => e.split('\n').map((l) => `data: ${l}${sep}`).join('') + sep).join('');

  for (const sep of ['\n', '\r\n'] as const) {
    it(`delivers events separated by ${JSON.stringify(sep + sep)} split at every position`, () => {
      const text = body(sep);
      for (let at = 0; at <= text.length; at++) {
        for (let at2 = at; at2 <= text.length; at2 += 5) {
          const got = runAll(createSseEventSplitter(), [text.slice(0, at), text.slice(at, at2), text.slice(at2)]);
          expect(got).toEqual(events);
        }
      }
      const byChar = runAll(createSseEventSplitter(), text.split(''));
      expect(byChar).toEqual(events);
    });
  }

  it('does not emit an event before its blank line, and flush delivers an unterminated last one', () => {
    const splitter = createSseEventSplitter();
    expect(splitter.push('data: {"a":1}\n')).toEqual([]);
    expect(splitter.push('\ndata: [DONE]')).toEqual(['{"a":1}']);
    expect(splitter.flush()).toEqual(['[DONE]']);
  });

  it('keeps a 2 MB single event whole', () => {
    const payload = JSON.stringify({ text: 'z'.repeat(2 * 1024 * 1024) });
    const got = runAll(createSseEventSplitter(), cut(`data: ${payload}\r\n\r\ndata: after\r\n\r\n`, prng(3), 4096));
    expect(got.length).toBe(2);
    expect(got[0]!.length).toBe(payload.length);
    expect(got[0]).toBe(payload);
    expect(got[1]).toBe('after');
  });
});
