/**
 * optimistic-lock: concurrent updates must not silently overwrite each other.
 * - read R, then update the same record with `R.field ± x` → atomic `{ increment | decrement: x }` (no lock needed);
 * - a blind `update({ where: { id }, data })` of request data in a PATCH/PUT handler whose model has a version
 *   (Int `version`, else `updatedAt`) → accepts the version the client read (body.version / body.updatedAt),
 *   writes through versionedUpdate and answers 409 on a mismatch; without it, today's behaviour (old clients);
 * - a read-modify-write that is not arithmetic → reported as a candidate for versionedUpdate + retryOnConflict.
 * Already version-checked writes (updateMany with the version in where, increment) are left alone.
 */
import { Node, SyntaxKind, type CallExpression, type ObjectLiteralExpression, type PropertyAssignment } from 'ts-morph';
import { applyEdits, emptyResult, enclosingFunction, ensureNamedImport, eolOf, indentOf, indentUnit, noteAt, referencedNames, usesSemicolons, type Edit } from './ast.ts';
import type { Codemod, CodemodContext } from './types.ts';

const MEMO =
  "the memo re-read updatedAt and wrote with it in the same request: that only narrows the window, because the value it checks is the one it just read, not the one the user (or the read-modify-write) started from";
const READS = /\.(?:findUnique|findFirst|findUniqueOrThrow|findFirstOrThrow)$/;

interface ModelInfo {
  versionField?: 'version' | 'updatedAt';
  /** Scalar field → its Prisma type (String, Int, DateTime, an enum …); lists and relations are left out. */
  fields?: Map<string, string>;
}

// Types a `where` can compare for equality (enums too: any name that is not a model). Json and Bytes cannot.
const NOT_COMPARABLE = new Set(['Json', 'Bytes', 'Unsupported']);

export function schemaModels(schema: string | undefined): Map<string, ModelInfo> {
  const out = new Map<string, ModelInfo>();
  if (!schema) return out;
  for (const m of schema.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const delegate = m[1]![0]!.toLowerCase() + m[1]!.slice(1);
    const body = m[2]!;
    const versionField = /^\s*version\s+Int\b/m.test(body) ? 'version' : /^\s*updatedAt\s+DateTime\b/m.test(body) ? 'updatedAt' : undefined;
    const fields = new Map<string, string>();
    for (const f of body.matchAll(/^\s*(\w+)\s+(\w+)(\[\])?(\?)?/gm)) {
      if (f[3]) continue;
      fields.set(f[1]!, f[2]!);
    }
    out.set(delegate, { versionField, fields });
  }
  const modelNames = new Set([...schema.matchAll(/^model\s+(\w+)/gm)].map((m) => m[1]!));
  for (const info of out.values()) for (const [name, type] of info.fields!) if (modelNames.has(type)) info.fields!.delete(name);
  return out;
}

/** `db.model.update(...)` → { client, model } */
function delegateOf(call: CallExpression): { client: string; model: string; method: string } | undefined {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const model = callee.getExpression();
  if (!Node.isPropertyAccessExpression(model)) return undefined;
  return { client: model.getExpression().getText(), model: model.getName(), method: callee.getName() };
}

function objectProp(obj: ObjectLiteralExpression | undefined, name: string): Node | undefined {
  const p = obj?.getProperty(name);
  if (!p) return undefined;
  if (Node.isPropertyAssignment(p)) return p.getInitializer();
  if (Node.isShorthandPropertyAssignment(p)) return p.getNameNode();
  return undefined;
}

function handlerMethod(fn: Node): string | undefined {
  if (Node.isFunctionDeclaration(fn)) return fn.isExported() ? fn.getName() : undefined;
  const decl = fn.getParentIfKind(SyntaxKind.VariableDeclaration);
  return decl?.getVariableStatement()?.isExported() ? decl.getName() : undefined;
}

function schemaText(ctx: CodemodContext): string | undefined {
  return ctx.readText('prisma/schema.prisma') ?? ctx.readText('schema.prisma') ?? ctx.readText('src/prisma/schema.prisma');
}

interface ReadModifyWrite {
  read: CallExpression;
  readVar: string;
  /** readVar and the locals computed from it before the update (`const next = NEXT[order.status]`). */
  tainted: Set<string>;
}

