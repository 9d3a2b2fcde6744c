/**
 * A row reached through an included relation: `const item = cart.lines.find(…)`, where every value `cart` ever
 * holds in the function comes from a Prisma call that returns the row with `include: { lines: … }`. The element's
 * fields are as fresh as a direct read of that row, so `item.qty + n` written back to it is the same
 * read-modify-write as after a findUnique of the line, and the same atomic rewrite fixes it.
 */
import { Node, SyntaxKind, VariableDeclarationKind, type CallExpression, type Expression } from 'ts-morph';
import { referencedNames } from '../ast.ts';
import { derivedNames } from '../lib/derived-names.ts';
import { objectProp, prismaCall } from './query.ts';
import type { ReadModifyWrite } from './read-modify-write.ts';
import type { ModelInfo } from './schema.ts';

/** Prisma methods whose answer is the row with what `include` / `select` asked for. */
const ROW_ANSWERS = /^(?:findUnique|findFirst|findUniqueOrThrow|findFirstOrThrow|create|upsert|update)$/;

/** The element of an included relation (of the update's model) whose value feeds the update's data. */
export function findRelationElementWrite(fn: Node, update: CallExpression, model: string, data: Node, models: Map<string, ModelInfo>): ReadModifyWrite | undefined {
  const inData = new Set(referencedNames(data));
  for (const decl of fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const init = decl.getInitializer();
    const find = init && Node.isIdentifier(decl.getNameNode()) && decl.getEnd() < update.getStart() ? elementFind(init) : undefined;
    // A `let` element could be pointed at anything later; only a `const` is the row it was found as.
    if (!find || !init || decl.getVariableStatement()?.getDeclarationKind() !== VariableDeclarationKind.Const) continue;
    if (!everyValueIncludes(fn, find.parent, find.relation, model, models, update)) continue;
    // Rows of the relation changed in memory (`for (const l of cart.lines) l.qty = …`) no longer hold what was read.
    const fields = Node.isObjectLiteralExpression(data) ? data.getProperties().flatMap((p) => (Node.isPropertyAssignment(p) ? [p.getName()] : [])) : [];
    const between = fn.getText().slice(0, update.getStart() - fn.getStart());
    if (fields.some((f) => new RegExp(`\\.${f}\\s*(?:[-+*/%]|\\?\\?|\\|\\||&&)?=(?!=)|\\.${f}\\s*(?:\\+\\+|--)`).test(between))) continue;
    const tainted = derivedNames(fn, (e) => e === init);
    if (![...inData].some((n) => tainted.has(n))) continue;
    return { read: find.call, readDecl: decl, readVar: decl.getName(), tainted, params: new Map(), viaRelation: `${find.parent}.${find.relation}` };
  }
  return undefined;
}

/** `parent.relation.find(…)` (optional chaining allowed). */
function elementFind(init: Expression): { parent: string; relation: string; call: CallExpression } | undefined {
  if (!Node.isCallExpression(init)) return undefined;
  const callee = init.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'find') return undefined;
  const list = callee.getExpression();
  if (!Node.isPropertyAccessExpression(list) || !Node.isIdentifier(list.getExpression())) return undefined;
  return { parent: list.getExpression().getText(), relation: list.getName(), call: init };
}

/**
 * `parent` is declared in `fn`, and it and every assignment to it before the update is `await client.m.<row answer>(…)`
 * with the relation included, where m's `relation` holds rows of `model`. A parameter, or a value from anywhere
 * else (a cache, the request), may be stale or made up: then `item.qty` is not what the row held.
 */
function everyValueIncludes(fn: Node, parent: string, relation: string, model: string, models: Map<string, ModelInfo>, update: CallExpression): boolean {
  const decls = fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration).filter((d) => d.getName() === parent);
  if (decls.length !== 1) return false;
  const values: Array<Node | undefined> = [decls[0]!.getInitializer()];
  for (const b of fn.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
    if (b.getLeft().getText() !== parent || !/^(?:=|\?\?=|\|\|=)$/.test(b.getOperatorToken().getText())) continue;
    if (b.getStart() > update.getStart()) continue;
    values.push(b.getRight());
  }
  return values.every((v) => {
    if (!v || !Node.isAwaitExpression(v)) return false;
    const inner = v.getExpression();
    const call = Node.isCallExpression(inner) ? prismaCall(inner) : undefined;
    if (!call || !ROW_ANSWERS.test(call.method) || models.get(call.model)?.relations?.get(relation) !== model) return false;
    return [objectProp(call.args, 'include'), objectProp(call.args, 'select')].some((shape) => shape !== undefined && Node.isObjectLiteralExpression(shape) && asked(objectProp(shape, relation)));
  });
}

/** `lines: true` or `lines: { … }`: the relation's rows are in the answer. */
function asked(v: Node | undefined): boolean {
  return v !== undefined && (v.getKind() === SyntaxKind.TrueKeyword || Node.isObjectLiteralExpression(v));
}
