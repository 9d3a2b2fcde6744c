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
    /** The header lines as sent (latin1), for headers(). */
    private readonly lines: string[],
  ) {
    this.keepAlive = minorVersion === 1;
  }

  /** Every header by lower-case name; a repeated header becomes a list (as undici and node:http give them). */
  headers(): Record<string, string | string[]> {
    const all: Record<string, string | string[]> = {};
    for (const line of this.lines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      const value = utf8(line.slice(colon + 1).trim());
      const seen = all[name];
      all[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    return all;
  }
}

/** Parses a status line and header lines (the head without its final CRLFCRLF). */
export function parseHead(text: string): ResponseHead {
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  // "HTTP/1.1 200 OK": version, a space, three digits, then a space and a reason or nothing.
  if (!text.startsWith('HTTP/1.') || eol < 12 || text.charCodeAt(8) !== 0x20 || (eol > 12 && text.charCodeAt(12) !== 0x20)) {
    throw new MalformedResponseError(`bad status line ${JSON.stringify(text.slice(0, Math.min(eol, 60)))}`);
  }
  const minor = text.charCodeAt(7) - 0x30;
  const status = Number(text.slice(9, 12));
  if ((minor !== 0 && minor !== 1) || !(status >= 100 && status <= 999) || !/^\d{3}$/.test(text.slice(9, 12))) {
    throw new MalformedResponseError(`bad status line ${JSON.stringify(text.slice(0, Math.min(eol, 60)))}`);
  }
  const lines: string[] = [];
  const head = new ResponseHead(status, minor, lines);
  let closeAsked = false;
  let keepAliveAsked = false;
  let start = eol + 2;
  while (start < text.length) {
    let end = text.indexOf('\r\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 2;
    const colon = line.indexOf(':');
    const first = line.charCodeAt(0);
    // No name, whitespace before the colon, or an obsolete folded line: not a header we can trust.
    if (colon <= 0 || first === 0x20 || first === 0x09 || /[\s]/.test(line.slice(0, colon))) {
      throw new MalformedResponseError(`bad header line ${JSON.stringify(line.slice(0, 60))}`);
    }
    lines.push(line);
    // Only names of these lengths are read: content-type 12, content-length 14, transfer-encoding 17, connection / keep-alive / set-cookie 10.
    if (colon !== 10 && colon !== 12 && colon !== 14 && colon !== 17) continue;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    switch (name) {
      case 'content-type':
        head.contentType = value;
        break;
      case 'content-length': {
        if (!/^\d{1,15}$/.test(value)) throw new MalformedResponseError(`bad Content-Length ${JSON.stringify(value.slice(0, 40))}`);
        const n = Number(value);
        if (head.contentLength >= 0 && head.contentLength !== n) throw new MalformedResponseError('two different Content-Length headers');
        head.contentLength = n;
        break;
      }
      case 'transfer-encoding': {
        const codings = value.toLowerCase().split(',');
        const last = (codings[codings.length - 1] as string).trim();
        head.chunked = last === 'chunked';
        head.otherEncoding = !head.chunked;
        break;
      }
      case 'connection':
        for (const token of value.toLowerCase().split(',')) {
          const t = token.trim();
          if (t === 'close') closeAsked = true;
          else if (t === 'keep-alive') keepAliveAsked = true;
        }
        break;
      case 'keep-alive': {
        const m = /(?:^|[,\s])timeout\s*=\s*"?(\d+)/i.exec(value);
        if (m) head.keepAliveTimeoutS = Number(m[1]);
        break;
      }
      case 'set-cookie':
        (head.setCookie ??= []).push(utf8(value));
        break;
    }
  }
  if (closeAsked) head.keepAlive = false;
  else if (minor === 0) head.keepAlive = keepAliveAsked;
  // A body running to the close cannot leave the connection usable.
  if (head.otherEncoding || (!head.chunked && head.contentLength < 0 && status !== 204 && status !== 304)) head.keepAlive = false;
  return head;
}

/** Header bytes were read as latin1; a value with bytes above 0x7f was most likely sent as UTF-8 (cookies, file names). */
function utf8(latin1: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

