/**
 * What a login limiter looks like in real apps: a call to some limiter (own helper, Upstash `ratelimit.limit`,
 * rate-limiter-flexible `consume`, …) whose key is the client IP alone, inside a function that handles logins
 * (it verifies a password, it is NextAuth's Credentials `authorize`, or it is a login route's handler).
 */
import { Node, SyntaxKind, ts, type Block, type CallExpression, type SourceFile } from 'ts-morph';
import { importedDeclaration, initializerOf, referencedNames } from '../ast.ts';
import { descendantsOfKind, descendantsOfKinds } from '../lib/descendants.ts';
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
  if (Node.isCallExpression(init) && callsIpHelper(init)) return true;
  return IP_SOURCE.test(init.getText()) || referencedNames(init).some((n) => n !== name && isIpDerived(at, n, depth + 1));
}

/** The headers that carry the client's address (set by a proxy), read by `headers.get(…)`. */
const IP_HEADER = /^(?:x-forwarded-for|x-real-ip|cf-connecting-ip|true-client-ip|x-client-ip|forwarded)$/i;
const STRING_STEP = /^(?:split|trim|trimStart|trimEnd|toLowerCase|toUpperCase|slice|substring|at|replace)$/;

/**
 * Does `expr` (inside `fn`) yield only the client IP, a fixed fallback (`'unknown'`, null), or string steps on those?
 * `found` records that an IP source was met at all: a helper returning a constant is not an IP key.
 */
function yieldsOnlyIp(expr: Node, fn: Node, found: { ip: boolean }, depth = 0): boolean {
  if (depth > 8) return false;
  if (Node.isStringLiteral(expr) || Node.isNoSubstitutionTemplateLiteral(expr) || Node.isNullLiteral(expr) || expr.getText() === 'undefined') return true;
  if (Node.isParenthesizedExpression(expr) || Node.isNonNullExpression(expr) || Node.isAsExpression(expr)) return yieldsOnlyIp(expr.getExpression(), fn, found, depth + 1);
  if (Node.isBinaryExpression(expr)) {
    if (!/^(?:\|\||\?\?|\+)$/.test(expr.getOperatorToken().getText())) return false;
    return yieldsOnlyIp(expr.getLeft(), fn, found, depth + 1) && yieldsOnlyIp(expr.getRight(), fn, found, depth + 1);
  }
  // The condition only chooses between the branches; what is returned is what the branches yield.
  if (Node.isConditionalExpression(expr)) return yieldsOnlyIp(expr.getWhenTrue(), fn, found, depth + 1) && yieldsOnlyIp(expr.getWhenFalse(), fn, found, depth + 1);
  if (Node.isTemplateExpression(expr)) return expr.getTemplateSpans().every((s) => yieldsOnlyIp(s.getExpression(), fn, found, depth + 1));
  if (Node.isElementAccessExpression(expr)) return yieldsOnlyIp(expr.getExpression(), fn, found, depth + 1);
  if (Node.isPropertyAccessExpression(expr)) {
    // `request.ip` (Next 13/14), `req.socket.remoteAddress`.
    if (/^(?:ip|remoteAddress)$/.test(expr.getName())) return (found.ip = true);
    return false;
  }
  if (Node.isCallExpression(expr)) {
    const callee = expr.getExpression();
    if (!Node.isPropertyAccessExpression(callee)) return false;
    if (callee.getName() === 'get' && /\bheaders$/.test(callee.getExpression().getText())) {
      const header = expr.getArguments()[0];
      return (Node.isStringLiteral(header) || Node.isNoSubstitutionTemplateLiteral(header)) && IP_HEADER.test(header.getLiteralText()) && (found.ip = true);
    }
    return STRING_STEP.test(callee.getName()) && yieldsOnlyIp(callee.getExpression(), fn, found, depth + 1);
  }
  if (Node.isIdentifier(expr)) {
    const init = initializerOf(expr, expr.getText());
    return init !== undefined && init.getFirstAncestor((a) => a === fn) !== undefined && yieldsOnlyIp(init, fn, found, depth + 1);
  }
  return false;
}

/** A function's returned values: its `return` expressions, or an arrow's expression body. */
function returnedValues(fn: Node): Node[] | undefined {
  if (Node.isArrowFunction(fn) && !Node.isBlock(fn.getBody())) return [fn.getBody()];
  const body = fn.getFirstChildByKind(SyntaxKind.Block);
  if (!body) return undefined;
  const returns = body.getDescendantsOfKind(SyntaxKind.ReturnStatement).filter((r) => r.getFirstAncestor(isFunctionLike) === fn);
  const values = returns.map((r) => r.getExpression());
  return values.length > 0 && values.every((v) => v !== undefined) ? (values as Node[]) : undefined;
}

/**
 * `getRateLimitKey(req)`: a function of this module, or of an app module it imports, whose every return is the
 * client IP read from the proxy headers (or `request.ip`) — followed one hop, never further.
 */
export function callsIpHelper(call: CallExpression): boolean {
  const callee = call.getExpression();
  if (!Node.isIdentifier(callee)) return false;
  const sf = call.getSourceFile();
  const name = callee.getText();
  const local = sf.getFunction(name) ?? sf.getVariableDeclaration(name)?.getInitializer();
  let fn: Node | undefined = local;
  if (!fn) {
    const imported = importedDeclaration(sf, name);
    fn = imported && (Node.isVariableDeclaration(imported.node) ? imported.node.getInitializer() : imported.node);
  }
  if (!fn || !(Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn))) return false;
  const values = returnedValues(fn);
  if (!values) return false;
  const found = { ip: false };
  return values.every((v) => yieldsOnlyIp(v, fn, found)) && found.ip;
}

