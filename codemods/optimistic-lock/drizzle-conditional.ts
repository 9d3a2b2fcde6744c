/**
 * A Drizzle check-then-act made one conditional statement: the checks that ended the request move into the
 * update's where, `.returning(…)` tells whether a row still matched, and when none did the request ends as the
 * check would have ended it (the check's own branch, copied), or with a 409 when several checks could have failed.
 *   const updated = await db.update(t).set({ n: sql`${t.n} - ${x}` }).where(and(eq(t.id, id), gte(t.n, x))).returning({ id: t.id });
 *   if (updated.length === 0) return …;
 */
import { Node, SyntaxKind, type VariableDeclaration } from 'ts-morph';
import { eolOf, indentOf, referencedNames, type Edit } from '../ast.ts';
import type { Guard, RowScope } from './drizzle-guard.ts';
import { primaryKey, type DrizzleUpdate } from './drizzle-query.ts';
import { freshName } from './fresh-name.ts';
import { human, type Outcome } from './plan.ts';
import { acceptsResponse, writeSite, type WriteSite } from './write-site.ts';

export interface ConditionalInput {
  label: string;
  scope: RowScope;
  update: DrizzleUpdate;
  guards: Guard[];
  /** The `set` values already turned into SQL arithmetic. */
  setEdits: Edit[];
  relPath: string;
  reserved: Set<string>;
  byHand: string;
  /** Compare-and-set instead of checks: these columns must still hold what was read (a row changed since → 409). */
  compare?: string[];
}

// Dialects whose update builder has `.returning()`; MySQL's answers only through the driver's own result.
const RETURNING = new Set(['pgTable', 'sqliteTable']);

export function conditionalWrite(input: ConditionalInput): Outcome {
  const { label, scope, update: u, guards, setEdits, relPath, reserved, byHand, compare } = input;
  const R = scope.row;
  const checkLines = guards.map((g) => g.statement.getStartLineNumber()).join(', ');
  const act = compare
    ? `${label} writes data computed from ${R} (read earlier): a concurrent request can change the row in between, and one of the two writes is lost`
    : `${label} is a check-then-act on ${R} (checked on line ${checkLines}, then written): two concurrent requests can both pass the check on the same read`;
  if (scope.decl.maker === 'mysqlTable') {
    return human(`${act}, but ${scope.table} is a mysqlTable: MySQL has no RETURNING, so whether the conditional update still matched a row is only in the driver's own result (affectedRows for mysql2, rowsAffected for PlanetScale): move the check into the where and check that count by hand`);
  }
  if (!RETURNING.has(scope.decl.maker)) return human(`${act}, but ${scope.table} is made by ${scope.decl.maker}(…), so whether its driver has \`.returning()\` cannot be told here: ${byHand}`);
  if (u.chain.getParentIfKind(SyntaxKind.PropertyAccessExpression)) return human(`${act}, but the update's result is already taken with \`.${u.chain.getParentOrThrow().asKindOrThrow(SyntaxKind.PropertyAccessExpression).getName()}(…)\`: ${byHand}`);
  const site = writeSite(u.chain, relPath);
  if (typeof site === 'string') return human(`${act}, but ${site}: ${byHand}`);
  if (site.declared) return human(`${act}, but its result is kept in ${site.declared.name}, and the \`.returning()\` the check needs would change what ${site.declared.name} holds: ${byHand}`);
  for (const g of guards) {
    const block = g.statement.getParent();
    if (!block || !site.statement.getAncestors().includes(block)) return human(`${act}, but the check on line ${g.statement.getStartLineNumber()} only runs on some paths to the write, so it cannot become a condition of every write: ${byHand}`);
  }

  const answer = compare ? conflictAnswer(site) : answerWhenNoRow(guards, site);
  if (typeof answer === 'string') return human(`${act}, but ${answer}: ${byHand}`);
  const sf = u.chain.getSourceFile();
  const eol = eolOf(sf);
  const pad = indentOf(site.statement);
  const name = freshName(sf, 'updated', reserved);
  const pk = primaryKey(scope.decl);
  const conditions = compare ? compare.map((f) => `eq(${scope.table}.${f}, ${R}.${f})`) : guards.flatMap((g) => g.conditions);
  const whereArg = u.where!.getArguments()[0]!;
  const andCall = Node.isCallExpression(whereArg) && whereArg.getExpression().getText() === 'and' ? whereArg.getArguments().at(-1) : undefined;
  const edits: Edit[] = [
    ...setEdits,
    andCall
      ? { start: andCall.getEnd(), end: andCall.getEnd(), text: `, ${conditions.join(', ')}` }
      : { start: whereArg.getStart(), end: whereArg.getEnd(), text: `and(${whereArg.getText()}, ${conditions.join(', ')})` },
    { start: site.awaited.getStart(), end: site.awaited.getStart(), text: `const ${name} = ` },
    { start: u.chain.getEnd(), end: u.chain.getEnd(), text: pk ? `.returning({ ${pk}: ${scope.table}.${pk} })` : '.returning()' },
    { start: site.statement.getEnd(), end: site.statement.getEnd(), text: `${eol}${pad}if (${name}.length === 0) ${answer.text}` },
  ];
  const functions = new Set(['and', ...(compare ? ['eq'] : []), ...guards.flatMap((g) => g.functions)]);
  if (setEdits.length || guards.some((g) => g.usesSql)) functions.add('sql');
  const ends = answer.conflict ? 'the route answers 409 (the client retries with fresh data)' : `the request ends as the check on line ${checkLines} ends it`;
  const casMessage = `${act}. Now a compare-and-set: the where also requires ${compare?.join(', ')} to still hold what was read, .returning() says whether the row still matched, and when it did not the route answers 409 (the client retries with fresh data)`;
  return {
    kind: 'edit',
    edits,
    imports: answer.conflict ? ['conflictResponse'] : [],
    drizzleImports: [...functions],
    message: compare ? casMessage : `${act} and both write (a negative balance, a cap overrun)${setEdits.length ? ', and the value written was computed from the stale read' : ''}. Now one conditional update: the check is in its where (${conditions.join(', ')})${setEdits.length ? ', the database does the arithmetic' : ''}, .returning() says whether the row still matched, and when it did not ${ends}`,
  };
}

