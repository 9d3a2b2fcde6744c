/**
 * What a login limiter looks like in real apps: a call to some limiter (own helper, Upstash `ratelimit.limit`,
 * rate-limiter-flexible `consume`, …) whose key is the client IP alone, inside a function that handles logins
 * (it verifies a password, it is NextAuth's Credentials `authorize`, or it is a login route's handler).
 */
import { Node, SyntaxKind, type Block, type CallExpression, type SourceFile } from 'ts-morph';
import { initializerOf, referencedNames } from '../ast.ts';
import { isFunctionLike, routeHandlerMethod } from '../lib/route-handler.ts';

const IP_SOURCE = /x-forwarded-for|x-real-ip|cf-connecting-ip|true-client-ip|forwarded|get(?:Client)?Ip\b|(?:client|remote|request|user|caller|peer)(?:Ip|Addr(?:ess)?)\b|requestIp|ipAddress|\.ip\b|\bip\b/i;
const VERIFY = /(?:compare|verify|matches?|check\w*(?:password|secret|hash))\w*$/i;
const LIMITER_CALLEE = /limit|throttle|attempt|consume/i;
/** Paths of routes that exist to log people in. */
export const LOGIN_PATH = /(?:^|\/)[^/]*(?:login|log-in|signin|sign-in)[^/]*(?:\/|$)|\[\.\.\.nextauth\]|callback\/credentials/i;
/** A key that names an account: then the limiter is per account (or per IP + account) already. */
export const ACCOUNT_KEY = /email|user(?:name)?|account|login(?!:)|phone/i;

function isIpDerived(at: Node, name: string, depth = 0): boolean {
  if (depth > 4) return false;
  if (/^(?:ip|clientIp|ipAddress|remoteAddress)$/i.test(name)) return true;
  const init = initializerOf(at, name);
  if (!init) return false;
  return IP_SOURCE.test(init.getText()) || referencedNames(init).some((n) => n !== name && isIpDerived(at, n, depth + 1));
}

/** The IP expression when the key depends on the client IP and nothing else. */
export function keyedByIpAlone(key: Node): { ipExpr: string } | undefined {
  if (IP_SOURCE.test(key.getText()) === false && referencedNames(key).every((n) => !isIpDerived(key, n))) return undefined;
  const names = referencedNames(key).filter((n) => !/^(?:String|encodeURIComponent)$/.test(n));
  if (names.length === 0) return undefined;
  if (!names.every((n) => isIpDerived(key, n) || IP_SOURCE.test(initializerOf(key, n)?.getText() ?? ''))) {
    // `login:${getClientIp(request)}`: the call itself is the IP.
    const spans = Node.isTemplateExpression(key) ? key.getTemplateSpans().map((s) => s.getExpression()) : [key];
    if (spans.length === 1 && IP_SOURCE.test(spans[0]!.getText())) return { ipExpr: spans[0]!.getText() };
    return undefined;
  }
  const spans = Node.isTemplateExpression(key) ? key.getTemplateSpans().map((s) => s.getExpression()) : Node.isStringLiteral(key) ? [] : [key];
  if (spans.length !== 1) return undefined;
  return { ipExpr: spans[0]!.getText() };
}

/** The callee (or the object it is called on) is imported from a module named like a limiter (`@/lib/throttle`). */
function fromLimiterModule(call: CallExpression): boolean {
  const root = call.getExpression().getText().split(/[.(]/)[0]!;
  const decl = call
    .getSourceFile()
    .getImportDeclarations()
    .find((d) => d.getNamedImports().some((n) => (n.getAliasNode() ?? n.getNameNode()).getText() === root) || d.getDefaultImport()?.getText() === root);
  return decl !== undefined && /rate|limit|throttl/i.test(decl.getModuleSpecifierValue());
}

/** Calls in `body` that look like a limiter checking a key (the first argument). */
export function limiterCalls(body: Node): CallExpression[] {
  return body.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => {
    const key = c.getArguments()[0];
    const callee = c.getExpression().getText();
    return (
      key !== undefined &&
      (Node.isTemplateExpression(key) || Node.isNoSubstitutionTemplateLiteral(key) || Node.isIdentifier(key) || Node.isStringLiteral(key) || Node.isCallExpression(key)) &&
      (LIMITER_CALLEE.test(callee) || fromLimiterModule(c)) &&
      !/^(?:checkLoginAllowed|recordLogin\w*|Math\.\w+)$/.test(callee)
    );
  });
}

export function passwordChecks(fn: Node): CallExpression[] {
  return fn.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => {
    const callee = c.getExpression();
    const name = Node.isPropertyAccessExpression(callee) ? callee.getName() : callee.getText();
    return VERIFY.test(name) && c.getArguments().length >= 2 && /pass|hash|secret/i.test(c.getText());
  });
}

export type LoginFunctionKind = 'route' | 'authorize' | 'other';

export interface LoginFunction {
  fn: Node;
  body: Block;
  kind: LoginFunctionKind;
}

/** NextAuth's Credentials `authorize(credentials, req)`: a method or a property holding a function. */
function isAuthorize(fn: Node): boolean {
  if (Node.isMethodDeclaration(fn)) return fn.getName() === 'authorize';
  const prop = fn.getParentIfKind(SyntaxKind.PropertyAssignment);
  return prop?.getName() === 'authorize';
}

/** Functions of the file that handle logins, outermost first, each once. */
export function loginFunctions(sf: SourceFile, relPath: string): LoginFunction[] {
  const out = new Map<Node, LoginFunction>();
  const add = (fn: Node) => {
    if (out.has(fn)) return;
    const body = fn.getFirstChildByKind(SyntaxKind.Block);
    if (!body) return;
    const kind: LoginFunctionKind = routeHandlerMethod(fn, relPath) ? 'route' : isAuthorize(fn) ? 'authorize' : 'other';
    out.set(fn, { fn, body, kind });
  };
  for (const verify of passwordChecks(sf)) {
    const fn = verify.getFirstAncestor(isFunctionLike);
    if (fn) add(fn);
  }
  const functions = [SyntaxKind.FunctionDeclaration, SyntaxKind.ArrowFunction, SyntaxKind.FunctionExpression, SyntaxKind.MethodDeclaration].flatMap((k) => sf.getDescendantsOfKind(k));
  for (const fn of functions) {
    if (isAuthorize(fn) || (LOGIN_PATH.test(relPath) && routeHandlerMethod(fn, relPath) === 'POST')) add(fn);
  }
  return [...out.values()].sort((a, b) => a.fn.getStart() - b.fn.getStart());
}

/** Where the app already limits login attempts per account: `file:line` of such limiter calls in login functions. */
export function perAccountLimiters(files: SourceFile[], rel: (sf: SourceFile) => string): string[] {
  const out: string[] = [];
  for (const sf of files) {
    for (const lf of loginFunctions(sf, rel(sf))) {
      for (const call of limiterCalls(lf.body)) {
        const key = call.getArguments()[0]!.getText();
        const aboutLogin = lf.kind === 'authorize' || LOGIN_PATH.test(rel(sf)) || /login|sign-?in|auth/i.test(key);
        if (aboutLogin && ACCOUNT_KEY.test(key) && !keyedByIpAlone(call.getArguments()[0]!)) out.push(`${rel(sf)}:${call.getStartLineNumber()}`);
      }
    }
  }
  return [...new Set(out)];
}
