/**
 * upload-queue: a route that reads a multipart File whole (`await file.arrayBuffer()`, maybe "chunked" and
 * `Buffer.concat`-ed again) and hands the buffer to an uploader.
 *
 * In a route handler that reads its Request with `<req>.formData()`, the slot is taken before the body is read:
 * the handler's tail, from the body read on, runs inside `withUploadSlot` (UploadBusyError → 503 + Retry-After), so
 * bodies waiting for a slot stay unread in the socket (TCP back-pressure) and memory ≈ slots × file size. Where the
 * uploader takes a stream (the type checker: a Readable is assignable to the parameter or property the bytes go
 * to; or a known API: googleapis `media.body`, @vercel/blob `put`, fs/promises `writeFile`), and the handler reads
 * nothing but that one file from the form, formData() is replaced by busboy (`readMultipartFile`) and the part's
 * stream goes to the uploader: nothing is held whole. A handler that reads other fields keeps formData() (inside
 * the slot): a client may send them after the file, and reaching them would mean buffering the file.
 *
 * Server actions get their FormData already parsed: there the read and the upload go inside `withUploadSlot`, and
 * the File is streamed (fileToNodeStream) into a known stream sink.
 */
import { Node, SyntaxKind, type AwaitExpression, type Block, type CallExpression, type Project, type SourceFile, type Statement, type Type } from 'ts-morph';
import { applyEdits, dropUnusedNamedImport, emptyResult, enclosingFunction, ensureNamedImport, eolOf, indentOf, indentUnit, noteAt, referencedNames, type Edit } from './ast.ts';
import type { ChangeNote, Codemod, CodemodContext } from './types.ts';

const MEMO =
  "the memo's fix 7 (1 MB chunks, then Buffer.concat) saves nothing: arrayBuffer() has already put the whole file in memory, and slicing it into Buffers and concatenating them copies it twice more, so peak memory rises; what bounds memory is not copying (streaming) and capping concurrent uploads";
const CHUNKING_NOTE =
  "chunking it into 1 MB slices (the memo's fix 7) would not help: the arrayBuffer is already whole in memory, and the slices plus Buffer.concat copy it again";
const FORMDATA_CAVEAT =
  'request.formData() itself still holds each multipart body in memory; for bodies beyond memory, parse the request with a streaming multipart parser (busboy) and pipe the part';

/** Calls that only move bytes around in memory, never the upload itself. */
const IN_MEMORY_CALL = /^(?:Buffer\.\w+|Uint8Array\.from|new\s)|\.(?:push|slice|subarray|set|copy|concat|toString|byteLength|from|fill)$/;

interface Plan {
  read: AwaitExpression;
  fileVar: string;
  stmts: Statement[];
  /** Index of the statement that reads the File, and of the one that uploads it. */
  i: number;
  j: number;
  upload: CallExpression;
  /** Indices of the statements that carry the bytes from the read to the upload (the read included). */
  byteStmts: Set<number>;
}

function declaredNames(stmt: Node): string[] {
  return stmt.getDescendantsOfKind(SyntaxKind.VariableDeclaration).flatMap((d) => {
    const n = d.getNameNode();
    return Node.isIdentifier(n) ? [n.getText()] : n.getDescendantsOfKind(SyntaxKind.Identifier).map((id) => id.getText());
  });
}

function isUploadCall(call: CallExpression, mentions: (n: Node) => boolean): boolean {
  if (IN_MEMORY_CALL.test(call.getExpression().getText().replace(/\s+/g, ''))) return false;
  if (!Node.isAwaitExpression(call.getParent())) return false;
  return call.getArguments().some(mentions);
}

/** From a whole-file read, follow the bytes through local names to the awaited call that receives them. */
function planFor(read: AwaitExpression): Plan | { problem: string } | undefined {
  const call = read.getExpression();
  if (!Node.isCallExpression(call)) return undefined;
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'arrayBuffer' || !Node.isIdentifier(callee.getExpression())) return undefined;
  const fileVar = callee.getExpression().getText();
  const fn = read.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isMethodDeclaration(a));
  // A multipart File (route handler or server action), not a raw body read for a signature check.
  if (!fn || !/\.formData\s*\(\s*\)|:\s*FormData\b/.test(fn.getText())) return undefined;
  const first = read.getFirstAncestor((a) => Node.isStatement(a) && Node.isBlock(a.getParent()));
  if (!first) return { problem: 'the read is not a statement of a block' };
  const stmts = (first.getParent() as Node & { getStatements(): Statement[] }).getStatements();
  const i = stmts.indexOf(first as Statement);
  const tainted = new Set(declaredNames(first));
  const declaredAt = new Map<string, number>();
  const byteStmts = new Set([i]);
  for (let j = i; j < stmts.length; j++) {
    const s = stmts[j]!;
    const mentions = (n: Node) => (j === i ? n.getStart() <= read.getStart() && n.getEnd() >= read.getEnd() : referencedNames(n).some((x) => tainted.has(x)));
    const upload = s.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => isUploadCall(c, mentions));
    if (upload) return { read, fileVar, stmts, i, j, upload, byteStmts };
    for (const n of declaredNames(s)) if (!declaredAt.has(n)) declaredAt.set(n, j);
    if (j > i && referencedNames(s).some((x) => tainted.has(x))) {
      // `chunks.push(buf.slice(…))` taints chunks (and its declaration); a declaration fed from the bytes taints its names.
      byteStmts.add(j);
      for (const n of [...declaredNames(s), ...referencedNames(s).filter((x) => declaredAt.has(x))]) {
        tainted.add(n);
        byteStmts.add(declaredAt.get(n)!);
      }
    }
  }
  return { problem: 'no awaited call in the same block receives the bytes' };
}

