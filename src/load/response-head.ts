import { MalformedResponseError } from './wire-errors.ts';

/** A response's status line and headers: the few the engine reads are picked out once, the rest on demand. */
export class ResponseHead {
  contentType = '';
  setCookie: string[] | undefined;
  /** The server's `Keep-Alive: timeout=N` hint. Units: seconds. */
  keepAliveTimeoutS: number | null = null;
  /** False after `Connection: close` (or an HTTP/1.0 answer without `Connection: keep-alive`). */
  keepAlive: boolean;
  contentLength = -1;
  chunked = false;
  /** Transfer-Encoding without chunked last: the body runs to the connection's close. */
  otherEncoding = false;

  constructor(
    readonly status: number,
    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    readonly minorVersion: number,
    /** The head as sent (latin1) and where its header lines start, for headers(). */
    private readonly text: string,
    private readonly headersAt: number,
  ) {
    this.keepAlive = minorVersion === 1;
  }

  /** Every header by lower-case name; a repeated header becomes a list (as undici and node:http give them). */
  headers(): Record<string, string | string[]> {
    const all: Record<string, string | string[]> = {};
    forEachHeader(this.text, this.headersAt, (start, colon, end) => {
      const name = this.text.slice(start, colon).toLowerCase();
      const value = utf8(this.text.slice(colon + 1, end).trim());
      const seen = all[name];
      all[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    });
    return all;
  }
}

/** Parses a status line and header lines (the head without its final CRLFCRLF). */
export function parseHead(text: string): ResponseHead {
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  // "HTTP/1.1 200 OK": version, a space, three digits, then a space and a reason or nothing.
  const minor = text.charCodeAt(7) - 0x30;
  const status = statusCode(text);
  if (!text.startsWith('HTTP/1.') || (minor !== 0 && minor !== 1) || eol < 12 || text.charCodeAt(8) !== 0x20 || status < 100 || (eol > 12 && text.charCodeAt(12) !== 0x20)) {
    throw new MalformedResponseError(`bad status line ${JSON.stringify(text.slice(0, Math.min(eol, 60)))}`);
  }
  const head = new ResponseHead(status, minor, text, eol + 2);
  let closeAsked = false;
  let keepAliveAsked = false;
  // Only six names are read, compared in place: most answers' headers make no strings at all but
  // the content type (bench/load.ts reads tens of thousands of heads a second).
  forEachHeader(text, eol + 2, (start, colon, end) => {
    const length = colon - start;
    if (length !== 10 && length !== 12 && length !== 14 && length !== 17) return;
    let from = colon + 1;
    let to = end;
    while (from < to && isSpace(text.charCodeAt(from))) from++;
    while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
    if (length === 12 && nameIs(text, start, 'content-type')) {
      head.contentType = text.slice(from, to);
    } else if (length === 14 && nameIs(text, start, 'content-length')) {
      const n = digits(text, from, to);
      if (n < 0) throw new MalformedResponseError(`bad Content-Length ${JSON.stringify(text.slice(from, Math.min(to, from + 40)))}`);
      if (head.contentLength >= 0 && head.contentLength !== n) throw new MalformedResponseError('two different Content-Length headers');
      head.contentLength = n;
    } else if (length === 17 && nameIs(text, start, 'transfer-encoding')) {
      const codings = text.slice(from, to).toLowerCase().split(',');
      head.chunked = (codings[codings.length - 1] as string).trim() === 'chunked';
      head.otherEncoding = !head.chunked;
    } else if (length !== 10) {
      return;
    } else if (nameIs(text, start, 'connection')) {
      if (to - from === 10 && nameIs(text, from, 'keep-alive')) keepAliveAsked = true;
      else if (to - from === 5 && nameIs(text, from, 'close')) closeAsked = true;
      else {
        for (const token of text.slice(from, to).toLowerCase().split(',')) {
          const t = token.trim();
          if (t === 'close') closeAsked = true;
          else if (t === 'keep-alive') keepAliveAsked = true;
        }
      }
    } else if (nameIs(text, start, 'keep-alive')) {
      // Usually exactly `timeout=N` (node:http, Apache); anything else goes through the general pattern.
      const n = text.startsWith('timeout=', from) ? digits(text, from + 8, to) : -1;
      if (n >= 0) head.keepAliveTimeoutS = n;
      else {
        const m = /(?:^|[,\s])timeout\s*=\s*"?(\d+)/i.exec(text.slice(from, to));
        if (m) head.keepAliveTimeoutS = Number(m[1]);
      }
    } else if (nameIs(text, start, 'set-cookie')) {
      (head.setCookie ??= []).push(utf8(text.slice(from, to)));
    }
  });
  if (closeAsked) head.keepAlive = false;
  else if (minor === 0) head.keepAlive = keepAliveAsked;
  // A body running to the close cannot leave the connection usable.
  if (head.otherEncoding || (!head.chunked && head.contentLength < 0 && status !== 204 && status !== 304)) head.keepAlive = false;
  return head;
}

/** The three digits at offsets 9–11 as a number, or -1. */
function statusCode(text: string): number {
  let code = 0;
  for (let i = 9; i < 12; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (!(d >= 0 && d <= 9)) return -1;
    code = code * 10 + d;
  }
  return code;
}

/**
 * Calls `each` with the offsets of every header line from `at` (name start, colon, line end), after
 * checking the line: a name of visible characters with no whitespace before the colon, and no
 * obsolete folded line, or it is not a header we can trust.
 */
function forEachHeader(text: string, at: number, each: (start: number, colon: number, end: number) => void): void {
  let start = at;
  while (start < text.length) {
    let end = text.indexOf('\r\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon <= start || colon >= end || !visibleName(text, start, colon)) {
      throw new MalformedResponseError(`bad header line ${JSON.stringify(text.slice(start, Math.min(end, start + 60)))}`);
    }
    each(start, colon, end);
    start = end + 2;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * True when the characters at `at` spell `lower` in any letter case. Folding with | 0x20 is safe
 * here: header names hold only visible characters, and no visible one folds onto `-` or a letter
 * but the letter's own capital.
 */
function nameIs(text: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) if ((text.charCodeAt(at + i) | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** The decimal number in text[from, to), or -1 if it is empty, too long to be exact, or not all digits. */
function digits(text: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (!(d >= 0 && d <= 9)) return -1;
    n = n * 10 + d;
  }
  return n;
}

function visibleName(text: string, start: number, colon: number): boolean {
  for (let i = start; i < colon; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

/** Header bytes were read as latin1; a value with bytes above 0x7f was most likely sent as UTF-8 (cookies, file names). */
function utf8(latin1: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