/** The latest earlier read of the same model whose value (directly or through locals) feeds the update's data. */
function readModifyWrite(fn: Node, update: CallExpression, model: string, data: Node): ReadModifyWrite | undefined {
  const reads = fn.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => c.getStart() < update.getStart() && READS.test(c.getExpression().getText()) && delegateOf(c)?.model === model);
  for (const read of reads.reverse()) {
    const decl = read.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
    if (!decl || !Node.isIdentifier(decl.getNameNode())) continue;
    const readVar = decl.getName();
    const tainted = new Set([readVar]);
    const locals = fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration).filter((d) => d.getStart() > read.getEnd() && d.getEnd() < update.getStart());
    for (let grew = true; grew; ) {
      grew = false;
      for (const d of locals) {
        const init = d.getInitializer();
        const names = Node.isIdentifier(d.getNameNode()) ? [d.getName()] : d.getNameNode().getDescendantsOfKind(SyntaxKind.Identifier).map((i) => i.getText());
        if (!init || names.every((n) => tainted.has(n)) || !referencedNames(init).some((n) => tainted.has(n))) continue;
        for (const n of names) tainted.add(n);
        grew = true;
      }
    }
    if (referencedNames(data).some((n) => tainted.has(n))) return { read, readVar, tainted };
  }
  return undefined;
}

function propMap(obj: ObjectLiteralExpression): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const p of obj.getProperties()) {
    if (Node.isPropertyAssignment(p)) out.set(p.getName(), p.getInitializerOrThrow().getText());
    else if (Node.isShorthandPropertyAssignment(p)) out.set(p.getName(), p.getName());
    else return undefined;
  }
  return out;
}

/** The update's `where` names the record that was read: `{ id: order.id }`, or the same filter the read used. */
function sameRecord(read: CallExpression, readVar: string, where: ObjectLiteralExpression): boolean {
  if (referencedNames(where).includes(readVar)) return true;
  const readWhere = objectProp(read.getArguments()[0]?.asKind(SyntaxKind.ObjectLiteralExpression), 'where')?.asKind(SyntaxKind.ObjectLiteralExpression);
  const a = readWhere && propMap(readWhere);
  const b = propMap(where);
  return Boolean(a && b && b.size > 0 && [...b].every(([k, v]) => a.get(k) === v));
}

type Target = { client: string; model: string; method: string };
type Plan = { edits: Edit[]; imports: string[]; message: string };

/**
 * read → update of the same record computed from it. Arithmetic on fields nothing else looked at becomes an
 * atomic increment/decrement. Anything else (a status transition, a toggle, a balance checked before it is
 * spent) becomes a compare-and-set through versionedUpdate on the values the decision was based on, answering
 * 409 when another request changed them in between.
 */
