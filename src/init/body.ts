/**
 * The JSON body fields a handler reads: destructured from `await req.json()`, read off the parsed body
 * (`body.x`, `body?.x`), or declared in the zod schema the body is parsed with (`Schema.safeParse(...)`).
 */
import { Node, SyntaxKind, type SourceFile } from 'ts-morph';

export type FieldType = 'string' | 'number' | 'boolean' | 'unknown';

export interface BodyField {
  name: string;
  type: FieldType;
  optional: boolean;
  line: number;
}

const ZOD_TYPES: Record<string, FieldType> = { string: 'string', number: 'number', boolean: 'boolean', email: 'string', uuid: 'string', cuid: 'string', coerce: 'unknown' };

/** Field → type of a `z.object({ … })` literal. */
function zodObjectFields(obj: Node): BodyField[] {
  if (!Node.isObjectLiteralExpression(obj)) return [];
  const out: BodyField[] = [];
  for (const p of obj.getProperties()) {
    if (!Node.isPropertyAssignment(p)) continue;
    const text = p.getInitializer()?.getText() ?? '';
    const kind = /\bz\s*\.\s*(\w+)\s*\(/.exec(text)?.[1] ?? '';
    out.push({ name: p.getName().replace(/^['"]|['"]$/g, ''), type: ZOD_TYPES[kind] ?? 'unknown', optional: /\.(?:optional|nullish|default)\s*\(/.test(text), line: p.getStartLineNumber() });
  }
  return out;
}

/** `const S = z.object({...})` (or `.strict()` etc. chained on it) in the file → its fields. */
function zodSchemaFields(sf: SourceFile, name: string): BodyField[] | undefined {
  const init = sf.getVariableDeclaration(name)?.getInitializer();
  if (!init) return undefined;
  const call = [init, ...init.getDescendantsOfKind(SyntaxKind.CallExpression)].find(
    (c) => Node.isCallExpression(c) && /\bz\s*\.\s*object$/.test(c.getExpression().getText()),
  );
  return call && Node.isCallExpression(call) ? zodObjectFields(call.getArguments()[0]!) : undefined;
}

function typeFromText(text: string | undefined): FieldType {
  if (!text) return 'unknown';
  if (/^string\b/.test(text)) return 'string';
  if (/^number\b/.test(text)) return 'number';
  if (/^boolean\b/.test(text)) return 'boolean';
  return 'unknown';
}

/** `typeof body?.x === 'number'` next to the access tells the type. */
function typeFromUse(fn: Node, bodyName: string, field: string): FieldType {
  const text = fn.getText();
  const access = `${bodyName}\\??\\.${field}`;
  const typed = new RegExp(`typeof\\s+${access}\\s*[!=]==?\\s*['"](string|number|boolean)['"]`).exec(text)?.[1] as FieldType | undefined;
  if (typed) return typed;
  if (new RegExp(`${access}\\s*[!=]==?\\s*(?:true|false)\\b`).test(text)) return 'boolean';
  if (new RegExp(`Number\\(\\s*${access}\\s*\\)`).test(text)) return 'number';
  return 'unknown';
}

/** Is this call the request body being read as JSON (`req.json()`, `readJson(req)`, `req.body` in pages)? */
function isBodyRead(node: Node, reqName: string | undefined): boolean {
  if (!Node.isCallExpression(node)) return false;
  const callee = node.getExpression().getText();
  if (/\.json$/.test(callee)) return !/^(?:Response|NextResponse|res|response|upstream)\b/.test(callee);
  return Boolean(reqName) && /json|body/i.test(callee) && node.getArguments()[0]?.getText() === reqName;
}

/** Climbs await / casts / parentheses / `.catch(…)` to the expression the body value ends up in. */
function outerOf(node: Node): Node {
  let cur = node;
  for (;;) {
    const p = cur.getParent();
    if (!p) return cur;
    if (Node.isAwaitExpression(p) || Node.isParenthesizedExpression(p) || Node.isAsExpression(p) || Node.isNonNullExpression(p) || Node.isSatisfiesExpression(p)) cur = p;
    else if (Node.isPropertyAccessExpression(p) && p.getName() === 'catch' && Node.isCallExpression(p.getParent())) cur = p.getParent()!;
    else return cur;
  }
}

function accessedFields(fn: Node, name: string): BodyField[] {
  const out = new Map<string, BodyField>();
  for (const pa of fn.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression)) {
    if (pa.getExpression().getText() !== name) continue;
    const field = pa.getName();
    if (!out.has(field)) out.set(field, { name: field, type: typeFromUse(fn, name, field), optional: false, line: pa.getStartLineNumber() });
  }
  for (const d of fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const binding = d.getNameNode();
    if (d.getInitializer()?.getText() !== name || !Node.isObjectBindingPattern(binding)) continue;
    for (const el of binding.getElements()) {
      const field = (el.getPropertyNameNode() ?? el.getNameNode()).getText();
      if (!out.has(field)) out.set(field, { name: field, type: 'unknown', optional: Boolean(el.getInitializer()), line: el.getStartLineNumber() });
    }
  }
  return [...out.values()];
}

export function bodyFields(fn: Node): BodyField[] {
  const sf = fn.getSourceFile();
  const params = Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) ? fn.getParameters() : [];
  const reqName = params[0]?.getName();
  // pages/api: the body is already parsed on req.body.
  if (reqName && fn.getText().includes(`${reqName}.body`)) return accessedFields(fn, `${reqName}.body`);

  const read = fn.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => isBodyRead(c, reqName));
  if (!read) return [];
  const outer = outerOf(read);
  const parent = outer.getParent();

  // Schema.safeParse(await req.json()) / Schema.parse(...)
  if (parent && Node.isCallExpression(parent) && /\.(?:safeParse|parse|safeParseAsync|parseAsync)$/.test(parent.getExpression().getText())) {
    const schema = parent.getExpression().getText().replace(/\.(?:safeParse|parse|safeParseAsync|parseAsync)$/, '');
    return zodSchemaFields(sf, schema) ?? [];
  }
  if (parent && Node.isVariableDeclaration(parent)) {
    const binding = parent.getNameNode();
    if (Node.isObjectBindingPattern(binding)) {
      // Types from the cast: `(await req.json()) as { a: string; b: number }`.
      const cast = outer.getDescendantsOfKind(SyntaxKind.AsExpression)[0] ?? (Node.isAsExpression(outer) ? outer : undefined);
      const typeNode = cast?.getTypeNode();
      const members = new Map<string, string>();
      if (typeNode && Node.isTypeLiteral(typeNode)) {
        for (const m of typeNode.getProperties()) members.set(m.getName(), m.getTypeNode()?.getText() ?? '');
      }
      return binding.getElements().map((el) => {
        const name = (el.getPropertyNameNode() ?? el.getNameNode()).getText();
        return { name, type: typeFromText(members.get(name)), optional: Boolean(el.getInitializer()), line: el.getStartLineNumber() };
      });
    }
    const name = binding.getText();
    // const body = await req.json(); const input = Schema.safeParse(body)
    for (const c of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const m = /^(\w+)\.(?:safeParse|parse|safeParseAsync|parseAsync)$/.exec(c.getExpression().getText());
      if (m && c.getArguments()[0]?.getText() === name) {
        const fields = zodSchemaFields(sf, m[1]!);
        if (fields) return fields;
      }
    }
    return accessedFields(fn, name);
  }
  return [];
}
