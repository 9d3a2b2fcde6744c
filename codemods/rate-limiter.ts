/**
 * rate-limiter: a login handler whose limiter is keyed by the client IP alone blocks every passenger behind one
 * ship NAT once a few of them log in. Attempts are re-keyed by IP + account (the identifier the handler looks
 * the user up by) with the template's policy: checked before the password is verified, failures recorded on a
 * bad password, reset on success, 429 + Retry-After when refused; the template keeps a looser per-IP ceiling.
 */
import { Node, SyntaxKind, type Block, type CallExpression, type Statement } from 'ts-morph';
import { applyEdits, dropUnusedNamedImport, emptyResult, ensureNamedImport, eolOf, indentOf, indentUnit, initializerOf, noteAt, referencedNames, type Edit } from './ast.ts';
import type { Codemod } from './types.ts';

const IP_SOURCE = /x-forwarded-for|x-real-ip|cf-connecting-ip|getClientIp|clientIp|requestIp|ipAddress|\.ip\b|\bip\b/i;
const VERIFY = /(?:compare|verify)\w*$/i;
const MEMO =
  "the memo's extra per-user key (`login:user:${user.id}`) is checked only after a successful login, so it never stops a password guess; the useful key for login attempts is IP + account, checked before the password, with a looser per-IP ceiling";

function isIpDerived(at: Node, name: string, depth = 0): boolean {
  if (depth > 4) return false;
  if (/^(?:ip|clientIp|ipAddress|remoteAddress)$/i.test(name)) return true;
  const init = initializerOf(at, name);
  if (!init) return false;
  return IP_SOURCE.test(init.getText()) || referencedNames(init).some((n) => n !== name && isIpDerived(at, n, depth + 1));
}

