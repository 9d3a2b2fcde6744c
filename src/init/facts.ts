/**
 * What one handler does, read from its code and the helpers it calls (functions of the same file and,
 * one level deep, functions imported from the app): session handling, database reads and writes,
 * Gemini calls (codemods/gemini-detect.ts decides), how it answers, read-modify-writes.
 */
import { Node, SyntaxKind, type CallExpression, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import { importedDeclaration, initializerOf } from '../../codemods/ast.ts';
import { aiSdkGeminiCalls, geminiFetchCalls, geminiSdkCalls } from '../../codemods/gemini-detect.ts';
import { bodyFields, type BodyField } from './body.ts';
import type { Handler } from './handlers.ts';

const READS = /^(?:findMany|findUnique|findFirst|findUniqueOrThrow|findFirstOrThrow|count|aggregate|groupBy)$/;
const WRITES = /^(?:create|createMany|update|updateMany|upsert|delete|deleteMany)$/;
export const PASSWORD_FIELD = /^(?:password|passwd|pass|secret|passphrase)$/i;
export const ID_FIELD = /^(?:email|username|user|login|handle|name|identifier|account|phone)$/i;
const TOKEN_KEY = /^(?:token|accessToken|access_token|jwt|idToken|sessionToken|authToken|bearer)$/i;

export type StreamKind = 'text' | 'data-stream' | 'ui-message-stream' | 'gemini-sse' | 'ndjson' | 'json' | 'unknown';

export interface JsonAnswer {
  keys: string[];
  /** Set when the answer is a database record itself (`Response.json(tally)`): its model. */
  recordOf?: string;
  /** The answer's literal, for finding nested keys (absent for a record answered as is). */
  literal?: ObjectLiteralExpression;
  line: number;
}

export interface Counter {
  model: string;
  field: string;
  line: number;
  /** What each write adds: a body field, or a fixed amount. */
  delta: { field: string } | { fixed: number };
  /** Where the record id comes from. */
  id: { param: string } | { field: string } | undefined;
}

export interface HandlerFacts {
  method: Handler['method'];
  line: number;
  guessed: boolean;
  body: BodyField[];
  dbReads: string[];
  dbWrites: Array<{ model: string; op: string; line: number }>;
  auth: 'bearer' | 'cookie' | 'none';
  setsCookie: boolean;
  checksPassword: boolean;
  /** The chat body is AI SDK UI messages (parts), converted on the server. */
  uiMessages: boolean;
  /** Where the Gemini call is (it may sit in a helper the handler calls). */
  gemini: { abs: string; line: number } | undefined;
  stream: StreamKind;
  answers: JsonAnswer[];
  counter?: Counter;
  /** Query parameters the handler turns away requests without (`searchParams.get('x')` next to a 400). */
  requiredQuery: string[];
  /** A read-modify-write init cannot turn into a counter race (toggle, status step, text edit, subtracting a body value). */
  otherRmw?: { model: string; line: number; arithmetic: boolean };
}

/** The handler and the functions it calls: local ones and, two levels deep, those imported from the app. */
function reachable(fn: Node, depth = 2, seen = new Set<Node>()): Node[] {
  seen.add(fn);
  const sf = fn.getSourceFile();
  const out: Node[] = [fn];
  const names = new Set<string>();
  for (const call of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (!Node.isIdentifier(callee) || names.has(callee.getText())) continue;
    const name = callee.getText();
    names.add(name);
    const local = sf.getFunction(name) ?? sf.getVariableDeclaration(name);
    const found = local ?? importedDeclaration(sf, name)?.node;
    if (!found || seen.has(found) || (found.getSourceFile() === sf && found.containsRange(fn.getPos(), fn.getEnd()))) continue;
    seen.add(found);
    const imported = !local;
    if (imported && depth > 0) out.push(...reachable(found, depth - 1, seen));
    else out.push(found);
  }
  return out;
}

function delegateCall(call: CallExpression): { model: string; op: string } | undefined {
  const m = /^[\w$.]*?\.?(\w+)\.(\w+)$/.exec(call.getExpression().getText().replace(/\s+/g, ''));
  if (!m || m[1]!.startsWith('$')) return undefined;
  return { model: m[1]!, op: m[2]! };
}

function jsonAnswers(fn: Node): JsonAnswer[] {
  const out: JsonAnswer[] = [];
  for (const call of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (!/(?:^|\.)json$/.test(call.getExpression().getText()) || /\breq(?:uest)?\.json$/.test(call.getExpression().getText())) continue;
    const [arg, init] = call.getArguments();
    const first = arg && Node.isIdentifier(arg) ? initializerOf(arg, arg.getText()) : arg;
    const status = init && Node.isObjectLiteralExpression(init) ? /status\s*:\s*(\d+)/.exec(init.getText())?.[1] : /\.status\((\d+)\)/.exec(call.getText())?.[1];
    if (status && Number(status) >= 300) continue;
    const made = first && (Node.isAwaitExpression(first) ? first.getExpression() : first);
    const record = made && Node.isCallExpression(made) ? delegateCall(made) : undefined;
    if (record && (READS.test(record.op) || /^(?:create|update|upsert)$/.test(record.op))) {
      out.push({ keys: [], recordOf: record.model, line: call.getStartLineNumber() });
      continue;
    }
    if (!first || !Node.isObjectLiteralExpression(first)) continue;
    const keys = first.getProperties().flatMap((p) => (Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p) ? [p.getName()] : []));
    out.push({ keys, literal: first, line: call.getStartLineNumber() });
  }
  return out;
}

