/** Reading a Prisma call's shape: `client.model.method({ where, data, select … })`. */
import { Node, SyntaxKind, type CallExpression, type ObjectLiteralExpression } from 'ts-morph';

export interface PrismaCall {
  /** `prisma`, `db`, `tx` … as written. */
  client: string;
  /** The delegate: `checklistItem`. */
  model: string;
  method: string;
  args?: ObjectLiteralExpression;
}

/** The Prisma methods that read one row: what a read-modify-write starts from. */
export const ONE_ROW_READS = /^(?:findUnique|findFirst|findUniqueOrThrow|findFirstOrThrow)$/;

/** `db.model.update(…)` → { client, model, method, args }. */
export function prismaCall(call: CallExpression): PrismaCall | undefined {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const model = callee.getExpression();
  if (!Node.isPropertyAccessExpression(model)) return undefined;
  const first = call.getArguments()[0];
  const args = first && Node.isObjectLiteralExpression(first) ? first : undefined;
  return { client: model.getExpression().getText(), model: model.getName(), method: callee.getName(), args };
}

/** The value of `name` in an object literal (`{ name: v }` → v, `{ name }` → the name). */
export function objectProp(obj: ObjectLiteralExpression | undefined, name: string): Node | undefined {
  const p = obj?.getProperty(name);
  if (!p) return undefined;
  if (Node.isPropertyAssignment(p)) return p.getInitializer();
  if (Node.isShorthandPropertyAssignment(p)) return p.getNameNode();
  return undefined;
}

/** `{ a: x, b }` → { a → "x", b → "b" }; undefined when a spread or method makes the keys unknowable. */
export function propMap(obj: ObjectLiteralExpression): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const p of obj.getProperties()) {
    if (Node.isPropertyAssignment(p)) out.set(p.getName(), p.getInitializerOrThrow().getText());
    else if (Node.isShorthandPropertyAssignment(p)) out.set(p.getName(), p.getName());
    else return undefined;
  }
  return out;
}

// What a find accepts besides `where`: the keys that decide the returned shape.
const SHAPE_KEYS = new Set(['where', 'select', 'include', 'omit']);

/**
 * The update's arguments minus `data`, as text: a find with them returns exactly the shape the update returned
 * (same `where`, same `select` / `include` / `omit`). Undefined when another key (or a spread) is present.
 */
export function rereadArgs(args: ObjectLiteralExpression): string | undefined {
  const props = args.getProperties();
  const data = props.find((p) => Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p) ? p.getName() === 'data' : false);
  const kept = props.filter((p) => p !== data);
  if (!data || kept.length === 0) return undefined;
  for (const p of kept) {
    if (!(Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p)) || !SHAPE_KEYS.has(p.getName())) return undefined;
  }
  if (kept.every((p) => !p.getText().includes('\n'))) return `{ ${kept.map((p) => p.getText()).join(', ')} }`;
  // Multi-line: cut `data` out of the original text so the rest keeps the author's layout.
  const text = args.getText();
  const base = args.getStart();
  const i = props.indexOf(data);
  const next = props[i + 1];
  const [from, to] = next ? [data.getStart(), next.getStart()] : [props[i - 1]!.getEnd(), data.getEnd()];
  return text.slice(0, from - base) + text.slice(to - base);
}

/** The keys of a `data` object literal, or undefined when it is not one (a variable, a spread). */
export function dataKeys(data: Node): string[] | undefined {
  if (!Node.isObjectLiteralExpression(data)) return undefined;
  return propMap(data) ? [...propMap(data)!.keys()] : undefined;
}

/** Prisma methods that write rows. */
export const WRITES = /^(?:create|createMany|createManyAndReturn|update|updateMany|upsert|delete|deleteMany)$/;
/** Writes that change rows already there (a create adds another row, leaving a read one as it was). */
export const ROW_CHANGES = /^(?:update|updateMany|upsert|delete|deleteMany)$/;

/** The first Prisma call in `scope` between `from` and `to` whose method is one of `methods` (of `model` if given), or a raw statement. */
export function writeBetween(scope: Node, from: Node, to: Node, methods: RegExp, model?: string): CallExpression | undefined {
  return scope.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => {
    if (c.getStart() <= from.getEnd() || c.getEnd() > to.getStart()) return false;
    if (/\$(?:executeRaw|queryRaw)(?:Unsafe)?$/.test(c.getExpression().getText())) return true;
    const p = prismaCall(c);
    return p !== undefined && methods.test(p.method) && (model === undefined || p.model === model);
  });
}
