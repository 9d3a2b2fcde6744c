/**
 * Non-arithmetic read-modify-write (a status transition, a toggle, a balance checked before it is spent): a
 * compare-and-set through versionedUpdate on what the decision was based on (the version column when the model
 * has one, else the fields read). The statement is replaced where it stands; a value it declared is re-read
 * with the update's own `where` / `select` / `include` / `omit`, so the rest of the function sees the same shape.
 */
import { Node, type ObjectLiteralExpression } from 'ts-morph';
import { provenNonNull } from '../lib/null-guards.ts';
import { importsFor, indentMore, layoutAt, replaceStatement, versionedWrite } from './conflict.ts';
import { compareAndSetMessage, MARKER } from './messages.ts';
import { human, type Outcome } from './plan.ts';
import { WRITES, dataKeys, propMap, rereadArgs, objectProp, writeBetween, type PrismaCall } from './query.ts';
import type { Decision, ReadModifyWrite } from './read-modify-write.ts';
import { notScalarWritable, uncomparable, type ModelInfo } from './schema.ts';
import { acceptsResponse, type WriteSite } from './write-site.ts';

export interface CompareAndSetInput {
  label: string;
  call: PrismaCall & { args: ObjectLiteralExpression };
  where: ObjectLiteralExpression;
  data: Node;
  info: ModelInfo;
  rmw: ReadModifyWrite;
  decision: Decision;
  site: WriteSite | string;
  /** The user opted this file in (--version-check / marker): library code may then throw ConflictError. */
  optedIn: boolean;
  relPath: string;
}

