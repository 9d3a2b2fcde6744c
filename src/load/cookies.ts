/**
 * A minimal cookie jar: name=value pairs from Set-Cookie, sent back as one Cookie header. It also
 * carries the session headers an app wants instead of a cookie (`authorization: Bearer …`).
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  private readonly sessionHeaders = new Map<string, string>();
  /** The Cookie header, rebuilt only after the jar changes (it is sent with every request). */
  private cached: string | undefined;
  private dirty = true;
  /** Goes up whenever a cookie or session header changes, so a client can reuse headers built from this jar until then. */
  revision = 0;

  /** Parses a `Cookie:`-style header ("a=1; b=2") into a jar. */
  static fromHeader(header: string): CookieJar {
    const jar = new CookieJar();
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    return jar;
  }

  store(setCookie: string | string[] | undefined): void {
    if (!setCookie) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const first = line.split(';')[0] ?? '';
      const eq = first.indexOf('=');
      if (eq <= 0) continue;
      const name = first.slice(0, eq).trim();
      const value = first.slice(eq + 1).trim();
      // An expired or emptied cookie is the server logging us out.
      if (value === '' || /max-age=0\b/i.test(line)) {
        if (this.cookies.delete(name)) this.changed();
      } else this.set(name, value);
    }
  }

  private set(name: string, value: string): void {
    if (this.cookies.get(name) === value) return;
    this.cookies.set(name, value);
    this.changed();
  }

  private changed(): void {
    this.dirty = true;
    this.revision++;
  }

  /** A header sent with every request of this session (a bearer token, a pre-made API key). */
  setHeader(name: string, value: string): void {
    const key = name.toLowerCase();
    if (this.sessionHeaders.get(key) === value) return;
    this.sessionHeaders.set(key, value);
    this.revision++;
  }

  /** Session headers, cookie excluded. */
  headers(): Record<string, string> {
    return Object.fromEntries(this.sessionHeaders);
  }

  /** Cookies and session headers held. */
  get size(): number {
    return this.cookies.size + this.sessionHeaders.size;
  }

  /** Cookie values, so callers can register them as secrets. */
  values(): string[] {
    return [...this.cookies.values(), ...this.sessionHeaders.values()];
  }

  header(): string | undefined {
    if (this.dirty) {
      this.cached = this.cookies.size === 0 ? undefined : [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      this.dirty = false;
    }
    return this.cached;
  }
}