/** The IP expression when the key depends on the client IP and nothing else. */
export function keyedByIpAlone(key: Node): { ipExpr: string } | undefined {
  if (Node.isCallExpression(key) && callsIpHelper(key)) return { ipExpr: key.getText() };
  const viaHelper = key.getDescendantsOfKind(SyntaxKind.CallExpression).some(callsIpHelper);
  if (IP_SOURCE.test(key.getText()) === false && !viaHelper && referencedNames(key).every((n) => !isIpDerived(key, n))) return undefined;
  const names = referencedNames(key).filter((n) => !/^(?:String|encodeURIComponent)$/.test(n));
  if (names.length === 0) return undefined;
  if (!names.every((n) => isIpDerived(key, n) || IP_SOURCE.test(initializerOf(key, n)?.getText() ?? ''))) {
    // `login:${getClientIp(request)}`: the call itself is the IP.
    const spans = Node.isTemplateExpression(key) ? key.getTemplateSpans().map((s) => s.getExpression()) : [key];
    const only = spans.length === 1 ? spans[0]! : undefined;
    if (only && (IP_SOURCE.test(only.getText()) || (Node.isCallExpression(only) && callsIpHelper(only)))) return { ipExpr: only.getText() };
    return undefined;
  }
  const spans = Node.isTemplateExpression(key) ? key.getTemplateSpans().map((s) => s.getExpression()) : Node.isStringLiteral(key) ? [] : [key];
  if (spans.length !== 1) return undefined;
  return { ipExpr: spans[0]!.getText() };
}

/**
 * `withRateLimit(request, LIMITS.login)`: the limiter is handed the request itself and builds its key inside, from
 * an IP helper of its own module (`getClientIdentifier(request)` reading x-forwarded-for), the optional identifier
 * left out. Returns the helper as written there, e.g. `getClientIdentifier(request)`.
 */
export function keyedByIpInside(call: CallExpression, handler: Node): string | undefined {
  const handlerParams = Node.isFunctionDeclaration(handler) || Node.isArrowFunction(handler) || Node.isFunctionExpression(handler) || Node.isMethodDeclaration(handler) ? handler.getParameters().map((p) => p.getName()) : [];
  const key = call.getArguments()[0];
  const callee = call.getExpression();
  if (!key || !Node.isIdentifier(key) || !handlerParams.includes(key.getText()) || !Node.isIdentifier(callee)) return undefined;
  const sf = call.getSourceFile();
  const local = sf.getFunction(callee.getText()) ?? sf.getVariableDeclaration(callee.getText())?.getInitializer();
  const imported = local ? undefined : importedDeclaration(sf, callee.getText());
  const fn = local ?? (imported && (Node.isVariableDeclaration(imported.node) ? imported.node.getInitializer() : imported.node));
  if (!fn || !(Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn))) return undefined;
  const params = fn.getParameters();
  // An identifier the caller could pass (the account) and did not: the helper falls back to the request's IP.
  if (params.length <= call.getArguments().length) return undefined;
  const request = params[0]?.getName();
  const helper = fn.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => c.getArguments().some((a) => a.getText() === request) && callsIpHelper(c));
  return helper?.getText();
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

/** `compare(password, hash)`, `bcrypt.compare(…)`, `verifyPassword(…)`: the tests run on the compiler's nodes, before ts-morph wraps them. */
function isPasswordCheck(n: ts.Node): boolean {
  if (!ts.isCallExpression(n)) return false;
  const name = ts.isPropertyAccessExpression(n.expression) ? n.expression.name.getText() : n.expression.getText();
  // A password or its hash, not a JWT or TOTP secret: jwt.verify(token, secret) is on nearly every route.
  return VERIFY.test(name) && n.arguments.length >= 2 && /pass|hash/i.test(n.getText());
}

export function passwordChecks(fn: Node): CallExpression[] {
  return descendantsOfKind(fn, SyntaxKind.CallExpression, isPasswordCheck);
}

export type LoginFunctionKind = 'route' | 'authorize' | 'other';

export interface LoginFunction {
  fn: Node;
  body: Block;
  kind: LoginFunctionKind;
}

const LOGIN_FUNCTION_KINDS = [SyntaxKind.FunctionDeclaration, SyntaxKind.ArrowFunction, SyntaxKind.FunctionExpression, SyntaxKind.MethodDeclaration] as const;

/** isAuthorize on the compiler's node. */
function authorizeName(n: ts.Node): boolean {
  if (ts.isMethodDeclaration(n)) return n.name.getText() === 'authorize';
  return n.parent !== undefined && ts.isPropertyAssignment(n.parent) && n.parent.name.getText() === 'authorize';
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
  // Outside a login route only an `authorize` function can be one: the others are never wrapped.
  const mayBeLogin = (n: ts.Node) => LOGIN_PATH.test(relPath) || authorizeName(n);
  const byKind = descendantsOfKinds(sf, LOGIN_FUNCTION_KINDS, mayBeLogin);
  const functions = LOGIN_FUNCTION_KINDS.flatMap((k) => byKind.get(k)! as Node[]);
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
