import { describe, expect, it } from 'vitest';
import { ResponseParser, type ResponseHead, type ResponseSink } from '../src/load/response-parser.ts';
import { MalformedResponseError } from '../src/load/wire-errors.ts';

/** What a parser reported for one response, in a shape tests compare whole. */
interface Seen {
  status: number | null;
  contentType: string;
  setCookie: string[] | undefined;
  keepAliveTimeoutS: number | null;
  body: string;
  ended: boolean;
  reusable: boolean | null;
}

class Recorder implements ResponseSink {
  head: ResponseHead | null = null;
  private readonly chunks: Buffer[] = [];
  ended = false;
  reusable: boolean | null = null;
  onResponseHead(head: ResponseHead): void {
    this.head = head;
  }
  onResponseBody(chunk: Buffer): void {
    this.chunks.push(Buffer.from(chunk));
  }
  onResponseEnd(reusable: boolean): void {
    this.ended = true;
    this.reusable = reusable;
  }
  seen(): Seen {
    const h = this.head;
    return {
      status: h?.status ?? null,
      contentType: h?.contentType ?? '',
      setCookie: h?.setCookie,
      keepAliveTimeoutS: h?.keepAliveTimeoutS ?? null,
      body: Buffer.concat(this.chunks).toString('utf8'),
      ended: this.ended,
      reusable: this.reusable,
    };
  }
}

/** Feeds `wire` in pieces of `size` bytes (1 = byte by byte) and reports what came out. */
function parse(wire: string | Buffer, size = Infinity, closeAtEnd = false): { seen: Seen; parser: ResponseParser; sink: Recorder } {
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire;
  const sink = new Recorder();
  const parser = new ResponseParser(sink);
  const step = Math.min(size, bytes.length) || 1;
  for (let at = 0; at < bytes.length; at += step) parser.feed(bytes.subarray(at, at + step));
  if (closeAtEnd) parser.end();
  return { seen: sink.seen(), parser, sink };
}

/** The same message fed at every possible split into two reads, and byte by byte: all must read alike. */
function parseEverySplit(wire: string): Seen[] {
  const bytes = Buffer.from(wire, 'latin1');
  const results: Seen[] = [parse(bytes, 1).seen];
  for (let cut = 1; cut < bytes.length; cut++) {
    const sink = new Recorder();
    const parser = new ResponseParser(sink);
    parser.feed(bytes.subarray(0, cut));
    parser.feed(bytes.subarray(cut));
    results.push(sink.seen());
  }
  return results;
}

const ok = (extra: Partial<Seen>): Seen => ({ status: 200, contentType: '', setCookie: undefined, keepAliveTimeoutS: null, body: '', ended: true, reusable: true, ...extra });