/** JSON pointer to a token-like key in the answers ("/token", "/session/accessToken"). */
export function tokenPointer(answers: JsonAnswer[]): string | undefined {
  const visit = (obj: ObjectLiteralExpression, prefix: string): string | undefined => {
    for (const p of obj.getProperties()) {
      if (!Node.isPropertyAssignment(p) && !Node.isShorthandPropertyAssignment(p)) continue;
      const name = p.getName().replace(/^['"]|['"]$/g, '');
      if (TOKEN_KEY.test(name)) return `${prefix}/${name}`;
      const init = Node.isPropertyAssignment(p) ? p.getInitializer() : undefined;
      if (init && Node.isObjectLiteralExpression(init)) {
        const found = visit(init, `${prefix}/${name}`);
        if (found) return found;
      }
    }
    return undefined;
  };
  for (const a of answers) {
    if (!a.literal) continue;
    const found = visit(a.literal, '');
    if (found) return found;
  }
  return undefined;
}

function streamKind(text: string, answers: JsonAnswer[]): StreamKind {
  if (/toTextStreamResponse\s*\(/.test(text)) return 'text';
  if (/toUIMessageStreamResponse\s*\(|createUIMessageStreamResponse\s*\(|x-vercel-ai-ui-message-stream/.test(text)) return 'ui-message-stream';
  if (/toDataStreamResponse\s*\(|x-vercel-ai-data-stream/.test(text)) return 'data-stream';
  // A body that is not a string or JSON text: a stream handed to the Response.
  if (/new\s+(?:Response|NextResponse)\s*\(\s*(?!['"`]|JSON\.stringify|null\b|undefined\b)/.test(text)) {
    if (/application\/x-ndjson/.test(text)) return 'ndjson';
    if (/text\/event-stream/.test(text)) return /new\s+Response\s*\(\s*\w+\.body\b/.test(text) ? 'gemini-sse' : 'unknown';
    if (/text\/plain/.test(text)) return 'text';
    return 'unknown';
  }
  return answers.length ? 'json' : 'unknown';
}

/** Names bound from the parsed body (destructured, or `input.data.x` / `body.x`), to tell where a delta comes from. */
function bodyFieldIn(exprText: string, body: BodyField[]): string | undefined {
  return body.find((f) => new RegExp(`(?:^|[^\\w$])${f.name}(?![\\w$])`).test(exprText))?.name;
}

function readModifyWrite(fn: Node, body: BodyField[], params: string[]): Pick<HandlerFacts, 'counter' | 'otherRmw'> {
  const readVars = new Map<string, string>();
  for (const d of fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const init = d.getInitializer();
    const call = init && (Node.isAwaitExpression(init) ? init.getExpression() : init);
    if (!call || !Node.isCallExpression(call)) continue;
    const dc = delegateCall(call);
    if (dc && READS.test(dc.op) && Node.isIdentifier(d.getNameNode())) readVars.set(d.getName(), dc.model);
  }
  if (readVars.size === 0) return {};
  for (const call of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const dc = delegateCall(call);
    if (!dc || !/^(?:update|updateMany|upsert)$/.test(dc.op)) continue;
    const arg = call.getArguments()[0];
    if (!arg || !Node.isObjectLiteralExpression(arg)) continue;
    const data = arg.getProperty('data');
    const dataObj = data && Node.isPropertyAssignment(data) ? data.getInitializer() : undefined;
    if (!dataObj || !Node.isObjectLiteralExpression(dataObj)) continue;
    for (const p of dataObj.getProperties()) {
      if (!Node.isPropertyAssignment(p) && !Node.isShorthandPropertyAssignment(p)) continue;
      const direct = Node.isPropertyAssignment(p) ? p.getInitializer() : p.getNameNode();
      // `const next = row.points + delta; … data: { points: next }` (or `{ points }`): judge the computation.
      const value = direct && Node.isIdentifier(direct) ? (initializerOf(direct, direct.getText()) ?? direct) : direct;
      if (!value) continue;
      const usesRead = [...readVars.keys()].find((r) => new RegExp(`(?:^|[^\\w$.])${r}\\??\\.`).test(` ${value.getText()}`));
      if (!usesRead) continue;
      if (Node.isBinaryExpression(value) && /^[+-]$/.test(value.getOperatorToken().getText())) {
        const [left, right] = [value.getLeft(), value.getRight()];
        const other = left.getText().startsWith(`${usesRead}.`) ? right : left;
        const sign = value.getOperatorToken().getText() === '-' ? -1 : 1;
        const fixed = Node.isNumericLiteral(other) ? Number(other.getLiteralValue()) * sign : undefined;
        const field = bodyFieldIn(other.getText(), body);
        const findCall = fn.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => delegateCall(c)?.model === readVars.get(usesRead) && READS.test(delegateCall(c)!.op));
        const whereText = findCall?.getArguments()[0]?.getText() ?? '';
        const param = params.find((n) => new RegExp(`\\b${n}\\b`).test(whereText));
        const idField = body.find((f) => /id$/i.test(f.name) && new RegExp(`\\b${f.name}\\b`).test(whereText + fn.getText()))?.name;
        if (fixed !== undefined || (field && sign > 0)) {
          return {
            counter: {
              model: dc.model,
              field: p.getName(),
              line: p.getStartLineNumber(),
              delta: fixed !== undefined ? { fixed } : { field: field! },
              id: param ? { param } : idField ? { field: idField } : undefined,
            },
          };
        }
      }
      const arithmetic = Node.isBinaryExpression(value) && /^[+-]$/.test(value.getOperatorToken().getText());
      return { otherRmw: { model: dc.model, line: p.getStartLineNumber(), arithmetic } };
    }
  }
  return {};
}

export function handlerFacts(h: Handler, params: string[]): HandlerFacts {
  const nodes = reachable(h.fn);
  const texts = nodes.map((n) => n.getText()).join('\n');
  const body = bodyFields(h.fn);
  const dbReads = new Set<string>();
  const dbWrites: HandlerFacts['dbWrites'] = [];
  for (const n of nodes) {
    for (const call of n.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const dc = delegateCall(call);
      if (dc && READS.test(dc.op)) dbReads.add(dc.model);
      if (dc && WRITES.test(dc.op) && n === h.fn) dbWrites.push({ ...dc, line: call.getStartLineNumber() });
    }
    if (/\$queryRaw|\$queryRawUnsafe/.test(n.getText())) dbReads.add('$queryRaw');
  }
  const sf = h.fn.getSourceFile();
  const inReach = (c: Node) => nodes.some((n) => n.getSourceFile() === c.getSourceFile() && n.containsRange(c.getPos(), c.getEnd()));
  const geminiCalls = (file: SourceFile) => [...geminiFetchCalls(file), ...geminiSdkCalls(file), ...aiSdkGeminiCalls(file)];
  let gemini = geminiCalls(sf).find(inReach);
  for (const n of nodes.slice(1)) {
    if (gemini || n.getSourceFile() === sf) continue;
    gemini = geminiCalls(n.getSourceFile()).find(inReach);
  }
  const queued = /\b(?:queuedGeminiFetch|runGemini)\s*\(/.exec(h.fn.getText());
  const answers = jsonAnswers(h.fn);
  const auth = /authorization|bearer/i.test(texts) ? 'bearer' : /cookies\s*\(\s*\)|\.cookies\.get\s*\(|cookies\.get\(|headers\.get\(\s*['"]cookie['"]/.test(texts) ? 'cookie' : 'none';
  return {
    method: h.method,
    line: h.line,
    guessed: Boolean(h.guessed),
    body,
    dbReads: [...dbReads],
    dbWrites,
    auth,
    // res.cookies.set(…), (await cookies()).set(…), const jar = await cookies(); jar.set(…), a Set-Cookie header.
    setsCookie: /\bcookies(?:\(\))?\s*\.set\s*\(|cookies\(\)\)?\.set\(|['"]set-cookie['"]|setCookie\s*\(|cookies\s*\(\s*\)[\s\S]*\.set\s*\(/i.test(texts),
    checksPassword: body.some((f) => PASSWORD_FIELD.test(f.name)) && /compare|verify|timingSafeEqual|bcrypt|argon|scrypt|\w*(?:password|secret|hash)\w*\s*\(|Matches\s*\(/i.test(texts),
    gemini: gemini ? { abs: gemini.getSourceFile().getFilePath(), line: gemini.getStartLineNumber() } : queued ? { abs: sf.getFilePath(), line: h.fn.getStartLineNumber() } : undefined,
    stream: streamKind(h.fn.getText(), answers),
    uiMessages: /convertToModelMessages\s*\(/.test(texts),
    requiredQuery: /status\s*:\s*400\b|\.status\(\s*400\s*\)/.test(h.fn.getText())
      ? [...h.fn.getText().matchAll(/searchParams\.get\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!)
      : [],
    answers,
    ...readModifyWrite(h.fn, body, params),
  };
}
