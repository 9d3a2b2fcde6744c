/**
 * session-id: a session or token id built from the clock, Math.random(), the user id or a counter can be guessed
 * (or narrowed to a few guesses) by anyone who knows roughly when someone logged in. Such ids become
 * `randomBytes(32).toString('hex')`. Ids that are already strong random values are left byte-identical, and the
 * memo's fix 9 is refused with the reason.
 */
import { Node, SyntaxKind, ts, type BinaryExpression, type CallExpression, type Expression, type PropertyAssignment, type SourceFile, type VariableDeclaration } from 'ts-morph';
import { applyEdits, emptyResult, ensureNamedImport, noteAt, type Edit } from './ast.ts';
import { descendantsOfKinds } from './lib/descendants.ts';
import type { Codemod } from './types.ts';

const MEMO =
  "the memo's fix 9 (`${Date.now()}-${randomBytes(16)}-${user.id}`, or Math.random()) answers a race that does not exist: randomBytes(32) is 256 random bits and never collides, while a timestamp, the user id or Math.random() (not a cryptographic generator) make ids guessable; that fix is a security regression and is not applied";

const STRONG = "randomBytes(32).toString('hex')";

/** Names that hold a session or token id: sessionId, session_token, sid, csrfToken, refreshToken … */
export function isSessionName(name: string): boolean {
  return /(?:session|sess|sid|token)(?:id|key|token|value|secret)?$/.test(name.toLowerCase().replace(/[_-]/g, ''));
}

type Strength =
  | { kind: 'strong'; what: string }
  | { kind: 'weak'; sources: string[] }
  /** Built from the user id alone: as guessable, but it may be a lookup key rather than an id. */
  | { kind: 'user-only'; sources: string[] }
  | { kind: 'unknown' };

/** Judges an id expression by what it is built from. */
export function idStrength(expr: Node): Strength {
  const sources = new Set<string>();
  const userParts = new Set<string>();
  let strong: string | undefined;
  const all = [expr, ...expr.getDescendants()];
  for (const n of all) {
    if (Node.isCallExpression(n)) {
      const callee = n.getExpression().getText().replace(/\s+/g, '');
      if (/^(?:\w+\.)?randomUUID$/.test(callee)) strong ??= 'randomUUID()';
      else if (/^(?:\w+\.)?randomBytes$/.test(callee)) {
        const size = Number(n.getArguments()[0]?.getText());
        if (Number.isFinite(size) && size >= 16) strong ??= `randomBytes(${size})`;
        else sources.add(`randomBytes(${n.getArguments()[0]?.getText() ?? ''}) (under 128 bits)`);
      } else if (callee === 'Date.now') sources.add('Date.now()');
      else if (callee === 'Math.random') sources.add('Math.random()');
      else if (callee === 'performance.now' || callee === 'process.hrtime' || callee === 'process.hrtime.bigint') sources.add(`${callee}()`);
      else if (/\.(?:getTime|valueOf)$/.test(callee) && /^newDate\b/.test(callee)) sources.add('new Date().getTime()');
    } else if (Node.isPropertyAccessExpression(n)) {
      if (/^(?:id|userId|user_id)$/.test(n.getName()) && /user|account|member/i.test(n.getExpression().getText())) userParts.add(n.getText());
    } else if (Node.isIdentifier(n)) {
      const parent = n.getParent();
      if (parent && Node.isPropertyAccessExpression(parent) && parent.getNameNode() === n) continue;
      if (/^(?:user_?id|account_?id)$/i.test(n.getText())) userParts.add(n.getText());
      else if (/^(?:counter|count|seq|sequence|next_?id|session_?count)$/i.test(n.getText())) sources.add(`counter ${n.getText()}`);
    } else if ((Node.isPrefixUnaryExpression(n) || Node.isPostfixUnaryExpression(n)) && /\+\+|--/.test(n.getText())) {
      sources.add(`counter ${n.getText()}`);
    }
  }
  if (sources.size > 0) return { kind: 'weak', sources: [...sources, ...userParts] };
  if (strong) return { kind: 'strong', what: strong };
  if (userParts.size > 0) return { kind: 'user-only', sources: [...userParts] };
  return { kind: 'unknown' };
}

const SOURCE_CALL = /^(?:(?:\w+\.)?randomBytes|(?:\w+\.)?randomUUID|Date\.now|Math\.random|performance\.now|process\.hrtime(?:\.bigint)?)$/;
const STRING_OPS = new Set(['toString', 'slice', 'substring', 'substr', 'replace', 'replaceAll', 'padStart', 'padEnd', 'toUpperCase', 'toLowerCase']);