describe('ResponseParser framing', () => {
  it('reads a Content-Length body whole, split at any byte, and byte by byte', () => {
    const wire = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"hé"}';
    const want = ok({ contentType: 'application/json', body: '{"a":"hé"}' });
    // "é" is two bytes in UTF-8: the length counts bytes.
    const utf8Wire = Buffer.concat([Buffer.from(wire.slice(0, wire.indexOf('{')), 'latin1'), Buffer.from('{"a":"hé"}', 'utf8')]);
    expect(parse(utf8Wire).seen).toEqual(want);
    expect(parse(utf8Wire, 1).seen).toEqual(want);
    expect(parse(utf8Wire, 7).seen).toEqual(want);
  });

  it('reads a chunked body with chunk extensions and trailers, wherever the reads split it', () => {
    const wire =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\ncontent-type: text/plain\r\n\r\n' +
      '5;name=value\r\nhello\r\n' +
      '1 ; x="y"\r\n \r\n' +
      'A\r\nworld!!!!!\r\n' +
      '0\r\nExpires: never\r\nX-Checksum: abc\r\n\r\n';
    const want = ok({ contentType: 'text/plain', body: 'hello world!!!!!' });
    for (const seen of parseEverySplit(wire)) expect(seen).toEqual(want);
  });

  it('skips 1xx answers, even in the same read as the real one', () => {
    const wire = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok';
    for (const seen of parseEverySplit(wire)) expect(seen).toEqual(ok({ status: 201, body: 'ok' }));
  });

  it('reads no body for 204 and 304, whatever their headers say', () => {
    expect(parse('HTTP/1.1 204 No Content\r\n\r\n').seen).toEqual(ok({ status: 204 }));
    expect(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 120\r\n\r\n').seen).toEqual(ok({ status: 304 }));
  });

  it('reads a body with no length to the close, and never reuses that connection', () => {
    const { seen, parser } = parse('HTTP/1.1 200 OK\r\n\r\nall of it', 3);
    expect(seen).toMatchObject({ body: 'all of it', ended: false });
    expect(parser.end()).toBe(true);
    expect(parse('HTTP/1.1 200 OK\r\n\r\nall of it', 3, true).seen).toEqual(ok({ body: 'all of it', reusable: false }));
    // Transfer-Encoding without chunked last is close-delimited too.
    expect(parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz', 1, true).seen).toEqual(ok({ body: 'zz', reusable: false }));
  });

  it('tells a response cut short from a whole one', () => {
    const cut = parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    expect(cut.parser.end()).toBe(false);
    expect(cut.seen.ended).toBe(false);
    const cutChunked = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
    expect(cutChunked.parser.end()).toBe(false);
    const nothing = new ResponseParser(new Recorder());
    expect([nothing.end(), nothing.received]).toEqual([false, 0]);
  });
});

describe('ResponseParser connection reuse', () => {
  it('reuses after a clean HTTP/1.1 answer, not after Connection: close or extra bytes', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').seen.reusable).toBe(true);
    expect(parse('HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: 0\r\n\r\n').seen.reusable).toBe(false);
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA').seen).toEqual(ok({ body: 'ok', reusable: false }));
    // Both framings at once is how requests get smuggled: read by chunks, then close.
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n').seen).toEqual(ok({ body: 'ok', reusable: false }));
  });

  it('reuses an HTTP/1.0 answer only when it asks for keep-alive, and reads the timeout hint', () => {
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').seen.reusable).toBe(false);
    const hinted = parse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: max=100, timeout=5\r\nContent-Length: 0\r\n\r\n').seen;
    expect(hinted).toEqual(ok({ keepAliveTimeoutS: 5 }));
    const shouted = parse('HTTP/1.0 200 OK\r\nCONNECTION: KEEP-ALIVE\r\nkeep-alive: timeout=7, max=100\r\nContent-Length: 0\r\n\r\n').seen;
    expect(shouted).toEqual(ok({ keepAliveTimeoutS: 7 }));
    expect(parse('HTTP/1.1 200 OK\r\nConnection:\tCLOSE \r\nContent-Length: 0\r\n\r\n').seen.reusable).toBe(false);
  });

  it('is ready for the next response after reset', () => {
    const { parser, sink } = parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na');
    parser.reset();
    parser.feed(Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nb'));
    expect(sink.seen()).toEqual(ok({ status: 404, body: 'ab' }));
  });
});

describe('ResponseHead', () => {
  it('reads header names in any case, keeps every Set-Cookie, and lists all headers on demand', () => {
    const wire =
      'HTTP/1.1 200 OK\r\nSET-COOKIE: a=1; Path=/\r\nContent-TYPE: text/html\r\nset-cookie: b=2\r\nX-Thing:  spaced  \r\nContent-Length: 0\r\n\r\n';
    const { seen, sink } = parse(wire);
    expect(seen).toEqual(ok({ contentType: 'text/html', setCookie: ['a=1; Path=/', 'b=2'] }));
    expect(sink.head?.headers()).toEqual({ 'set-cookie': ['a=1; Path=/', 'b=2'], 'content-type': 'text/html', 'x-thing': 'spaced', 'content-length': '0' });
  });

  it('reads a UTF-8 cookie value as UTF-8', () => {
    const wire = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nSet-Cookie: name=', 'latin1'), Buffer.from('zoë', 'utf8'), Buffer.from('\r\nContent-Length: 0\r\n\r\n', 'latin1')]);
    expect(parse(wire).seen.setCookie).toEqual(['name=zoë']);
  });
});

describe('ResponseParser malformed answers', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a status line that is not HTTP/1.x', 'HTTP/2 200\r\n\r\n', /bad status line/],
    ['a status that is not three digits', 'HTTP/1.1 20 OK\r\n\r\n', /bad status line/],
    ['garbage instead of a response', 'hello there\r\n\r\n', /bad status line/],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nnonsense\r\n\r\n', /bad header line/],
    ['whitespace before a header colon', 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok', /bad header line/],
    ['a folded header line', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  more\r\n\r\n', /bad header line/],
    ['a negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /bad Content-Length/],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', /two different Content-Length/],
    ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /chunk size/],
    ['chunk data longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n', /chunk data longer/],
    ['a chunk size too large to be real', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffff\r\n', /chunk size too large/],
    ['an unasked-for protocol switch', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', /101/],
  ];
  for (const [what, wire, message] of cases) {
    it(`refuses ${what}, byte by byte too`, () => {
      expect(() => parse(wire)).toThrow(MalformedResponseError);
      expect(() => parse(wire)).toThrow(message);
      expect(() => parse(wire, 1)).toThrow(message);
    });
  }

  it('refuses a head larger than 64 KiB', () => {
    const wire = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`;
    expect(() => parse(wire, 1000)).toThrow(/response head larger than/);
  });
});