/** Imported functions known to take a Node Readable at one argument: module, export name, argument index. */
const STREAM_SINKS: Array<{ modules: string[]; name: string; arg: number }> = [
  { modules: ['@vercel/blob'], name: 'put', arg: 1 },
  // fs.promises.writeFile accepts a Stream / AsyncIterable as its data (Node >= 15).
  { modules: ['node:fs/promises', 'fs/promises'], name: 'writeFile', arg: 1 },
];

function importedAs(callee: Node, modules: string[], name: string): boolean {
  return callee
    .getSourceFile()
    .getImportDeclarations()
    .some((d) => modules.includes(d.getModuleSpecifierValue()) && d.getNamedImports().some((n) => n.getName() === name && (n.getAliasNode() ?? n.getNameNode()).getText() === callee.getText()));
}

/** The argument that carries the bytes, where the uploader provably takes a Node Readable there:
 * googleapis `media: { body }` (drive.files.create/update), and the STREAM_SINKS. */
function streamBody(plan: Plan): Node | undefined {
  const carriesBytes = (n: Node) => {
    const names = new Set([...plan.byteStmts].filter((k) => k < plan.j).flatMap((k) => declaredNames(plan.stmts[k]!)));
    return (n.getStart() <= plan.read.getStart() && n.getEnd() >= plan.read.getEnd()) || referencedNames(n).some((x) => names.has(x));
  };
  for (const a of plan.upload.getDescendantsOfKind(SyntaxKind.PropertyAssignment)) {
    if (a.getName() !== 'body') continue;
    const media = a.getParent()?.getParent();
    if (!media || !Node.isPropertyAssignment(media) || media.getName() !== 'media') continue;
    const body = a.getInitializer();
    return body && carriesBytes(body) ? body : undefined;
  }
  const callee = plan.upload.getExpression();
  if (!Node.isIdentifier(callee)) return undefined;
  const sink = STREAM_SINKS.find((k) => importedAs(callee, k.modules, k.name));
  const body = sink ? plan.upload.getArguments()[sink.arg] : undefined;
  return body && carriesBytes(body) ? body : undefined;
}

function usedIn(names: Set<string>, nodes: Node[], except?: Node): boolean {
  return nodes.some((n) =>
    n.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => names.has(id.getText()) && !(except && id.getStart() >= except.getStart() && id.getEnd() <= except.getEnd())),
  );
}

function reindent(text: string, extra: string, eol: string): string {
  return text
    .split(/\r?\n/)
    .map((line, k) => (k === 0 || line.trim() === '' ? line : extra + line))
    .join(eol);
}