function planReadModifyWrite(ctx: CodemodContext, update: CallExpression, target: Target, rmw: ReadModifyWrite, where: ObjectLiteralExpression, data: Node, info: ModelInfo): Plan | string {
  const { read, readVar, tainted } = rmw;
  const label = `${target.model}.update`;
  if (!sameRecord(read, readVar, where)) {
    return `${label} writes data computed from ${readVar} (read earlier in the request), but its where does not clearly name the record that was read: make it a version-checked update (versionedUpdate) by hand`;
  }
  const fn = enclosingFunction(update)!;
  // Every `readVar.field` between the read and the end of the update: what the decision was based on.
  const inRange = (n: Node) => n.getStart() > read.getEnd() && n.getEnd() <= update.getEnd();
  const uses = fn.getDescendantsOfKind(SyntaxKind.Identifier).filter((id) => {
    if (id.getText() !== readVar || !inRange(id)) return false;
    const parent = id.getParent();
    // `db.order.update`: a property called like the variable is not the variable.
    return !(parent && (Node.isPropertyAccessExpression(parent) || Node.isPropertyAssignment(parent)) && parent.getNameNode() === id);
  });
  const fieldsRead = new Set<string>();
  let wholeObject = false;
  for (const id of uses) {
    const parent = id.getParentOrThrow();
    if (Node.isPropertyAccessExpression(parent) && parent.getExpression() === id) fieldsRead.add(parent.getName());
    else if (Node.isPrefixUnaryExpression(parent) && parent.getOperatorToken() === SyntaxKind.ExclamationToken) continue; // if (!order)
    else if (Node.isBinaryExpression(parent) && /^[!=]==?$/.test(parent.getOperatorToken().getText()) && /^(?:null|undefined)$/.test((parent.getLeft() === id ? parent.getRight() : parent.getLeft()).getText())) continue;
    else wholeObject = true; // passed to a helper, spread: which fields it looked at is unknown
  }
  const isInData = (n: Node) => n.getStart() >= data.getStart() && n.getEnd() <= data.getEnd();
  const guardedFields = new Set(uses.filter((id) => !isInData(id)).map((id) => id.getParent()).filter((p): p is import('ts-morph').PropertyAccessExpression => Boolean(p && Node.isPropertyAccessExpression(p))).map((p) => p.getName()));

  // Arithmetic: every derived property is `r.f ± x` of its own field, and no check looked at that field.
  if (Node.isObjectLiteralExpression(data) && !wholeObject) {
    const derived = data.getProperties().filter((p) => !Node.isPropertyAssignment(p) || referencedNames(p.getInitializerOrThrow()).some((n) => tainted.has(n)));
    const arithmetic = derived.map((p) => {
      if (!Node.isPropertyAssignment(p)) return undefined;
      const init = p.getInitializerOrThrow();
      if (!Node.isBinaryExpression(init) || guardedFields.has(p.getName())) return undefined;
      const op = init.getOperatorToken().getText();
      const self = `${readVar}.${p.getName()}`;
      const l = init.getLeft();
      const r = init.getRight();
      const clean = (n: Node) => !referencedNames(n).some((x) => tainted.has(x));
      if (op === '+' && l.getText() === self && clean(r)) return { p, text: `{ increment: ${r.getText()} }` };
      if (op === '+' && r.getText() === self && clean(l)) return { p, text: `{ increment: ${l.getText()} }` };
      if (op === '-' && l.getText() === self && clean(r)) return { p, text: `{ decrement: ${r.getText()} }` };
      return undefined;
    });
    if (derived.length > 0 && arithmetic.every(Boolean)) {
      const all = arithmetic as Array<{ p: PropertyAssignment; text: string }>;
      return {
        edits: all.map((a) => ({ start: a.p.getInitializerOrThrow().getStart(), end: a.p.getInitializerOrThrow().getEnd(), text: a.text })),
        imports: [],
        message: `${label} wrote ${derived.map((p) => p.getText()).join(', ')} computed from a value read earlier: two concurrent requests both read the same total and one change was lost. Now an atomic ${all.map((a) => a.text).join(', ')} done by the database`,
      };
    }
  }

  // Compare-and-set. The guard: a version column when the model has one, else the fields the decision read.
  const whereKeys = propMap(where);
  if (!whereKeys || [...where.getProperties()].some((p) => Node.isPropertyAssignment(p) && Node.isObjectLiteralExpression(p.getInitializerOrThrow()))) {
    return `${label} is a read-modify-write of ${readVar}, but its where is not a plain field filter (compound key or spread): make it a version-checked update (versionedUpdate + retryOnConflict) by hand`;
  }
  let expected: string[];
  let versionField = false;
  if (info.versionField === 'version') {
    expected = ['version'];
    versionField = !/\bversion\s*:/.test(data.getText());
  } else if (wholeObject) {
    if (info.versionField !== 'updatedAt') {
      return `${label} is a read-modify-write of ${readVar}, and ${readVar} is handed whole to other code, so which fields the decision depends on is unknown: add \`version Int @default(0)\` to ${target.model} and write through versionedUpdate + retryOnConflict`;
    }
    expected = ['updatedAt'];
  } else {
    expected = [...fieldsRead].filter((f) => !whereKeys.has(f)).sort();
  }
  if (expected.length === 0) return `${label} is a read-modify-write of ${readVar} with nothing to compare against: make it version-checked by hand`;
  const bad = info.fields ? expected.filter((f) => !info.fields!.has(f) || NOT_COMPARABLE.has(info.fields!.get(f)!)) : [];
  if (bad.length) return `${label} is a read-modify-write of ${readVar}, but ${bad.join(', ')} cannot be compared in a where (relation, list, Json or unknown field): add \`version Int @default(0)\` to ${target.model} and use versionedUpdate by hand`;
  const readArgs = read.getArguments()[0]?.asKind(SyntaxKind.ObjectLiteralExpression);
  const select = objectProp(readArgs, 'select');
  if (select && expected.some((f) => !new RegExp(`\\b${f}\\s*:\\s*true\\b`).test(select.getText()))) {
    return `${label} is a read-modify-write of ${readVar}, but the read selects fields without ${expected.join(', ')}: add them to the select and use versionedUpdate by hand`;
  }

  // Shape of the statement: `await x.update(…);` or `const v = await x.update(…);`, directly in a route handler.
  const awaited = update.getParentIfKind(SyntaxKind.AwaitExpression);
  const body = fn.getFirstChildByKind(SyntaxKind.Block);
  const method = handlerMethod(fn);
  const holder = awaited?.getParent();
  const decl = holder && Node.isVariableDeclaration(holder) && Node.isIdentifier(holder.getNameNode()) ? holder : undefined;
  const stmt = decl ? decl.getVariableStatement() : holder && Node.isExpressionStatement(holder) ? holder : undefined;
  if (!awaited || !body || !method || !stmt || stmt.getParent() !== body || (decl && decl.getVariableStatement()!.getDeclarations().length !== 1)) {
    return `${label} is a read-modify-write of ${readVar} (lost update under concurrency), but it is not a plain awaited statement of a route handler: write it with versionedUpdate (expected: { ${expected.map((f) => `${f}: ${readVar}.${f}`).join(', ')} }) and answer conflictResponse() on ConflictError by hand`;
  }
  const returnType = Node.isFunctionLikeDeclaration(fn) ? fn.getReturnTypeNode()?.getText().replace(/\s/g, '') : undefined;
  if (returnType && !/^(?:Promise<)?Response>?$/.test(returnType)) {
    return `${label} is a read-modify-write of ${readVar}, but the handler declares its return type (${returnType}), which a 409 Response may not fit: use versionedUpdate + conflictResponse by hand`;
  }
  const sf = update.getSourceFile();
  const eol = eolOf(sf);
  const pad = indentOf(stmt);
  const u = indentUnit(sf);
  const semi = usesSemicolons(sf) ? ';' : '';
  const delegate = `${target.client}.${target.model}`;
  const checked = [...guardedFields].filter((f) => !whereKeys.has(f)).map((f) => `${readVar}.${f}`);
  const expectedText = expected.map((f) => `${f}: ${readVar}.${f}`).join(', ');
  const lines = [
    `try {`,
    `${u}await versionedUpdate(${delegate}, {`,
    `${u}${u}where: ${where.getText()},`,
    `${u}${u}expected: { ${expectedText} },`,
    `${u}${u}data: ${data.getText()},`,
    ...(versionField ? [`${u}${u}versionField: 'version',`] : []),
    `${u}})${semi}`,
    `} catch (err) {`,
    `${u}if (err instanceof ConflictError) return conflictResponse(err)${semi}`,
    `${u}throw err${semi}`,
    `}`,
    ...(decl ? [`${decl.getVariableStatement()!.getDeclarationKind()} ${decl.getName()} = await ${delegate}.findUniqueOrThrow({ where: ${where.getText()} })${semi}`] : []),
  ];
  const text = lines.map((l, i) => (i === 0 ? l : pad + l)).join(eol);
  return {
    edits: [{ start: stmt.getStart(), end: stmt.getEnd(), text }],
    imports: ['versionedUpdate', 'ConflictError', 'conflictResponse'],
    message: `${label} wrote data computed from ${readVar} (read earlier in the request${checked.length ? `, and checked: ${checked.join(', ')}` : ''}): a concurrent request could change the record in between and one of the two writes was lost. Now a compare-and-set through versionedUpdate (updateMany where ${expected.join(', ')} still ${expected.length > 1 ? 'match' : 'matches'} what was read, count checked) answering 409 on a conflict; the client retries with fresh data`,
  };
}

