/**
 * Logging an account in as the target description says: the login template with the account filled
 * in, and the session carried the way the app expects (cookie jar, a bearer token captured from the
 * JSON answer, or a pre-made header). Without a description, the sample app's `{email, password}`
 * and session cookie.
 */
import type { Account, TargetConfig } from '../config.ts';
import { CookieJar } from '../load/cookies.ts';
import { isHtml, type HttpClient, type HttpResult } from '../load/http.ts';
import { registerSecret } from '../redact.ts';
import { getPointer } from './json-pointer.ts';
import { sendTemplate } from './send.ts';
import type { RequestTemplate } from './schema.ts';

/** The login request for this config: the description's template, or the sample app's default. */
export function loginTemplate(config: TargetConfig): RequestTemplate {
  return (
    config.target?.login ?? {
      method: 'POST',
      path: config.routes.login,
      json: { email: '{{account.id}}', password: '{{account.password}}' },
    }
  );
}

export interface LoginAttempt {
  res: HttpResult;
  /** The jar now carries a session (cookie or token). */
  loggedIn: boolean;
  /** Why a 2xx answer did not give a session. */
  problem?: string;
}

export function loginVars(account: Account, vu: number, run: string): Record<string, unknown> {
  return { 'account.id': account.email, 'account.password': account.password, vu, run };
}

/** Sends the login for `account` and stores the session in `jar`. */
export async function logIn(client: HttpClient, config: TargetConfig, account: Account, jar: CookieJar, opts: { vu: number; run: string; timeoutMs: number }): Promise<LoginAttempt> {
  const sent = await sendTemplate(client, loginTemplate(config), loginVars(account, opts.vu, opts.run), jar, opts.timeoutMs);
  for (const v of jar.values()) registerSecret(v);
  const { res } = sent;
  if (res.status < 200 || res.status >= 300 || isHtml(res)) return { res, loggedIn: false };
  const session = config.target?.session;
  if (session?.kind === 'bearer') {
    const token = getPointer(sent.json, session.token);
    if (typeof token !== 'string' || token === '') return { res, loggedIn: false, problem: `no token at ${session.token} in the login answer` };
    registerSecret(token);
    jar.setHeader(session.header, session.scheme ? `${session.scheme} ${token}` : token);
    return { res, loggedIn: true };
  }
  return jar.size > 0 ? { res, loggedIn: true } : { res, loggedIn: false, problem: 'the login answer set no cookie' };
}

/**
 * A session made without logging in: an empty jar when the app has none, or one carrying the
 * pre-made header whose value comes from the environment variable the description names.
 */
export function headerSessionJar(config: TargetConfig): CookieJar | undefined {
  const session = config.target?.session;
  if (session?.kind === 'none') return new CookieJar();
  if (session?.kind !== 'header') return undefined;
  const value = process.env[session.fromEnv];
  if (!value) throw new Error(`target.session wants the header ${session.name} from $${session.fromEnv}, which is not set`);
  registerSecret(value);
  const jar = new CookieJar();
  jar.setHeader(session.name, value);
  return jar;
}