/** True for an expression that builds an id value (template, concatenation, a generator call and string ops on it), not one that fetches a record. */
function buildsId(e: Node): boolean {
  if (Node.isParenthesizedExpression(e)) return buildsId(e.getExpression());
  if (Node.isTemplateExpression(e)) return true;
  if (Node.isBinaryExpression(e)) return e.getOperatorToken().getKind() === SyntaxKind.PlusToken;
  if (Node.isPrefixUnaryExpression(e) || Node.isPostfixUnaryExpression(e)) return /\+\+|--/.test(e.getText());
  if (!Node.isCallExpression(e)) return false;
  const callee = e.getExpression();
  const arg = e.getArguments()[0];
  if (Node.isIdentifier(callee) && callee.getText() === 'String') return arg !== undefined && buildsId(arg);
  if (SOURCE_CALL.test(callee.getText().replace(/\s+/g, ''))) return true;
  if (!Node.isPropertyAccessExpression(callee)) return false;
  const target = callee.getExpression();
  // A hash of a timestamp is as guessable as the timestamp: createHash(…).update(Date.now() …).digest(…).
  if (callee.getName() === 'digest') {
    return e.getDescendantsOfKind(SyntaxKind.CallExpression).some((c) => {
      const f = c.getExpression();
      const a = c.getArguments()[0];
      return Node.isPropertyAccessExpression(f) && f.getName() === 'update' && a !== undefined && buildsId(a);
    });
  }
  if (['getTime', 'valueOf'].includes(callee.getName())) return Node.isNewExpression(target) && target.getExpression().getText() === 'Date';
  return STRING_OPS.has(callee.getName()) && buildsId(target);
}

/** `user.id`, `account.userId`, `userId`, `String(user.id)`: a record's own id, not a session. */
const USER_ID = /^(?:String\()?(?:(?:\w*(?:user|account|member)\w*)\.(?:id|userId)|userId|user_id)!?\)?$/i;

const ID_KINDS = [SyntaxKind.VariableDeclaration, SyntaxKind.PropertyAssignment, SyntaxKind.BinaryExpression, SyntaxKind.CallExpression] as const;

