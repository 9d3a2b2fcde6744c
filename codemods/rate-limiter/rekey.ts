/**
 * The rewrite for one login function whose limiter is keyed by IP alone and that checks the password itself:
 * the IP-only check is replaced by the template's IP + account gate, placed where the account is known and
 * before the user lookup / password check; every bad-credentials exit records a failure, success resets.
 */
import { Node, SyntaxKind, type Block, type CallExpression, type IfStatement, type Statement } from 'ts-morph';
import { eolOf, indentOf, indentUnit, referencedNames, type Edit } from '../ast.ts';
import { isFunctionLike } from '../lib/route-handler.ts';
import type { LoginFunction } from './detect.ts';

export type Rekey = { edits: Edit[]; account: string } | { humanReason: string; at: Node };

function topLevel(node: Node, body: Node): Statement | undefined {
  let cur: Node | undefined = node;
  while (cur && cur.getParent() !== body) cur = cur.getParent();
  return cur as Statement | undefined;
}

/** `if (…) return 401` in a route; `if (…) return null` in NextAuth's authorize (its way of saying "wrong credentials"). */
function rejectsCredentials(stmt: Statement, lf: LoginFunction): boolean {
  if (!Node.isIfStatement(stmt)) return false;
  const then = stmt.getThenStatement().getText();
  if (!/\breturn\b/.test(then)) return false;
  return lf.kind === 'route' ? /\b401\b|Unauthorized/i.test(then) : /\breturn\s+(?:null|false|undefined)\b/.test(then);
}

const BODY_PARSE = /\.(?:json|formData|text|parse|safeParse|parseAsync|safeParseAsync)\(/;

/** `console.log(…)`, `logger.info(…)`: reports what happens and changes nothing a limiter protects. */
const REPORT_ONLY = /^(?:console|logger|log)\.\w+$/;

/**
 * A statement that does something a refused request must not do first (a write, a call out). A log line is
 * not one: letting a refused attempt print what it printed before costs the limiter nothing (its own
 * arguments are still looked at, so `console.log(await db.user.create(…))` counts).
 */
function hasSideEffects(stmt: Statement): boolean {
  return stmt.getDescendantsOfKind(SyntaxKind.CallExpression).some((c) => {
    const text = c.getExpression().getText();
    if (REPORT_ONLY.test(text)) return false;
    if (BODY_PARSE.test(`${text}(`) || /^(?:String|Number|Boolean|JSON\.\w+|Object\.\w+|Array\.\w+)$/.test(text)) return false;
    return /create|update|delete|upsert|insert|send|write|log|set|push|fetch|emit|track|record/i.test(text);
  });
}

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

/** The identifier the user is looked up by (`findUnique({ where: { email } })`), else an email/username local. */
function accountName(body: Node, verify: CallExpression): string | undefined {
  const lookup = body.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => /\.(?:findUnique|findFirst|findUniqueOrThrow|findFirstOrThrow)$/.test(c.getExpression().getText()) && c.getStart() < verify.getStart());
  const where = lookup?.getArguments()[0]?.asKind(SyntaxKind.ObjectLiteralExpression)?.getProperty('where');
  const whereObj = where?.asKind(SyntaxKind.PropertyAssignment)?.getInitializer()?.asKind(SyntaxKind.ObjectLiteralExpression);
  const first = whereObj?.getProperties()[0];
  if (first && Node.isShorthandPropertyAssignment(first)) return first.getName();
  if (first && Node.isPropertyAssignment(first) && Node.isIdentifier(first.getInitializerOrThrow())) return first.getInitializerOrThrow().getText();
  // `where: { username: input.data.username.toLowerCase() }`: the expression itself, when it only reads a local
  // (property accesses and a pure string method), so evaluating it once more before the lookup changes nothing.
  const init = first && Node.isPropertyAssignment(first) ? first.getInitializerOrThrow() : undefined;
  if (init && /^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)+(?:\.(?:toLowerCase|trim|toUpperCase)\(\))*$/.test(init.getText())) return init.getText();
  const named = body.getDescendantsOfKind(SyntaxKind.VariableDeclaration).find((d) => /^(?:email|username|userName|login|account|phone)$/.test(d.getName()) || /\b(?:email|username)\b/.test(d.getNameNode().getText()));
  if (!named) return undefined;
  return Node.isIdentifier(named.getNameNode()) ? named.getName() : /\b(email|username)\b/.exec(named.getNameNode().getText())![1];
}