/** The moved statements' text; the memo's chunk-and-concat collapses into one Buffer.from (a copy less each). */
function movedText(plan: Plan, sf: SourceFile): { text: string; collapsed: boolean } {
  const { stmts, i, j } = plan;
  if (j === i) return { text: '', collapsed: false };
  const full = sf.getFullText();
  let from = i;
  let prefix = '';
  let collapsed = false;
  for (let k = j - 1; k > i; k--) {
    const s = stmts[k]!;
    if (!Node.isVariableStatement(s) || s.getDeclarations().length !== 1) continue;
    const d = s.getDeclarations()[0]!;
    const init = d.getInitializer();
    if (!init || !/^Buffer\.concat\s*\(/.test(init.getText()) || !Node.isIdentifier(d.getNameNode())) continue;
    const gone = new Set(stmts.slice(i, k).flatMap(declaredNames));
    if (usedIn(gone, stmts.slice(k + 1))) break;
    prefix = `${s.getDeclarationKind()} ${d.getName()} = Buffer.from(${plan.read.getText()});`;
    from = k + 1;
    collapsed = true;
    break;
  }
  const rest = from < j ? full.slice(stmts[from]!.getStart(), stmts[j - 1]!.getEnd()) : '';
  const eol = eolOf(sf);
  const indent = indentOf(stmts[i]!);
  return { text: prefix && rest ? `${prefix}${eol}${indent}${rest}` : prefix || rest, collapsed };
}

function wrapEdit(plan: Plan, sf: SourceFile): { edit: Edit; collapsed: boolean } | { problem: string } {
  const { stmts, i, j } = plan;
  const su = stmts[j]!;
  const eol = eolOf(sf);
  const indent = indentOf(stmts[i]!);
  const unit = indentUnit(sf);
  const moved = movedText(plan, sf);
  // Re-indenting would change the text of a multi-line template literal: leave such lines where they are.
  const multiline = stmts
    .slice(i, j + 1)
    .some((s) => [...s.getDescendantsOfKind(SyntaxKind.TemplateExpression), ...s.getDescendantsOfKind(SyntaxKind.NoSubstitutionTemplateLiteral)].some((t) => /\n/.test(t.getText())));
  const shift = multiline ? '' : unit;
  const body = moved.text ? `${indent}${unit}${reindent(moved.text, shift, eol)}${eol}` : '';
  const open = 'withUploadSlot(async () => {';
  let head: string;
  let last: string;
  if (Node.isVariableStatement(su) && su.getDeclarations().length === 1) {
    const d = su.getDeclarations()[0]!;
    const init = d.getInitializer();
    if (!init || !Node.isAwaitExpression(init) || !init.getExpression().getText().includes(plan.upload.getText())) return { problem: 'the upload is not `const x = await upload(…)`' };
    const type = d.getTypeNode() ? `: ${d.getTypeNode()!.getText()}` : '';
    head = `${su.getDeclarationKind()} ${d.getNameNode().getText()}${type} = await ${open}`;
    last = `return ${init.getExpression().getText()};`;
  } else if (Node.isExpressionStatement(su) && Node.isAwaitExpression(su.getExpression())) {
    head = `await ${open}`;
    last = `${su.getExpression().getText()};`;
  } else if (Node.isReturnStatement(su) && su.getExpression() && Node.isAwaitExpression(su.getExpression())) {
    head = `return ${open}`;
    last = `return ${(su.getExpression() as AwaitExpression).getExpression().getText()};`;
  } else {
    return { problem: 'the upload statement has a shape this codemod does not rewrite' };
  }
  // Declarations moved into the callback must not be needed after it.
  const inside = new Set(stmts.slice(i, j).flatMap(declaredNames));
  if (usedIn(inside, stmts.slice(j + 1))) return { problem: 'names declared between the read and the upload are used after it' };
  const text = `${head}${eol}${body}${indent}${unit}${reindent(last, shift, eol)}${eol}${indent}});`;
  return { edit: { start: stmts[i]!.getStart(), end: su.getEnd(), text }, collapsed: moved.collapsed };
}

/** The handler around the upload: where it reads its Request's body with `<param>.formData()`. */
interface Handler {
  body: Block;
  formCall: CallExpression;
  /** The variable the FormData lands in, its declaration statement and whether it is `let x: FormData;` + `x = await …`. */
  formVar?: string;
  /** Index in body statements where the wrapped tail starts (the formData read, or `let form: FormData;` before it). */
  start: number;
}

function handlerFor(plan: Plan): Handler | undefined {
  const fn = enclosingFunction(plan.read);
  if (!fn || !(Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) || Node.isMethodDeclaration(fn))) return undefined;
  const body = fn.getBody();
  if (!body || !Node.isBlock(body)) return undefined;
  const params = new Set(fn.getParameters().map((p) => p.getName()));
  const formCall = fn.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => {
    const callee = c.getExpression();
    return (
      c.getArguments().length === 0 &&
      Node.isPropertyAccessExpression(callee) &&
      callee.getName() === 'formData' &&
      params.has(callee.getExpression().getText()) &&
      enclosingFunction(c) === fn &&
      c.getStart() < plan.read.getStart()
    );
  });
  if (!formCall) return undefined;
  const stmts = body.getStatements();
  const top = (n: Node) => stmts.findIndex((s) => s.getStart() <= n.getStart() && s.getEnd() >= n.getEnd());
  let start = top(formCall);
  if (start < 0 || top(plan.upload) < start) return undefined;
  const awaited = formCall.getParent();
  const holder = awaited && Node.isAwaitExpression(awaited) ? awaited.getParent() : undefined;
  let formVar: string | undefined;
  if (holder && Node.isVariableDeclaration(holder) && Node.isIdentifier(holder.getNameNode())) formVar = holder.getName();
  if (holder && Node.isBinaryExpression(holder) && holder.getOperatorToken().getKind() === SyntaxKind.EqualsToken && Node.isIdentifier(holder.getLeft())) {
    formVar = holder.getLeft().getText();
    // `let form: FormData;` just before the try that assigns it moves into the slot too.
    const k = start - 1;
    const decl = stmts[k];
    if (decl && Node.isVariableStatement(decl) && decl.getDeclarations().length === 1 && decl.getDeclarations()[0]!.getName() === formVar && !decl.getDeclarations()[0]!.getInitializer()) start = k;
  }
  return { body, formCall, formVar, start };
}