/** A necessary condition for idExpressions' tests below, on the compiler node (so most nodes are never wrapped). */
function mayHoldId(n: ts.Node): boolean {
  if (ts.isVariableDeclaration(n)) return n.initializer !== undefined && ts.isIdentifier(n.name) && isSessionName(n.name.getText());
  if (ts.isPropertyAssignment(n)) {
    const name = n.name.getText().replace(/['"]/g, '');
    return isSessionName(name) || name === 'id' || name === 'value';
  }
  if (ts.isBinaryExpression(n)) {
    if (n.operatorToken.kind !== SyntaxKind.EqualsToken) return false;
    return isSessionName(ts.isPropertyAccessExpression(n.left) ? n.left.name.getText() : n.left.getText());
  }
  const callee = ts.isCallExpression(n) ? n.expression : undefined;
  return callee !== undefined && ts.isPropertyAccessExpression(callee) && callee.name.getText() === 'set' && /cookies/i.test(callee.expression.getText());
}

/** Expressions that become a session/token id: `sessionId = …`, `{ token: … }`, `session.create({ data: { id: … } })`, `cookies.set('session', …)`. */
function idExpressions(sf: SourceFile): Expression[] {
  const found: Expression[] = [];
  const userIdCookies = new Set<Node>();
  // One walk for the four kinds; what cannot match is dropped before ts-morph wraps it.
  const nodes = descendantsOfKinds(sf, ID_KINDS, mayHoldId);
  for (const d of nodes.get(SyntaxKind.VariableDeclaration) as VariableDeclaration[]) {
    const init = d.getInitializer();
    if (init && Node.isIdentifier(d.getNameNode()) && isSessionName(d.getName())) found.push(init);
  }
  for (const p of nodes.get(SyntaxKind.PropertyAssignment) as PropertyAssignment[]) {
    const init = p.getInitializer();
    if (!init) continue;
    const name = p.getNameNode().getText().replace(/['"]/g, '');
    if (isSessionName(name)) found.push(init);
    else if (name === 'id' && insideSessionCreate(p)) found.push(init);
    else if (name === 'value' && cookieObjectNamed(p)) found.push(init);
  }
  for (const b of nodes.get(SyntaxKind.BinaryExpression) as BinaryExpression[]) {
    if (b.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) continue;
    const left = b.getLeft();
    const name = Node.isPropertyAccessExpression(left) ? left.getName() : left.getText();
    if (isSessionName(name)) found.push(b.getRight());
  }
  for (const call of nodes.get(SyntaxKind.CallExpression) as CallExpression[]) {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'set' || !/cookies/i.test(callee.getExpression().getText())) continue;
    const [name, value] = call.getArguments();
    if (name && value && /session|sid|token/i.test(name.getText())) {
      found.push(value as Expression);
      // The user's own id as the session cookie: whoever knows an id can present it.
      if (USER_ID.test(value.getText().replace(/\s+/g, ''))) userIdCookies.add(value);
    }
  }
  // A bare identifier only passes an id along; its declaration is judged where it is built.
  return found.filter((e) => buildsId(e) || userIdCookies.has(e));
}

/**
 * The label a template id starts with (`anon_${…}`, `sess-${…}`): kept in front of the random part, because other
 * code may tell ids apart by it (`id.startsWith('anon_')`).
 */
function labelPrefix(expr: Expression): string | undefined {
  if (!Node.isTemplateExpression(expr)) return undefined;
  const head = expr.getHead().getLiteralText();
  return /^[A-Za-z][\w-]{0,31}[_:.-]$/.test(head) ? head : undefined;
}

/** `cookies.set({ name: 'session', value: … })`: the value of a cookie whose name says session/sid/token. */
function cookieObjectNamed(p: Node): boolean {
  const obj = p.getParent();
  if (!obj || !Node.isObjectLiteralExpression(obj)) return false;
  const name = obj.getProperty('name');
  return Boolean(name && Node.isPropertyAssignment(name) && /session|sid|token/i.test(name.getInitializer()?.getText() ?? ''));
}

function insideSessionCreate(node: Node): boolean {
  const call = node.getFirstAncestorByKind(SyntaxKind.CallExpression);
  return Boolean(call && /\.session\.(?:create|upsert|createMany)$/i.test(call.getExpression().getText().replace(/\s+/g, '')));
}

/** How this file can call randomBytes: an existing named or namespace import of crypto, else a new named import. */
function randomBytesCallee(sf: SourceFile, edits: Edit[]): string {
  const cryptoImports = sf.getImportDeclarations().filter((d) => ['crypto', 'node:crypto'].includes(d.getModuleSpecifierValue()) && !d.isTypeOnly());
  for (const d of cryptoImports) {
    const named = d.getNamedImports().find((n) => n.getName() === 'randomBytes');
    if (named) return (named.getAliasNode() ?? named.getNameNode()).getText();
  }
  for (const d of cryptoImports) {
    const ns = d.getNamespaceImport() ?? d.getDefaultImport();
    if (ns) return `${ns.getText()}.randomBytes`;
  }
  const withNamed = cryptoImports.find((d) => d.getNamedImports().length > 0);
  ensureNamedImport(sf, withNamed ? withNamed.getModuleSpecifierValue() : 'node:crypto', ['randomBytes'], edits);
  return 'randomBytes';
}

export const sessionId: Codemod = {
  id: 'session-id',
  title: "Replace guessable session/token ids with randomBytes(32); refuse the memo's fix 9",
  prefilter: (text) =>
    (/session|token|\bsid\b/i.test(text) && /Date\.now|getTime|Math\.random|performance\.now|hrtime|randomBytes|randomUUID|\+\+/.test(text)) ||
    /\.set\(\s*['"`][^'"`]*(?:session|sid|token)[^'"`]*['"`]\s*,\s*(?:String\()?\w*(?:user|account|member)\w*\.(?:id|userId)\b/i.test(text),
  transform(ctx) {
    const result = emptyResult();
    for (const sf of ctx.files) {
      const edits: Edit[] = [];
      const changes = [];
      const seen = new Set<number>();
      const prefixes = new Map<number, string>();
      for (const expr of idExpressions(sf)) {
        if (seen.has(expr.getStart())) continue;
        seen.add(expr.getStart());
        const strength = idStrength(expr);
        if (strength.kind === 'strong') {
          result.notes.push(
            noteAt(
              ctx,
              expr,
              `session/token id is already ${strength.what}${strength.what === 'randomBytes(32)' ? ' (256 random bits)' : ''}: unguessable, and collisions are not a real risk; the memo's fix 9 (\`\${Date.now()}-\${randomBytes(16)}-\${user.id}\` / Math.random()) would make ids guessable and is not applied`,
              MEMO,
            ),
          );
          continue;
        }
        if (strength.kind === 'unknown') continue;
        if (strength.kind === 'user-only') {
          result.candidates.push(
            noteAt(ctx, expr, `session/token value built only from ${strength.sources.join(', ')}: if it is the id a client presents, anyone can forge it; use ${STRONG} (left unchanged: it may be a lookup key, not an id)`),
          );
          continue;
        }
        const prefix = labelPrefix(expr);
        if (prefix) prefixes.set(expr.getStart(), prefix);
        edits.push({ start: expr.getStart(), end: expr.getEnd(), text: '' });
        changes.push(
          noteAt(
            ctx,
            expr,
            `session/token id built from ${strength.sources.join(', ')} → ${STRONG}: 256 bits from the OS CSPRNG, nothing an attacker can derive from the login time or the account, and never colliding`,
            MEMO,
          ),
        );
      }
      if (edits.length === 0) continue;
      const callee = randomBytesCallee(sf, edits);
      for (const e of edits) {
        if (e.text !== '') continue;
        const prefix = prefixes.get(e.start);
        e.text = prefix ? `\`${prefix}\${${callee}(32).toString('hex')}\`` : `${callee}(32).toString('hex')`;
      }
      if (!applyEdits(sf, edits)) {
        result.failures.push(noteAt(ctx, sf, 'nested session id expressions; replace them by hand'));
        continue;
      }
      result.changes.push(...changes);
    }
    return result;
  },
};