export const optimisticLock: Codemod = {
  id: 'optimistic-lock',
  title: 'Stop lost updates: atomic increments, version-checked writes with 409 on conflict',
  prefilter: (text) => /\.update\(/.test(text) && /where/.test(text),
  transform(ctx) {
    const result = emptyResult();
    const models = schemaModels(schemaText(ctx));
    for (const sf of ctx.files) {
      const edits: Edit[] = [];
      const notes = [];
      const imports = new Set<string>();
      for (const update of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
        const target = delegateOf(update);
        if (!target || target.method !== 'update') continue;
        const arg = update.getArguments()[0]?.asKind(SyntaxKind.ObjectLiteralExpression);
        const where = objectProp(arg, 'where')?.asKind(SyntaxKind.ObjectLiteralExpression);
        const data = objectProp(arg, 'data');
        if (!arg || !where || !data) continue;
        const info = models.get(target.model) ?? {};
        // Already safe: version-checked where, or atomic / version-bumping data.
        if (/\bversion\b|updatedAt/.test(where.getText()) || /\b(?:increment|decrement)\s*:/.test(data.getText())) continue;
        const fn = enclosingFunction(update);
        if (!fn) continue;
        const rmw = readModifyWrite(fn, update, target.model, data);
        if (rmw) {
          const plan = planReadModifyWrite(ctx, update, target, rmw, where, data, info);
          if (typeof plan === 'string') {
            result.candidates.push(noteAt(ctx, update, plan, MEMO));
            continue;
          }
          edits.push(...plan.edits);
          for (const n of plan.imports) imports.add(n);
          notes.push(noteAt(ctx, update, plan.message, MEMO));
          continue;
        }
        // Blind write of request data in a PATCH/PUT handler.
        const method = handlerMethod(fn);
        if (!method || !/^(?:PATCH|PUT)$/.test(method)) continue;
        if (!info.versionField) {
          result.notes.push(noteAt(ctx, update, `${target.model} has no version or updatedAt field in the Prisma schema: last write wins; add \`version Int @default(0)\` to protect it`));
          continue;
        }
        const bodyDecl = fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration).find((d) => d.getStart() < update.getStart() && /\.json\(\)|readJson\(|parseBody\(|\.formData\(\)/.test(d.getInitializer()?.getText() ?? ''));
        if (!bodyDecl || !Node.isIdentifier(bodyDecl.getNameNode())) {
          result.candidates.push(noteAt(ctx, update, `blind ${target.model}.update in ${method}: could not find the parsed request body by name to read the client's ${info.versionField}; accept it and use versionedUpdate by hand`, MEMO));
          continue;
        }
        const stmt = update.getFirstAncestor((a) => Node.isStatement(a) && a.getParent() === fn.getFirstChildByKind(SyntaxKind.Block));
        const awaited = update.getParentIfKind(SyntaxKind.AwaitExpression);
        if (!stmt || !awaited) {
          result.candidates.push(noteAt(ctx, update, `blind ${target.model}.update in ${method} is nested in an expression: make it version-checked by hand`, MEMO));
          continue;
        }
        const body = bodyDecl.getName();
        const field = info.versionField;
        const opt = bodyDecl.getInitializer()!.getText().includes('readJson(') || /\?/.test(bodyDecl.getTypeNode()?.getText() ?? '') ? '?.' : '.';
        const clientValue = field === 'version'
          ? `typeof ${body}${opt}version === 'number' ? ${body}.version : undefined`
          : `typeof ${body}${opt}updatedAt === 'string' ? new Date(${body}.updatedAt) : undefined`;
        const eol = eolOf(sf);
        const pad = indentOf(stmt);
        const u = indentUnit(sf);
        const delegate = `${target.client}.${target.model}`;
        const dataText = data.getText();
        const versionedOpts = `{ where: ${where.getText()}, expected: { ${field}: clientVersion }, data: ${dataText}${field === 'version' ? ", versionField: 'version'" : ''} }`;
        const pre = [
          `// The ${field} the client read; without it (older clients) the write stays last-write-wins.`,
          `const clientVersion = ${clientValue};`,
          `if (clientVersion !== undefined) {`,
          `${u}try {`,
          `${u}${u}await versionedUpdate(${delegate}, ${versionedOpts});`,
          `${u}} catch (err) {`,
          `${u}${u}if (err instanceof ConflictError) return conflictResponse(err);`,
          `${u}${u}throw err;`,
          `${u}}`,
          `}`,
        ].map((l) => pad + l).join(eol) + eol;
        const lineStart = sf.getFullText().lastIndexOf('\n', stmt.getStart() - 1) + 1;
        edits.push({ start: lineStart, end: lineStart, text: pre });
        // Old clients still bump the version so newer clients holding the old one see the change.
        const plainData = field === 'version' && Node.isObjectLiteralExpression(data)
          ? `${dataText.replace(/\s*\}$/, '')}, version: { increment: 1 } }`
          : field === 'version' ? `{ ...${dataText}, version: { increment: 1 } }` : dataText;
        const plain = update.getText().replace(dataText, plainData).replace(/\n/g, `\n${u}`);
        edits.push({ start: awaited.getStart(), end: awaited.getEnd(), text: `clientVersion !== undefined${eol}${pad}${u}? await ${delegate}.findUniqueOrThrow({ where: ${where.getText()} })${eol}${pad}${u}: await ${plain}` });
        for (const n of ['versionedUpdate', 'ConflictError', 'conflictResponse']) imports.add(n);
        notes.push(noteAt(ctx, update, `blind ${target.model}.update in ${method}: now accepts the ${field} the client read (${body}.${field}) and writes through versionedUpdate (updateMany where ${field} matches + count check), 409 when someone else changed it first; requests without it keep today's behaviour`, MEMO));
      }
      if (edits.length === 0) continue;
      if (imports.size) ensureNamedImport(sf, ctx.addTemplate('optimistic-lock', sf), [...imports], edits);
      if (!applyEdits(sf, edits)) {
        result.failures.push(noteAt(ctx, sf, 'overlapping update rewrites'));
        continue;
      }
      result.changes.push(...notes);
    }
    return result;
  },
};