let readableTypes: { project: Project; type: Type } | undefined;
/** A throwaway in-memory file that names `Readable` for the checker; removed when the transform ends. It references
 * node's types itself: a route that imports nothing from node (or next) does not bring them into the program. */
const PROBE = '/__genie_readable_probe__.ts';

/** `Readable` as the app's type checker sees it (node's own typings, resolved from the app). */
function readableType(project: Project): Type | undefined {
  if (readableTypes?.project === project) return readableTypes.type;
  const probe = project.createSourceFile(PROBE, "/// <reference types=\"node\" />\nimport { Readable } from 'node:stream';\nexport declare const probe: Readable;\n", { overwrite: true });
  const type = probe.getVariableDeclarationOrThrow('probe').getType();
  readableTypes = { project, type };
  return type.isAny() ? undefined : type;
}

/** The type checker's verdict: does the place `node` is passed to (a parameter, or a property of an object
 * parameter) take a Node Readable? `any` / `unknown` prove nothing. */
function acceptsReadable(node: Node, project: Project): boolean {
  const readable = readableType(project);
  if (!readable) return false;
  const checker = project.getTypeChecker();
  let target: Type | undefined;
  const parent = node.getParent();
  if (Node.isShorthandPropertyAssignment(node) || (parent && Node.isPropertyAssignment(parent) && parent.getInitializer() === node)) {
    const prop = Node.isShorthandPropertyAssignment(node) ? node : parent!;
    const obj = prop.getParent();
    if (!obj || !Node.isObjectLiteralExpression(obj)) return false;
    const ct = checker.getContextualType(obj);
    const name = (prop as Node & { getName(): string }).getName();
    target = ct?.getProperty(name)?.getTypeAtLocation(obj);
  } else if (Node.isExpression(node)) {
    target = checker.getContextualType(node);
  }
  if (!target || target.isAny() || target.isUnknown()) return false;
  return readable.isAssignableTo(target);
}

/** Where the bytes go into the upload call, and whether that place takes a stream (known APIs, then the type checker). */
function streamTarget(plan: Plan, project: Project): Node | undefined {
  const known = streamBody(plan);
  if (known) return known;
  const names = new Set([...plan.byteStmts].filter((k) => k < plan.j).flatMap((k) => declaredNames(plan.stmts[k]!)));
  const carries = (n: Node) => (n.getStart() <= plan.read.getStart() && n.getEnd() >= plan.read.getEnd()) || referencedNames(n).some((x) => names.has(x));
  const spots: Node[] = [];
  for (const arg of plan.upload.getArguments()) {
    if (Node.isObjectLiteralExpression(arg)) {
      for (const p of arg.getProperties()) {
        if (Node.isShorthandPropertyAssignment(p) && names.has(p.getName())) spots.push(p);
        else if (Node.isPropertyAssignment(p) && p.getInitializer() && carries(p.getInitializer()!)) spots.push(p.getInitializer()!);
      }
    } else if (carries(arg)) spots.push(arg);
  }
  if (spots.length !== 1) return undefined;
  return acceptsReadable(spots[0]!, project) ? spots[0] : undefined;
}

interface Streaming {
  edits: Edit[];
  field: string;
  /** The response the route gave for a too-large file (its size guard), reused for FileTooLargeError. */
  tooLarge?: string;
}

/** The busboy rewrite: formData() → readMultipartFile, the File's guards kept, the bytes streamed. Undefined when
 * the handler uses the form or the File in a way a streamed part cannot answer (other fields: the client may send
 * them after the file, so the formData path with the slot stays). */