function conflictAnswer(site: WriteSite): { text: string; conflict: boolean } | string {
  if (site.context.kind !== 'route' || !acceptsResponse(site.fn)) return 'outside a route handler that can answer 409 there is no answer for "the row changed since it was read"';
  return { text: 'return conflictResponse();', conflict: true };
}

/** What the request does when no row matched: the check's own branch when every check ends the same way, else a 409. */
function answerWhenNoRow(guards: Guard[], site: WriteSite): { text: string; conflict: boolean } | string {
  const branches = new Set(guards.map((g) => g.statement.getThenStatement().getText()));
  if (branches.size > 1) {
    const conflict = conflictAnswer(site);
    return typeof conflict === 'string' ? `its checks end the request in different ways, and ${conflict}` : conflict;
  }
  const guard = guards[0]!;
  const then = guard.statement.getThenStatement();
  // The copied branch must mean at the write what it meant at the check: no name it uses re-declared in between.
  const used = new Set(referencedNames(then));
  const declares = (d: VariableDeclaration) => {
    const n = d.getNameNode();
    return (Node.isIdentifier(n) ? [n] : n.getDescendantsOfKind(SyntaxKind.Identifier)).some((i) => used.has(i.getText()));
  };
  const redeclared = site.fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration).find((d) => d.getStart() > guard.statement.getEnd() && d.getEnd() <= site.statement.getStart() && declares(d));
  if (redeclared) return `the check's branch uses ${redeclared.getName()}, declared again between the check and the write`;
  const guardPad = indentOf(guard.statement);
  const writePad = indentOf(site.statement);
  const extra = writePad.startsWith(guardPad) ? writePad.slice(guardPad.length) : '';
  return { text: then.getText().replace(/\n/g, `\n${extra}`), conflict: false };
}