/**
 * The block whose statement holds the limiter call: the function body, or a block nested in it (`try { … }`,
 * an `if`'s braces). Not a block of a callback inside the function: that runs at another time.
 */
function holdingBlock(call: CallExpression, lf: LoginFunction): Block | undefined {
  if (call.getFirstAncestor(isFunctionLike) !== lf.fn) return undefined;
  return call.getFirstAncestorByKind(SyntaxKind.Block);
}

export function rekeyLogin(lf: LoginFunction, call: CallExpression, ipExpr: string, verify: CallExpression): Rekey {
  // Everything below works in the block that holds the limiter: the check that acts on it, the new gate and
  // the failures it records must all run in that block, in order.
  const body = holdingBlock(call, lf);
  const sf = lf.body.getSourceFile();
  const limStmt = body && topLevel(call, body);
  if (!body || !limStmt) return { humanReason: 'login limiter keyed by IP alone inside a callback of the login function: re-key it by IP + account by hand', at: call };
  const stmts = body.getStatements();
  // The check that acts on it: the statement itself (`if (!limit(…))`) or the next `if` that uses its result.
  let gate: Statement | undefined;
  let resultVar: string | undefined;
  let bound: string[] = [];
  if (Node.isIfStatement(limStmt)) gate = limStmt;
  else if (Node.isVariableStatement(limStmt)) {
    const d = limStmt.getDeclarations()[0]!;
    bound = Node.isIdentifier(d.getNameNode()) ? [d.getName()] : d.getNameNode().getDescendantsOfKind(SyntaxKind.Identifier).map((i) => i.getText());
    resultVar = Node.isIdentifier(d.getNameNode()) ? d.getName() : undefined;
    gate = stmts.slice(stmts.indexOf(limStmt) + 1).find((s) => Node.isIfStatement(s) && referencedNames(s.getExpression()).some((n) => bound.includes(n)));
  }
  if (!gate || !Node.isIfStatement(gate) || !/\b(?:return|throw)\b/.test(gate.getThenStatement().getText())) {
    return { humanReason: 'login limiter keyed by IP alone, but its result is not checked by a plain `if (…) return` next to it: re-key it by IP + account by hand', at: call };
  }
  const account = accountName(lf.body, verify);
  if (!account) return { humanReason: 'login limiter keyed by IP alone, but no account identifier found to add to the key', at: call };
  // The local the account comes from (for an expression, the local it starts with).
  const accountRoot = /^[A-Za-z_$][\w$]*/.exec(account)![0];
  const accountDecl = lf.body.getDescendantsOfKind(SyntaxKind.VariableDeclaration).find((d) => (Node.isIdentifier(d.getNameNode()) ? d.getName() === accountRoot : d.getNameNode().getText().includes(accountRoot)));
  const lookup = lf.body.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => /\.(?:findUnique|findFirst|findUniqueOrThrow|findFirstOrThrow)$/.test(c.getExpression().getText()) && c.getStart() < verify.getStart());
  const firstUse = [lookup, verify].filter((n): n is CallExpression => Boolean(n)).sort((a, b) => a.getStart() - b.getStart())[0]!;
  const insertBefore = topLevel(firstUse, body);
  if (!insertBefore) {
    return { humanReason: 'login limiter keyed by IP alone, but the password is checked outside the block that holds the limiter: re-key it by IP + account by hand', at: call };
  }
  const declTop = accountDecl ? topLevel(accountDecl, body) : undefined;
  if (!declTop || stmts.indexOf(declTop) >= stmts.indexOf(insertBefore) || stmts.indexOf(gate) >= stmts.indexOf(insertBefore)) {
    return { humanReason: 'login limiter keyed by IP alone, but the handler is shaped unusually (account read after the lookup); re-key it by hand', at: call };
  }
  // Moving the check down past code that writes or calls out would let refused requests do that first.
  const gateAt = stmts.indexOf(gate);
  const declAt = stmts.indexOf(declTop);
  let insertAt: Statement = insertBefore;
  if (stmts.slice(gateAt + 1, stmts.indexOf(insertBefore)).some(hasSideEffects)) {
    // A write between the account and the lookup: the gate goes right after the account's declaration instead,
    // still ahead of that write, so only what runs before the account is known must be free of side effects.
    const beforeAccount = stmts.slice(gateAt + 1, declAt + 1).find(hasSideEffects);
    const firstLine = (st: Statement) => st.getText().split('\n')[0]!.slice(0, 60);
    if (beforeAccount) {
      return { humanReason: `login limiter keyed by IP alone; the account is known only after \`${firstLine(beforeAccount)}\`, which has side effects a refused attempt must not cause: re-key it by hand`, at: call };
    }
    if (account !== accountRoot) {
      // `input.data.username` may be read safely only where the app reads it (after its own validation).
      const write = stmts.slice(gateAt + 1, stmts.indexOf(insertBefore)).find(hasSideEffects)!;
      return { humanReason: `login limiter keyed by IP alone; \`${firstLine(write)}\` has side effects a refused attempt must not cause and runs before the user lookup, the only place the account (\`${account}\`) is known to be safe to read: re-key it by hand`, at: call };
    }
    insertAt = stmts[Math.max(declAt, gateAt) + 1]!;
  }
  const eol = eolOf(sf);
  const pad = indentOf(insertAt);
  const unit = indentUnit(sf);
  const thenNode = gate.getThenStatement();
  const thenText = thenNode.getText();
  const usesResult = referencedNames(thenNode).some((n) => bound.includes(n));
  let refused: string;
  if (resultVar && gate.getExpression().getText().replace(/\s/g, '') === `!${resultVar}.allowed` && (!usesResult || new RegExp(`\\b${resultVar}\\.(?:retryAfterMs|allowed)\\b`).test(thenText))) {
    refused = thenText.replace(new RegExp(`\\b${resultVar}\\b`, 'g'), 'loginGate');
  } else if (!usesResult && lf.kind !== 'route') {
    // Outside a route there is no Response to give: the app's own refusal, as it was (a throw, `return null`).
    refused = thenText;
  } else if (lf.kind === 'route') {
    refused = `{${eol}${pad}${unit}return Response.json(${eol}${pad}${unit}${unit}{ error: 'Too many login attempts. Try again later.' },${eol}${pad}${unit}${unit}{ status: 429, headers: { 'Retry-After': String(Math.ceil(loginGate.retryAfterMs / 1000)) } },${eol}${pad}${unit});${eol}${pad}}`;
  } else {
    return { humanReason: `login limiter keyed by IP alone in a function that is not a route handler, and its refusal uses the limiter's own result: re-key it by hand`, at: call };
  }
  // Above the statement's own comment lines: they describe that statement, not the gate.
  const comments = insertAt.getLeadingCommentRanges();
  const at = comments.length > 0 ? sf.getFullText().lastIndexOf('\n', comments[0]!.getPos() - 1) + 1 : indentStart(insertAt);
  const edits: Edit[] = [{ start: at, end: at, text: `${pad}const loginGate = await checkLoginAllowed(${ipExpr}, ${account});${eol}${pad}if (!loginGate.allowed) ${refused}${eol}${eol}` }];
  edits.push(lineRangeWithBlank(limStmt), ...(gate === limStmt ? [] : [lineRangeWithBlank(gate)]));
  const failures = stmts.slice(stmts.indexOf(insertBefore)).filter((s) => rejectsCredentials(s, lf)) as IfStatement[];
  if (failures.length === 0) {
    return { humanReason: `no \`if (…) return ${lf.kind === 'route' ? '401' : 'null'}\` after the password check: add recordLoginFailure/recordLoginSuccess by hand`, at: verify };
  }
  for (const f of failures) {
    const then = f.getThenStatement();
    const innerPad = indentOf(f) + unit;
    if (Node.isBlock(then)) {
      const open = then.getStart() + 1;
      edits.push({ start: open, end: open, text: `${eol}${innerPad}await recordLoginFailure(${ipExpr}, ${account});` });
    } else {
      edits.push({ start: then.getStart(), end: then.getEnd(), text: `{${eol}${innerPad}await recordLoginFailure(${ipExpr}, ${account});${eol}${innerPad}${then.getText()}${eol}${indentOf(f)}}` });
    }
  }
  const lastFailure = failures[failures.length - 1]!;
  const endOfLine = sf.getFullText().indexOf('\n', lastFailure.getEnd()) + 1;
  edits.push({ start: endOfLine, end: endOfLine, text: `${eol}${indentOf(lastFailure)}await recordLoginSuccess(${ipExpr}, ${account});${eol}` });
  return { edits, account };
}