function streamingEdits(plan: Plan, h: Handler, target: Node): Streaming | undefined {
  const { formVar } = h;
  const fileVar = plan.fileVar;
  if (!formVar) return undefined;
  const fn = enclosingFunction(plan.read)!;
  const ids = (name: string) => fn.getDescendantsOfKind(SyntaxKind.Identifier).filter((id) => id.getText() === name && !(Node.isPropertyAccessExpression(id.getParent()!) && (id.getParent() as Node & { getNameNode(): Node }).getNameNode() === id));
  const edits: Edit[] = [];
  // The form: declared/assigned once, read once as `const file = form.get('field')`.
  let fileDecl: Statement | undefined;
  let field: string | undefined;
  for (const id of ids(formVar)) {
    const p = id.getParent()!;
    if (Node.isVariableDeclaration(p) && p.getNameNode() === id) {
      const stmt = p.getVariableStatement();
      if (!stmt) return undefined;
      if (p.getInitializer()) edits.push({ start: id.getStart(), end: id.getEnd(), text: fileVar });
      else edits.push({ start: p.getStart(), end: p.getEnd(), text: `${fileVar}: StreamedFile | null` });
      continue;
    }
    if (Node.isBinaryExpression(p) && p.getLeft() === id) {
      edits.push({ start: id.getStart(), end: id.getEnd(), text: fileVar });
      continue;
    }
    const get = p.getParent();
    if (Node.isPropertyAccessExpression(p) && p.getName() === 'get' && get && Node.isCallExpression(get) && get.getArguments().length === 1 && Node.isStringLiteral(get.getArguments()[0]!) && !fileDecl) {
      let up: Node = get;
      while (Node.isAsExpression(up.getParent()!) || Node.isParenthesizedExpression(up.getParent()!)) up = up.getParent()!;
      const decl = up.getParent();
      if (!decl || !Node.isVariableDeclaration(decl) || decl.getName() !== fileVar) return undefined;
      const stmt = decl.getVariableStatement();
      if (!stmt || stmt.getDeclarations().length !== 1 || !Node.isBlock(stmt.getParent())) return undefined;
      fileDecl = stmt;
      field = (get.getArguments()[0] as Node & { getLiteralValue(): string }).getLiteralValue();
      edits.push({ start: stmt.getFullStart(), end: stmt.getEnd(), text: '' });
      continue;
    }
    return undefined;
  }
  if (!fileDecl || field === undefined) return undefined;
  const uploadStmt = plan.stmts[plan.j]!;
  let maxBytes: string | undefined;
  let tooLarge: string | undefined;
  const stmts = h.body.getStatements();
  for (const id of ids(fileVar)) {
    if (fileDecl.getStart() <= id.getStart() && id.getEnd() <= fileDecl.getEnd()) continue;
    if (plan.read.getStart() <= id.getStart() && id.getEnd() <= plan.read.getEnd()) continue;
    const p = id.getParent()!;
    const member = Node.isPropertyAccessExpression(p) && p.getExpression() === id ? p.getName() : undefined;
    if (member === 'name' || member === 'type') continue;
    if (member === 'size') {
      if (id.getStart() >= uploadStmt.getStart()) continue; // after the stream has ended: the file's size
      const cmp = p.getParent();
      const guard = id.getFirstAncestorByKind(SyntaxKind.IfStatement);
      if (!guard || !cmp) return undefined;
      const text = cmp.getText().replace(/\s+/g, ' ');
      const size = `${fileVar}.size`;
      // Empty-file checks hold as written: size is 0 exactly when the part is empty once readMultipartFile resolved.
      if ([`${size} === 0`, `${size} == 0`, `${size} < 1`, `${size} <= 0`].includes(text) || (Node.isPrefixUnaryExpression(cmp) && cmp.getOperatorToken() === SyntaxKind.ExclamationToken)) continue;
      const limit = new RegExp(`^${size.replace('.', '\\.')} (>=?) (.+)$`).exec(text) ?? (/^(.+) (<=?) /.exec(text) && new RegExp(`^(.+) (<=?) ${size.replace('.', '\\.')}$`).exec(text));
      if (!limit || maxBytes !== undefined || guard.getExpression() !== cmp || guard.getElseStatement() || !stmts.includes(guard)) return undefined;
      const then = guard.getThenStatement();
      const ret = Node.isReturnStatement(then) ? then : Node.isBlock(then) && then.getStatements().length === 1 && Node.isReturnStatement(then.getStatements()[0]!) ? then.getStatements()[0]! : undefined;
      if (!ret || !Node.isReturnStatement(ret) || !ret.getExpression()) return undefined;
      const [op, bound] = text.startsWith(size) ? [limit[1]!, limit[2]!] : [limit[2]! === '<' ? '>' : '>=', limit[1]!];
      maxBytes = op === '>' ? bound : `${bound} - 1`;
      tooLarge = ret.getExpression()!.getText();
      edits.push({ start: guard.getFullStart(), end: guard.getEnd(), text: '' });
      continue;
    }
    if (Node.isBinaryExpression(p) && p.getLeft() === id && p.getOperatorToken().getKind() === SyntaxKind.InstanceOfKeyword && p.getRight().getText() === 'File') {
      let outer: Node = p;
      while (Node.isParenthesizedExpression(outer.getParent()!)) outer = outer.getParent()!;
      const not = outer.getParent();
      if (outer !== p && not && Node.isPrefixUnaryExpression(not) && not.getOperatorToken() === SyntaxKind.ExclamationToken) edits.push({ start: not.getStart(), end: not.getEnd(), text: `!${fileVar}` });
      else edits.push({ start: p.getStart(), end: p.getEnd(), text: `${fileVar} !== null` });
      continue;
    }
    // Anything else (file.stream(), file.slice(), passing the File on) needs a real File.
    return undefined;
  }
  const { stmts: block, j } = plan;
  const byteNames = new Set([...plan.byteStmts].filter((k) => k < j).flatMap((k) => declaredNames(block[k]!)));
  const others = block.filter((_, k) => !plan.byteStmts.has(k) || k >= j);
  if (usedIn(byteNames, others, target)) return undefined;
  for (const k of plan.byteStmts) if (k < j) edits.push({ start: block[k]!.getFullStart(), end: block[k]!.getEnd(), text: '' });
  const stream = `${fileVar}.stream`;
  if (Node.isShorthandPropertyAssignment(target)) edits.push({ start: target.getStart(), end: target.getEnd(), text: `${target.getName()}: ${stream}` });
  else edits.push({ start: target.getStart(), end: target.getEnd(), text: stream });
  const opts = maxBytes ? `, { maxBytes: ${maxBytes} }` : '';
  edits.push({ start: h.formCall.getStart(), end: h.formCall.getEnd(), text: `readMultipartFile(${receiverText(h.formCall)}, ${JSON.stringify(field).replace(/"/g, "'")}${opts})` });
  return { edits, field, tooLarge };
}