/** Names the key expression depends on, and whether all of them (there is at least one) are IP-derived. */
function keyedByIpAlone(key: Node): { ipExpr: string } | undefined {
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

function topLevel(node: Node, body: Block): Statement | undefined {
  let cur: Node | undefined = node;
  while (cur && cur.getParent() !== body) cur = cur.getParent();
  return cur as Statement | undefined;
}

function returns401(stmt: Statement): boolean {
  if (!Node.isIfStatement(stmt)) return false;
  const then = stmt.getThenStatement();
  return /\breturn\b/.test(then.getText()) && /\b401\b|Unauthorized/i.test(then.getText());
}

export const rateLimiter: Codemod = {
  id: 'rate-limiter',
  title: 'Key login attempts by IP + account, checked before the password (not by shared IP alone)',
  prefilter: (text) => /password/i.test(text) && /(?:compare|verify)\w*\s*\(/i.test(text) && /\b429\b|limit/i.test(text),
  transform(ctx) {
    const result = emptyResult();
    for (const sf of ctx.files) {
      const verifies = sf.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => {
        const callee = c.getExpression();
        const name = Node.isPropertyAccessExpression(callee) ? callee.getName() : callee.getText();
        return VERIFY.test(name) && c.getArguments().length >= 2 && /pass|hash/i.test(c.getText());
      });
      const edits: Edit[] = [];
      const notes = [];
      const handled = new Set<Node>();
      for (const verify of verifies) {
        const fn = verify.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a));
        if (!fn || handled.has(fn)) continue;
        handled.add(fn);
        const body = fn.getFirstChildByKind(SyntaxKind.Block);
        if (!body) continue;
        // Limiter calls in this handler: a call whose first argument is a key string.
        const limiterCalls = body.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => {
          const key = c.getArguments()[0];
          return key && (Node.isTemplateExpression(key) || Node.isNoSubstitutionTemplateLiteral(key) || Node.isIdentifier(key) || Node.isStringLiteral(key)) && /limit|throttle|attempt/i.test(c.getExpression().getText()) && c.getExpression().getText() !== 'checkLoginAllowed';
        });
        let target: { call: CallExpression; ipExpr: string } | undefined;
        for (const call of limiterCalls) {
          const key = call.getArguments()[0]!;
          const ipOnly = keyedByIpAlone(key);
          if (call.getStart() > verify.getStart()) {
            if (/user\.id|userId|account/i.test(key.getText())) result.notes.push(noteAt(ctx, call, 'a per-user limiter checked after the password was verified: it cannot slow down guessing; left alone', MEMO));
            continue;
          }
          if (!ipOnly) {
            result.notes.push(noteAt(ctx, call, 'limiter already keyed by more than the IP (account/user): left alone'));
            continue;
          }
          target = { call, ipExpr: ipOnly.ipExpr };
        }
        if (!target) continue;
        const { call, ipExpr } = target;
        const limStmt = topLevel(call, body);
        const stmts = body.getStatements();
        if (!limStmt) continue;
        // The check that acts on it: the statement itself (`if (!limit(…))`) or the next `if` that uses its result.
        let gate: Statement | undefined;
        let resultVar: string | undefined;
        if (Node.isIfStatement(limStmt)) gate = limStmt;
        else if (Node.isVariableStatement(limStmt)) {
          const d = limStmt.getDeclarations()[0]!;
          const bound = Node.isIdentifier(d.getNameNode()) ? [d.getName()] : d.getNameNode().getDescendantsOfKind(SyntaxKind.Identifier).map((i) => i.getText());
          resultVar = Node.isIdentifier(d.getNameNode()) ? d.getName() : undefined;
          gate = stmts.slice(stmts.indexOf(limStmt) + 1).find((s) => Node.isIfStatement(s) && referencedNames(s.getExpression()).some((n) => bound.includes(n)));
        }
        if (!gate || !Node.isIfStatement(gate) || !/\breturn\b/.test(gate.getThenStatement().getText())) {
          result.candidates.push(noteAt(ctx, call, 'login limiter keyed by IP alone, but its result is not checked by a plain `if (…) return` next to it: re-key it by IP + account by hand'));
          continue;
        }
        // The account: what the user is looked up by (`findUnique({ where: { email } })`), else an email/username from the body.
        const lookup = body.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => /\.(?:findUnique|findFirst|findUniqueOrThrow|findFirstOrThrow)$/.test(c.getExpression().getText()) && c.getStart() < verify.getStart());
        let account: string | undefined;
        const where = lookup?.getArguments()[0]?.asKind(SyntaxKind.ObjectLiteralExpression)?.getProperty('where');
        const whereObj = where?.asKind(SyntaxKind.PropertyAssignment)?.getInitializer()?.asKind(SyntaxKind.ObjectLiteralExpression);
        const first = whereObj?.getProperties()[0];
        if (first && Node.isShorthandPropertyAssignment(first)) account = first.getName();
        else if (first && Node.isPropertyAssignment(first) && Node.isIdentifier(first.getInitializerOrThrow())) account = first.getInitializerOrThrow().getText();
        if (!account) {
          const named = body.getDescendantsOfKind(SyntaxKind.VariableDeclaration).find((d) => /^(?:email|username|userName|login|account|phone)$/.test(d.getName()) || d.getNameNode().getText().match(/\b(?:email|username)\b/));
          account = named ? (Node.isIdentifier(named.getNameNode()) ? named.getName() : /\b(email|username)\b/.exec(named.getNameNode().getText())![1]) : undefined;
        }
        if (!account) {
          result.candidates.push(noteAt(ctx, call, 'login limiter keyed by IP alone, but no account identifier found to add to the key'));
          continue;
        }
        const acct = account;
        const accountDecl = body.getDescendantsOfKind(SyntaxKind.VariableDeclaration).find((d) => (Node.isIdentifier(d.getNameNode()) ? d.getName() === acct : d.getNameNode().getText().includes(acct)));
        const firstUse = [lookup, verify].filter((n): n is CallExpression => Boolean(n)).sort((a, b) => a.getStart() - b.getStart())[0]!;
        const insertBefore = topLevel(firstUse, body);
        const declTop = accountDecl ? topLevel(accountDecl, body) : undefined;
        if (!insertBefore || !declTop || stmts.indexOf(declTop) >= stmts.indexOf(insertBefore) || stmts.indexOf(gate) >= stmts.indexOf(insertBefore)) {
          result.candidates.push(noteAt(ctx, call, 'login limiter keyed by IP alone, but the handler is shaped unusually (account read after the lookup); re-key it by hand'));
          continue;
        }
        // IP as a value that still exists at the new position.
        const eol = eolOf(sf);
        const pad = indentOf(insertBefore);
        const unit = indentUnit(sf);
        const thenText = gate.getThenStatement().getText();
        const reusable = resultVar && gate.getExpression().getText().replace(/\s/g, '') === `!${resultVar}.allowed` && referencedNames(gate.getThenStatement()).every((n) => n !== resultVar || new RegExp(`\\b${resultVar}\\.(?:retryAfterMs|allowed)\\b`).test(thenText));
        const refused = reusable
          ? thenText.replace(new RegExp(`\\b${resultVar}\\b`, 'g'), 'loginGate')
          : `{${eol}${pad}${unit}return Response.json(${eol}${pad}${unit}${unit}{ error: 'Too many login attempts. Try again later.' },${eol}${pad}${unit}${unit}{ status: 429, headers: { 'Retry-After': String(Math.ceil(loginGate.retryAfterMs / 1000)) } },${eol}${pad}${unit});${eol}${pad}}`;
        edits.push({ start: indentStart(insertBefore), end: indentStart(insertBefore), text: `${pad}const loginGate = await checkLoginAllowed(${ipExpr}, ${acct});${eol}${pad}if (!loginGate.allowed) ${refused}${eol}${eol}` });
        edits.push(lineRangeWithBlank(limStmt), ...(gate === limStmt ? [] : [lineRangeWithBlank(gate)]));
        // Bad credentials: every `if (…) return 401` from the gate on records a failure.
        const failures = stmts.slice(stmts.indexOf(insertBefore)).filter(returns401);
        if (failures.length === 0) {
          result.candidates.push(noteAt(ctx, verify, 'no `if (…) return 401` after the password check: add recordLoginFailure/recordLoginSuccess by hand'));
          continue;
        }
        for (const f of failures) {
          const then = (f as import('ts-morph').IfStatement).getThenStatement();
          const innerPad = indentOf(f) + unit;
          if (Node.isBlock(then)) {
            const open = then.getStart() + 1;
            edits.push({ start: open, end: open, text: `${eol}${innerPad}await recordLoginFailure(${ipExpr}, ${acct});` });
          } else {
            edits.push({ start: then.getStart(), end: then.getEnd(), text: `{${eol}${innerPad}await recordLoginFailure(${ipExpr}, ${acct});${eol}${innerPad}${then.getText()}${eol}${indentOf(f)}}` });
          }
        }
        const lastFailure = failures[failures.length - 1]!;
        const endOfLine = sf.getFullText().indexOf('\n', lastFailure.getEnd()) + 1;
        edits.push({ start: endOfLine, end: endOfLine, text: `${eol}${indentOf(lastFailure)}await recordLoginSuccess(${ipExpr}, ${acct});${eol}` });
        notes.push(noteAt(ctx, call, `login attempts were limited by IP alone (${call.getArguments()[0]!.getText()}): everyone behind one NAT shared one budget. Now keyed by IP + ${acct} via checkLoginAllowed before the password check (looser per-IP ceiling kept), failures recorded on 401, reset on success, 429 + Retry-After when refused`, MEMO));
        const limiterName = call.getExpression().getText().split('.')[0]!;
        handled.add(call);
        (notes as unknown as { limiter?: string[] }).limiter = [...((notes as unknown as { limiter?: string[] }).limiter ?? []), limiterName];
      }
      if (edits.length === 0) continue;
      const limiterNames = (notes as unknown as { limiter?: string[] }).limiter ?? [];
      if (!applyEdits(sf, edits)) {
        result.failures.push(noteAt(ctx, sf, 'overlapping rewrites in the login handler'));
        continue;
      }
      ensureNamedImport(sf, ctx.addTemplate('login-limiter', sf), ['checkLoginAllowed', 'recordLoginFailure', 'recordLoginSuccess']);
      for (const name of limiterNames) dropUnusedNamedImport(sf, name);
      result.changes.push(...notes);
    }
    return result;
  },
};

function indentStart(stmt: Node): number {
  const text = stmt.getSourceFile().getFullText();
  return text.lastIndexOf('\n', stmt.getStart() - 1) + 1;
}

/** A statement's whole lines, plus one blank line after it so no double gap is left behind. */
function lineRangeWithBlank(stmt: Node): Edit {
  const text = stmt.getSourceFile().getFullText();
  const start = indentStart(stmt);
  let end = text.indexOf('\n', stmt.getEnd());
  end = end < 0 ? text.length : end + 1;
  const blank = /^[ \t]*\r?\n/.exec(text.slice(end));
  if (blank) end += blank[0].length;
  return { start, end, text: '' };
}
