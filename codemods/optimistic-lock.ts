/**
 * optimistic-lock: concurrent updates must not silently overwrite each other.
 * - read R, then update the same record with `R.field ± x` → atomic `{ increment | decrement: x }` (no lock needed);
 * - a blind `update({ where: { id }, data })` of request data in a PATCH/PUT handler whose model has a version
 *   (Int `version`, else `updatedAt`) → accepts the version the client read (body.version / body.updatedAt),
 *   writes through versionedUpdate and answers 409 on a mismatch; without it, today's behaviour (old clients);
 * - a read-modify-write that is not arithmetic → reported as a candidate for versionedUpdate + retryOnConflict.
 * Already version-checked writes (updateMany with the version in where, increment) are left alone.
 */
import { Node, SyntaxKind, type CallExpression, type ObjectLiteralExpression } from 'ts-morph';
import { applyEdits, emptyResult, enclosingFunction, ensureNamedImport, eolOf, indentOf, indentUnit, noteAt, referencedNames, type Edit } from './ast.ts';
import type { Codemod, CodemodContext } from './types.ts';

const MEMO =
  "the memo re-read updatedAt and wrote with it in the same request: that only narrows the window, because the value it checks is the one it just read, not the one the user (or the read-modify-write) started from";
const READS = /\.(?:findUnique|findFirst|findUniqueOrThrow|findFirstOrThrow)$/;

interface ModelInfo {
  versionField?: 'version' | 'updatedAt';
}

export function schemaModels(schema: string | undefined): Map<string, ModelInfo> {
  const out = new Map<string, ModelInfo>();
  if (!schema) return out;
  for (const m of schema.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const delegate = m[1]![0]!.toLowerCase() + m[1]!.slice(1);
    const body = m[2]!;
    const versionField = /^\s*version\s+Int\b/m.test(body) ? 'version' : /^\s*updatedAt\s+DateTime\b/m.test(body) ? 'updatedAt' : undefined;
    out.set(delegate, { versionField });
  }
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
        // The read of the same record that came before, if any.
        const reads = fn.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => c.getStart() < update.getStart() && READS.test(c.getExpression().getText()) && delegateOf(c)?.model === target.model);
        const read = reads[reads.length - 1];
        const readVar = read?.getFirstAncestorByKind(SyntaxKind.VariableDeclaration)?.getName();
        const derived = Node.isObjectLiteralExpression(data) && readVar
          ? data.getProperties().filter((p) => Node.isPropertyAssignment(p) && referencedNames(p.getInitializerOrThrow()).includes(readVar))
          : [];
        if (derived.length > 0 && Node.isObjectLiteralExpression(data)) {
          const arithmetic = derived.map((p) => {
            const pa = p.asKindOrThrow(SyntaxKind.PropertyAssignment);
            const init = pa.getInitializerOrThrow();
            if (!Node.isBinaryExpression(init)) return undefined;
            const op = init.getOperatorToken().getText();
            const self = `${readVar}.${pa.getName()}`;
            const l = init.getLeft().getText();
            const r = init.getRight();
            if (op === '+' && l === self && !referencedNames(r).includes(readVar!)) return { p: pa, text: `{ increment: ${r.getText()} }` };
            if (op === '+' && r.getText() === self && !referencedNames(init.getLeft()).includes(readVar!)) return { p: pa, text: `{ increment: ${l} }` };
            if (op === '-' && l === self && !referencedNames(r).includes(readVar!)) return { p: pa, text: `{ decrement: ${r.getText()} }` };
            return undefined;
          });
          if (arithmetic.every(Boolean)) {
            for (const a of arithmetic) edits.push({ start: a!.p.getInitializerOrThrow().getStart(), end: a!.p.getInitializerOrThrow().getEnd(), text: a!.text });
            notes.push(noteAt(ctx, update, `${target.model}.update wrote ${derived.map((p) => p.getText()).join(', ')} computed from a value read earlier: two concurrent requests both read the same total and one change was lost. Now an atomic ${arithmetic.map((a) => a!.text).join(', ')} done by the database`, MEMO));
            continue;
          }
          result.candidates.push(noteAt(ctx, update, `${target.model}.update writes data computed from ${readVar} (read earlier in the request), not as plain arithmetic: wrap read + write in retryOnConflict and write with versionedUpdate (${info.versionField ?? 'add a version Int field'})`, MEMO));
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