function receiverText(call: CallExpression): string {
  const callee = call.getExpression();
  return Node.isPropertyAccessExpression(callee) ? callee.getExpression().getText() : '';
}

function applyText(text: string, base: number, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  for (const e of sorted) text = text.slice(0, e.start - base) + e.text + text.slice(e.end - base);
  return text;
}

/** The handler's tail, from the body read to the end, inside withUploadSlot; busy → 503 (and too large → 413). */
function tailWrap(h: Handler, sf: SourceFile, inner: Edit[], errors: Array<{ cls: string; response: string }>): Edit | undefined {
  const stmts = h.body.getStatements();
  const first = stmts[h.start]!;
  const last = stmts[stmts.length - 1]!;
  const start = first.getStart();
  const end = last.getEnd();
  if (inner.some((e) => e.start < start || e.end > end)) return undefined;
  const eol = eolOf(sf);
  const indent = indentOf(first);
  const unit = indentUnit(sf);
  const multiline = stmts
    .slice(h.start)
    .some((s) => [...s.getDescendantsOfKind(SyntaxKind.TemplateExpression), ...s.getDescendantsOfKind(SyntaxKind.NoSubstitutionTemplateLiteral)].some((t) => /\n/.test(t.getText())));
  const shift = multiline ? '' : unit + unit;
  const tail = applyText(sf.getFullText().slice(start, end), start, inner).trimStart();
  const catches = errors.map((e) => `${indent}${unit}if (err instanceof ${e.cls}) return ${e.response};${eol}`).join('');
  const text =
    `try {${eol}` +
    `${indent}${unit}return await withUploadSlot(async () => {${eol}` +
    `${indent}${unit}${unit}${reindent(tail, shift, eol)}${eol}` +
    `${indent}${unit}});${eol}` +
    `${indent}} catch (err) {${eol}` +
    catches +
    `${indent}${unit}throw err;${eol}` +
    `${indent}}`;
  return { start, end, text };
}

function responseClass(sf: SourceFile): string {
  return sf.getImportDeclarations().some((d) => d.getModuleSpecifierValue() === 'next/server' && d.getNamedImports().some((n) => n.getName() === 'NextResponse' && !n.isTypeOnly()) && !d.isTypeOnly()) ? 'NextResponse' : 'Response';
}

function insideUploadSlot(node: Node): boolean {
  return node.getAncestors().some((a) => Node.isCallExpression(a) && a.getExpression().getText() === 'withUploadSlot');
}

function calleeName(call: CallExpression): string {
  return call.getExpression().getText().replace(/\s+/g, '');
}

/** A route handler that reads its Request's body: the slot is taken before the body is read (an unread body
 * waits in the socket), and where the uploader takes a stream the file part is streamed with busboy. */
