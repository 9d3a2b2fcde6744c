import type { CookieJar } from './cookies.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

const ACCEPT = 'application/json, text/event-stream, */*';
/** Paths remembered per jar (or for requests with no jar) before the memory is cleared: load loops hit a few paths, ids in paths would grow it without end. */
const MAX_CACHED_PATHS = 64;
/** Header values and paths that would end a line early or smuggle a second header. */
// eslint-disable-next-line no-control-regex
const UNSAFE_VALUE = /[\r\n\0]/;
/** What undici accepted in a path: visible latin1, no spaces or controls. */
const UNSAFE_PATH = /[^\u0021-\u00ff]/;

/**
 * The bytes of request heads for one origin. A request with no headers or body of its own (the load
 * loops' case) reuses the Buffer made for its path and jar until the jar changes (its revision), so
 * the hot loop writes a cached Buffer and builds no strings.
 */
export class RequestHeads {
  private readonly byJar = new WeakMap<CookieJar, { revision: number; byPath: Map<string, Buffer> }>();
  private readonly noJar = new Map<string, Buffer>();

  constructor(
    /** The Host header: host, and port when not the scheme's default. */
    private readonly host: string,
  ) {}

  /** A GET's head, from the cache when its jar has not changed since. */
  plainGet(path: string, jar: CookieJar | undefined): Buffer {
    let byPath: Map<string, Buffer>;
    if (!jar) byPath = this.noJar;
    else {
      const entry = this.byJar.get(jar);
      if (entry && entry.revision === jar.revision) byPath = entry.byPath;
      else {
        byPath = new Map();
        this.byJar.set(jar, { revision: jar.revision, byPath });
      }
    }
    const cached = byPath.get(path);
    if (cached) return cached;
    const head = this.build('GET', path, jar, undefined, undefined);
    if (byPath.size >= MAX_CACHED_PATHS) byPath.clear();
    byPath.set(path, head);
    return head;
  }

  /**
   * Any request's bytes, head and body together. Session headers then the request's own override
   * `accept`; the jar's cookies are the Cookie header; a JSON body sets its type and length.
   * Throws on a path or header that would break the request's framing.
   */
  build(method: Method, path: string, jar: CookieJar | undefined, own: Record<string, string> | undefined, json: string | undefined): Buffer {
    if (UNSAFE_PATH.test(path) || !path.startsWith('/')) throw new TypeError(`invalid request path ${JSON.stringify(path.slice(0, 80))}`);
    const merged: Record<string, string> = { accept: ACCEPT, ...jar?.headers() };
    // One value per name whatever its letter case: the request's own `Accept` replaces ours.
    if (own) for (const name of Object.keys(own)) merged[name.toLowerCase()] = own[name] as string;
    const cookie = jar?.header();
    if (cookie) merged.cookie = cookie;
    // The transport frames the message itself: a caller's host or framing header would contradict it.
    delete merged.host;
    delete merged['transfer-encoding'];
    delete merged.connection;
    delete merged['content-length'];
    let body: Buffer | undefined;
    if (json !== undefined) {
      body = Buffer.from(json, 'utf8');
      merged['content-type'] = 'application/json';
      merged['content-length'] = String(body.length);
    } else if (method !== 'GET' && method !== 'DELETE') {
      // A POST without a body still says so, or some servers wait for one.
      merged['content-length'] = '0';
    }
    let text = `${method} ${path} HTTP/1.1\r\nhost: ${this.host}\r\n`;
    for (const name of Object.keys(merged)) {
      const value = merged[name] as string;
      if (UNSAFE_VALUE.test(value) || UNSAFE_VALUE.test(name) || name.includes(':')) throw new TypeError(`invalid header ${JSON.stringify(name)}: header names and values cannot hold line breaks`);
      text += `${name}: ${value}\r\n`;
    }
    text += '\r\n';
    // Header bytes are latin1 on the wire (as undici and node:http write them); the body is UTF-8.
    const head = Buffer.from(text, 'latin1');
    return body ? Buffer.concat([head, body]) : head;
  }
}