export function planCompareAndSet(input: CompareAndSetInput): Outcome {
  const { label, call, where, data, info, rmw, decision, site, optedIn, relPath } = input;
  const { readVar } = rmw;
  const byHand = `write it with versionedUpdate + retryOnConflict by hand`;
  const whereKeys = propMap(where);
  if (!whereKeys || where.getProperties().some((p) => Node.isPropertyAssignment(p) && Node.isObjectLiteralExpression(p.getInitializerOrThrow()))) {
    return human(`${label} is a read-modify-write of ${readVar}, but its where is not a plain field filter (compound key or spread): ${byHand}`);
  }
  const expected = expectedFields(info, decision, whereKeys, data);
  if (typeof expected === 'string') return human(`${label} is a read-modify-write of ${readVar}${expected}`);
  const bad = uncomparable(info, expected.fields);
  if (bad.length) return human(`${label} is a read-modify-write of ${readVar}, but ${bad.join(', ')} cannot be compared in a where (relation, list, Json or unknown field): add \`version Int @default(0)\` to ${call.model} and ${byHand}`);
  const readSelect = objectProp(rmw.readArgs, 'select');
  if (readSelect && !Node.isObjectLiteralExpression(readSelect)) {
    // A select kept in a variable or built elsewhere: what it holds cannot be read here, so say that, not a guess.
    return human(`${label} is a read-modify-write of ${readVar}, but the read's select is \`${readSelect.getText().slice(0, 40)}\`, defined elsewhere, so whether it holds ${expected.fields.join(', ')} cannot be told here: ${byHand}`);
  }
  if (readSelect && expected.fields.some((f) => !new RegExp(`\\b${f}\\s*:\\s*true\\b`).test(readSelect.getText()))) {
    return human(`${label} is a read-modify-write of ${readVar}, but the read selects fields without ${expected.fields.join(', ')}: add them to the select and ${byHand}`);
  }
  const keys = dataKeys(data);
  const notScalar = keys ? notScalarWritable(info, keys) : undefined;
  if (!keys || notScalar!.length) {
    return human(`${label} is a read-modify-write of ${readVar}, but its data ${keys ? `writes ${notScalar!.join(', ')}, which updateMany cannot (relation or unknown field)` : `${Node.isObjectLiteralExpression(data) ? 'spreads other objects into itself' : 'is not an object literal'}, so what updateMany would receive cannot be checked`}: ${byHand}`);
  }
  if (typeof site === 'string') return human(`${label} is a read-modify-write of ${readVar} (lost update under concurrency), but ${site}: ${byHand}, expected: { ${expected.fields.map((f) => `${f}: ${readVar}.${f}`).join(', ')} }`);
  if (!provenNonNull(rmw.readDecl, site.statement)) {
    return human(`${label} is a read-modify-write of ${readVar}, but ${readVar} may be null at the write (no \`if (!${readVar}) return …\` before it), and the version check would read its fields: ${byHand}`);
  }
  // Outside a route handler a conflict can only be thrown, and callers written for a silent last-write-wins may
  // not expect that (a background job, a webhook): the user decides.
  if (site.context.kind === 'library' && !optedIn) {
    return human(`${label} is a read-modify-write of ${readVar} in library code (not a route handler), where a conflict can only be thrown to callers that may not expect it: ${byHand}, or opt the file in (\`--version-check ${relPath}\` or a \`${MARKER}\` comment) to have genie-fix write a compare-and-set that throws ConflictError`);
  }
  if (site.context.kind === 'route' && !acceptsResponse(site.fn)) {
    return human(`${label} is a read-modify-write of ${readVar}, but the handler declares a return type a plain 409 Response may not fit: ${byHand} and answer conflictResponse()`);
  }
  // A 409 (or ConflictError) after other writes of this request leaves them done while telling the client it failed.
  const earlier = writeBetween(site.statement.getSourceFile(), rmw.read, site.statement, WRITES);
  if (earlier) {
    return human(`${label} is a read-modify-write of ${readVar}, but \`${earlier.getExpression().getText()}\` at line ${earlier.getStartLineNumber()} writes before it and would stay done when the conflict is answered: make the change atomic in each branch ({ increment } / { decrement }) or put the writes in one transaction, by hand`);
  }
  const reread = site.declared ? rereadArgs(call.args) : '';
  if (reread === undefined) return human(`${label} is a read-modify-write of ${readVar}, but its arguments hold more than where/select/include/omit, so its result cannot be re-read in the same shape: ${byHand}`);

  const l = layoutAt(site);
  const u = l.unit;
  const delegate = `${call.client}.${call.model}`;
  // In a route the call moves one level in (inside try): copied multi-line text moves with it.
  const inner = site.context.kind === 'route' ? u : '';
  const callLines = [
    `await versionedUpdate(${delegate}, {`,
    `${u}where: ${indentMore(where.getText(), inner)},`,
    `${u}expected: { ${expected.fields.map((f) => `${f}: ${readVar}.${f}`).join(', ')} },`,
    `${u}data: ${indentMore(data.getText(), inner)},`,
    ...(expected.bumpVersion ? [`${u}versionField: 'version',`] : []),
    `})${l.semi}`,
  ];
  const lines = versionedWrite(site, callLines, l);
  if (site.declared) {
    // The declaration as written (kind, name, type annotation), now holding the re-read.
    const stmt = site.statement.getText();
    const from = site.awaited.getStart() - site.statement.getStart();
    lines.push(stmt.slice(0, from) + `await ${delegate}.findUniqueOrThrow(${reread})` + stmt.slice(from + site.awaited.getWidth()));
  }
  const checked = [...decision.guardedFields].filter((f) => !whereKeys.has(f)).map((f) => `${readVar}.${f}`);
  return {
    kind: 'edit',
    edits: [replaceStatement(site, lines, l)],
    imports: importsFor(site),
    message: compareAndSetMessage(label, readVar, checked, expected.fields, site.context.kind === 'library'),
  };
}

/** The guard: a version column when the model has one, else the fields the decision read (not those in where). */
export function expectedFields(info: ModelInfo, decision: Decision, whereKeys: Map<string, string>, data: Node): { fields: string[]; bumpVersion: boolean } | string {
  // A data that sets the version itself keeps doing so.
  if (info.versionField === 'version') return { fields: ['version'], bumpVersion: !/\bversion\s*:/.test(data.getText()) };
  if (decision.wholeObject) {
    if (info.versionField === 'updatedAt') return { fields: ['updatedAt'], bumpVersion: false };
    return ', and it is handed whole to other code, so which fields the decision depends on is unknown: add `version Int @default(0)` to the model and write it with versionedUpdate + retryOnConflict by hand';
  }
  const fields = [...decision.fieldsRead].filter((f) => !whereKeys.has(f)).sort();
  if (fields.length === 0) return ' with nothing to compare against: make it version-checked by hand';
  return { fields, bumpVersion: false };
}