function handlerEdits(
  ctx: CodemodContext,
  sf: SourceFile,
  plan: Plan,
  h: Handler,
  edits: Edit[],
  names: Set<string>,
  multipartNames: Set<string>,
  maybeUnused: Set<string>,
  result: ReturnType<typeof emptyResult>,
): ChangeNote | undefined {
  const uploader = calleeName(plan.upload);
  const R = responseClass(sf);
  const busy = { cls: 'UploadBusyError', response: `${R}.json({ error: err.message }, { status: 503, headers: { 'Retry-After': String(err.retryAfterSeconds) } })` };
  const reqText = receiverText(h.formCall);
  const target = streamTarget(plan, ctx.project);
  const streaming = target ? streamingEdits(plan, h, target) : undefined;
  if (streaming) {
    // Without a size guard there is no maxBytes, so no FileTooLargeError to answer.
    const errors = streaming.tooLarge ? [busy, { cls: 'FileTooLargeError', response: streaming.tooLarge }] : [busy];
    const wrap = tailWrap(h, sf, streaming.edits, errors);
    if (!wrap) return undefined;
    edits.push(wrap);
    names.add('UploadBusyError').add('withUploadSlot');
    multipartNames.add('readMultipartFile');
    if (streaming.tooLarge) multipartNames.add('FileTooLargeError');
    for (const n of referencedNames(target!)) maybeUnused.add(n);
    if (h.formVar && streaming.edits.some((e) => e.text.includes('StreamedFile'))) multipartNames.add('type StreamedFile');
    return noteAt(
      ctx,
      plan.upload,
      `${uploader}(): ${reqText}.formData() + ${plan.fileVar}.arrayBuffer() → readMultipartFile(${reqText}, '${streaming.field}') (busboy): the file part is streamed into ${uploader}() as it arrives (${plan.fileVar}.stream), never whole in memory${streaming.tooLarge ? '; the size guard became maxBytes (FileTooLargeError → the same 413)' : ''}; the body is read inside withUploadSlot (at most UPLOAD_MAX_CONCURRENCY, default 3, at once; busy → 503 with Retry-After); ${CHUNKING_NOTE}`,
      MEMO,
    );
  }
  // The formData path stays, but inside the slot: bodies waiting for a slot stay unread in the socket.
  const inner: Edit[] = [];
  const { stmts, i, j } = plan;
  const known = streamBody(plan);
  const byteNames = new Set([...plan.byteStmts].filter((k) => k < j).flatMap((k) => declaredNames(stmts[k]!)));
  const others = stmts.filter((_, k) => !plan.byteStmts.has(k) || k >= j);
  let how: string;
  if (known && !usedIn(byteNames, others, known)) {
    inner.push({ start: known.getStart(), end: known.getEnd(), text: `fileToNodeStream(${plan.fileVar})` });
    for (const k of plan.byteStmts) if (k < j) inner.push({ start: stmts[k]!.getFullStart(), end: stmts[k]!.getEnd(), text: '' });
    names.add('fileToNodeStream');
    for (const n of referencedNames(known)) maybeUnused.add(n);
    how = `the File is streamed (fileToNodeStream(${plan.fileVar})) instead of an arrayBuffer() copy`;
  } else {
    const moved = movedText(plan, sf);
    if (moved.collapsed) inner.push({ start: stmts[i]!.getStart(), end: stmts[j - 1]!.getEnd(), text: moved.text });
    how = moved.collapsed ? 'the 1 MB chunk-and-Buffer.concat step is gone (one copy instead of three)' : CHUNKING_NOTE;
  }
  const wrap = tailWrap(h, sf, inner, [busy]);
  if (!wrap) return undefined;
  edits.push(wrap);
  names.add('UploadBusyError').add('withUploadSlot');
  const why = target ? `it reads other form fields (${h.formVar ?? 'the form'} beyond one .get() of the file), which a client may send after the file: a streaming parser would have to buffer the file to reach them` : `${uploader}() takes the whole file as a buffer`;
  result.candidates.push(
    noteAt(ctx, plan.upload, `${uploader}(): not streamed because ${why}; memory is bounded by UPLOAD_MAX_CONCURRENCY × file size. To stream, ${target ? 'read the other fields from readMultipartFile().fields (sent before the file)' : `let ${uploader}() accept a Readable`} and use readMultipartFile(${reqText}, …) (busboy)`),
  );
  return noteAt(
    ctx,
    plan.upload,
    `${reqText}.formData() + ${plan.fileVar}.arrayBuffer() + ${uploader}() run inside withUploadSlot: the body is read only once a slot is free (bodies waiting stay in the socket), so at most UPLOAD_MAX_CONCURRENCY (default 3) uploads are in memory at once; busy → 503 with Retry-After; ${how}`,
    MEMO,
  );
}

