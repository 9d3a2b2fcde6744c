/**
 * fetch-cache (warn only): Next.js keeps `fetch(…, { next: { revalidate } })`, `cache: 'force-cache'` and
 * `unstable_cache(…)` results in the Data Cache, which is shared by every user of the deployment. A response that
 * depends on who asks does not belong there. This codemod never edits; it reports each such call.
 */
import { Node, SyntaxKind, type CallExpression, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import { emptyResult, initializerOf, noteAt, referencedNames } from './ast.ts';
import { SESSION_READ, outermostFunction, sessionDerivedNames } from './lib/session-names.ts';
import type { Codemod, CodemodContext } from './types.ts';

const MEMO =
  "the memo's fix 8 (`fetch('/api/trips/active', { next: { revalidate: 60 } })`) caches a per-user response in the Data Cache, which every user shares: one passenger's trip can be served to another";

/** Paths whose answer is about the caller: /api/trips/active, /api/user/…, /me, /profile, /account … */
const PER_USER_PATH = /\/(?:me|profile|account|session|user|users\/(?:me|current)|trips\/active|cart|orders|notifications|inbox|dashboard|settings)(?=[/?#'"`$]|$)/i;
const FORWARDS_IDENTITY = /\b(?:cookie|authorization)\b|\bcookies\s*\(\s*\)|\bheaders\s*\(\s*\)/i;

interface CachedFetch {
  call: CallExpression;
  how: string;
  seconds?: string;
}

function objectArg(call: CallExpression, index: number): ObjectLiteralExpression | undefined {
  const a = call.getArguments()[index];
  return a && Node.isObjectLiteralExpression(a) ? a : undefined;
}

function propValue(obj: ObjectLiteralExpression, name: string): Node | undefined {
  const p = obj.getProperty(name);
  return p && Node.isPropertyAssignment(p) ? p.getInitializer() : undefined;
}

/** fetch calls whose options put the response in the Data Cache. */
function cachedFetches(sf: SourceFile): CachedFetch[] {
  const found: CachedFetch[] = [];
  for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (call.getExpression().getText() !== 'fetch') continue;
    const opts = objectArg(call, 1);
    if (!opts) continue;
    const cache = propValue(opts, 'cache');
    const next = propValue(opts, 'next');
    const revalidate = next && Node.isObjectLiteralExpression(next) ? propValue(next, 'revalidate') : undefined;
    if (cache && /^['"`]no-store['"`]$/.test(cache.getText())) continue;
    if (revalidate && !/^(?:0|false)$/.test(revalidate.getText())) found.push({ call, how: `next.revalidate ${revalidate.getText()}`, seconds: revalidate.getText() });
    else if (cache && /^['"`]force-cache['"`]$/.test(cache.getText())) found.push({ call, how: "cache: 'force-cache'" });
  }
  return found;
}

/** The URL text a fetch asks for, through one local variable if it is one. */
function urlText(call: CallExpression): string {
  const first = call.getArguments()[0];
  if (!first) return '';
  if (Node.isIdentifier(first)) return initializerOf(call, first.getText())?.getText() ?? first.getText();
  return first.getText();
}

/** A name whose value is the server's own configuration (process.env, an env module), the same for every caller. */
function isServerConfig(at: Node, name: string): boolean {
  if (name === 'process' || name === 'env') return true;
  const init = initializerOf(at, name);
  return init !== undefined && /^(?:process\.env\.\w+|env\.\w+)(?:\s*(?:\?\?|\|\|)\s*['"`][^'"`]*['"`])?$/.test(init.getText().trim());
}

/**
 * The request carries the caller's identity: it passes on the incoming cookies or headers, or sets a
 * cookie / authorization header from anything but the server's own configuration (an API token in env is
 * the same for every visitor, so the response is too).
 */
function forwardsCallerIdentity(opts: Node): boolean {
  if (/\bcookies\s*\(\s*\)|\bheaders\s*\(\s*\)|\b(?:req|request)\.headers\b/.test(opts.getText())) return true;
  const headerProps = opts.getDescendants().filter((n) => (Node.isPropertyAssignment(n) || Node.isShorthandPropertyAssignment(n)) && /^['"]?(?:cookie|authorization)['"]?$/i.test(n.getName()));
  return headerProps.some((p) => {
    if (!Node.isPropertyAssignment(p)) return true;
    const value = p.getInitializer();
    return value === undefined || referencedNames(value).some((n) => !isServerConfig(value, n));
  });
}

/** Why this fetch's response depends on the user, or undefined when it does not. */
function perUserReason(f: CachedFetch): { reason: string; keyedPerUser: boolean } | undefined {
  const url = urlText(f.call);
  const opts = f.call.getArguments()[1]!;
  const handler = outermostFunction(f.call);
  const tainted = handler ? sessionDerivedNames(handler) : new Set<string>();
  const usesSession = referencedNames(f.call).filter((n) => tainted.has(n));
  if (forwardsCallerIdentity(opts)) return { reason: 'it forwards the caller’s cookie / authorization header', keyedPerUser: true };
  if (usesSession.length > 0) return { reason: `it is built from the session (${usesSession.join(', ')})`, keyedPerUser: true };
  const path = /^['"`]?(?:https?:\/\/[^/'"`]+|\$\{[^}]+\})?(\/[^'"`]*)/.exec(url)?.[1] ?? '';
  if (PER_USER_PATH.test(path)) return { reason: `${path.split('?')[0]} is a per-user route`, keyedPerUser: false };
  // The app's own API (a relative path or its own origin) fetched from a handler that knows who is asking.
  const ownApi = /^['"`]\//.test(url) || /request\.url|nextUrl|NEXT_PUBLIC_(?:APP|SITE|BASE)_URL|VERCEL_URL/.test(url);
  if (ownApi && handler && SESSION_READ.test(handler.getText())) return { reason: 'it calls the app’s own API from a handler that reads the session', keyedPerUser: false };
  return undefined;
}

function unstableCacheReason(call: CallExpression): string | undefined {
  const [fnArg, keyParts] = call.getArguments();
  if (!fnArg || !(Node.isArrowFunction(fnArg) || Node.isFunctionExpression(fnArg))) return undefined;
  if (SESSION_READ.test(fnArg.getText())) return 'the cached function reads the session / cookies';
  const handler = outermostFunction(call);
  if (!handler) return undefined;
  const tainted = sessionDerivedNames(handler);
  const params = new Set(fnArg.getParameters().map((p) => p.getName()));
  const inKey = new Set(keyParts ? referencedNames(keyParts) : []);
  // Only the returned function's arguments and keyParts make the key; a closed-over user id does not.
  const closed = referencedNames(fnArg.getBody()).filter((n) => tainted.has(n) && !params.has(n) && !inKey.has(n));
  if (closed.length > 0) return `the cached function closes over ${closed.join(', ')} from the session, which is not part of its cache key`;
  return undefined;
}

function warn(ctx: CodemodContext, sf: SourceFile, result: ReturnType<typeof emptyResult>): void {
  for (const f of cachedFetches(sf)) {
    const why = perUserReason(f);
    if (!why) continue;
    const where = f.seconds ? `for up to ${f.seconds} s` : 'until revalidated';
    const harm = why.keyedPerUser
      ? `the key differs per caller, but each user's private data then sits in the shared cache and is served ${where} after logout or a change`
      : `the first caller's answer (or its 401) is served to every user ${where}`;
    result.candidates.push(
      noteAt(
        ctx,
        f.call,
        `fetch(${urlText(f.call).slice(0, 60)}) with ${f.how} puts a per-user response in Next's Data Cache, which every user shares (${why.reason}): ${harm}; use cache: 'no-store' (or a per-user key with invalidation on writes)`,
        MEMO,
      ),
    );
  }
  for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (call.getExpression().getText() !== 'unstable_cache') continue;
    const why = unstableCacheReason(call);
    if (!why) continue;
    result.candidates.push(
      noteAt(
        ctx,
        call,
        `unstable_cache(…) shares its result across users unless the user is in the key (${why}): pass the user id as an argument of the cached function (or in keyParts), or do not cache it`,
        MEMO,
      ),
    );
  }
}

export const fetchCache: Codemod = {
  id: 'fetch-cache',
  title: 'Warn (never edit) where a per-user response is put in the shared Data Cache (revalidate, force-cache, unstable_cache)',
  warnOnly: true,
  prefilter: (text) => /revalidate|force-cache|unstable_cache/.test(text),
  transform(ctx) {
    const result = emptyResult();
    for (const sf of ctx.files) warn(ctx, sf, result);
    return result;
  },
};