function transformFile(ctx: CodemodContext, sf: SourceFile, result: ReturnType<typeof emptyResult>): void {
  const edits: Edit[] = [];
  const changes: ChangeNote[] = [];
  const names = new Set<string>();
  const multipartNames = new Set<string>();
  const handled = new Set<Node>();
  /** Imports the replaced expressions used (Readable for `Readable.from(buffer)`): dropped if now unused. */
  const maybeUnused = new Set<string>();
  for (const read of sf.getDescendantsOfKind(SyntaxKind.AwaitExpression)) {
    const plan = planFor(read);
    if (!plan) continue;
    if ('problem' in plan) {
      result.candidates.push(noteAt(ctx, read, `whole upload read into memory with arrayBuffer(), not rewritten (${plan.problem}): stream the File to its destination, or wrap read and upload in withUploadSlot`));
      continue;
    }
    const uploader = calleeName(plan.upload);
    if (insideUploadSlot(read)) {
      result.candidates.push(noteAt(ctx, plan.upload, `${uploader}() runs inside withUploadSlot already; streaming (no full copy at all) needs ${uploader}() to accept a stream (pass fileToNodeStream(${plan.fileVar}))`));
      continue;
    }
    const handler = handlerFor(plan);
    if (handler) {
      if (handled.has(handler.body)) {
        result.candidates.push(noteAt(ctx, read, `a second whole-file read in the same handler, not rewritten: bound it by hand`));
        continue;
      }
      handled.add(handler.body);
      const note = handlerEdits(ctx, sf, plan, handler, edits, names, multipartNames, maybeUnused, result);
      if (note) changes.push(note);
      continue;
    }
    const body = streamBody(plan);
    const { stmts, j } = plan;
    const byteNames = new Set([...plan.byteStmts].filter((k) => k < j).flatMap((k) => declaredNames(stmts[k]!)));
    const others = stmts.filter((_, k) => !plan.byteStmts.has(k) || k >= j);
    if (body && !usedIn(byteNames, others, body)) {
      // The uploader takes a Readable: drop the read, stream the File, and still cap concurrent uploads.
      const full = sf.getFullText();
      const awaitNode = plan.upload.getParent() as AwaitExpression;
      const call = full.slice(plan.upload.getStart(), body.getStart()) + `fileToNodeStream(${plan.fileVar})` + full.slice(body.getEnd(), plan.upload.getEnd());
      edits.push({ start: awaitNode.getStart(), end: awaitNode.getEnd(), text: `await withUploadSlot(() => ${call})` });
      for (const k of plan.byteStmts) if (k < j) edits.push({ start: stmts[k]!.getFullStart(), end: stmts[k]!.getEnd(), text: '' });
      names.add('withUploadSlot').add('fileToNodeStream');
      for (const n of referencedNames(body)) maybeUnused.add(n);
      changes.push(
        noteAt(ctx, plan.upload, `${uploader}(): the File is streamed (fileToNodeStream(${plan.fileVar}), 256 KB pieces read as the upload consumes them) instead of an arrayBuffer() copy (${CHUNKING_NOTE}), and at most UPLOAD_MAX_CONCURRENCY (default 3) uploads run at once; ${FORMDATA_CAVEAT}`, MEMO),
      );
      continue;
    }
    const wrap = wrapEdit(plan, sf);
    if ('problem' in wrap) {
      result.candidates.push(noteAt(ctx, read, `whole upload read into memory before ${uploader}(), not rewritten (${wrap.problem}): wrap read and upload in withUploadSlot by hand`));
      continue;
    }
    edits.push(wrap.edit);
    names.add('withUploadSlot');
    changes.push(
      noteAt(
        ctx,
        plan.upload,
        `${plan.fileVar}.arrayBuffer() + ${uploader}() run inside withUploadSlot: at most UPLOAD_MAX_CONCURRENCY (default 3) uploads hold a file in memory at once, a bounded wait then UploadBusyError; ${wrap.collapsed ? 'the 1 MB chunk-and-Buffer.concat step is gone (one copy instead of three): the arrayBuffer was already whole in memory, and the slices plus Buffer.concat copied it again' : CHUNKING_NOTE}`,
        MEMO,
      ),
    );
    result.candidates.push(
      noteAt(ctx, plan.upload, `${uploader}() takes the whole file as a buffer: streaming needs it to accept a stream (e.g. a Readable from fileToNodeStream(${plan.fileVar}) piped to its destination); until then peak memory is limit × file size; ${FORMDATA_CAVEAT}`),
    );
  }
  if (edits.length === 0) return;
  if (multipartNames.size) ensureNamedImport(sf, ctx.addTemplate('multipart-stream', sf), [...multipartNames].sort((a, b) => a.replace('type ', '').localeCompare(b.replace('type ', ''))), edits);
  ensureNamedImport(sf, ctx.addTemplate('upload-stream', sf), [...names].sort(), edits);
  if (!applyEdits(sf, edits)) {
    result.failures.push(noteAt(ctx, sf, 'overlapping upload reads; bound them by hand'));
    return;
  }
  for (const n of maybeUnused) dropUnusedNamedImport(sf, n);
  result.changes.push(...changes);
}

export const uploadQueue: Codemod = {
  id: 'upload-queue',
  title: 'Stream multipart uploads with busboy (or read bodies only inside a bounded upload slot) instead of arrayBuffer() + chunking',
  prefilter: (text) => text.includes('.arrayBuffer()') && /formData|FormData/.test(text),
  transform(ctx) {
    const result = emptyResult();
    try {
      for (const sf of ctx.files) transformFile(ctx, sf, result);
    } finally {
      const probe = ctx.project.getSourceFile(PROBE);
      if (probe) ctx.project.removeSourceFile(probe);
      readableTypes = undefined;
    }
    return result;
  },
};
