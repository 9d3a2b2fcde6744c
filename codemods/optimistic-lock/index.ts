/**
 * optimistic-lock: concurrent updates must not silently overwrite each other, and a write nobody can prove
 * racy stays exactly as written.
 * - read R, then update the same record with `R.field ± x` → atomic `{ increment | decrement: x }`;
 * - read R, then update it from R otherwise (a status transition, a checked balance) → compare-and-set through
 *   versionedUpdate answering 409 in a route handler; in any other function only when the file is opted in
 *   (then it throws ConflictError to the callers), else a human decides;
 * - a blind write (nothing read from the row feeds it) → left alone, unless the user opts the route in
 *   (`--version-check <files>`, or a `// genie-fix: version-check` comment): then it checks the version the client read.
 * Already version-checked writes (the version in where, increment) are left alone.
 */
import { Node, SyntaxKind, ts, type CallExpression, type SourceFile } from 'ts-morph';
import { descendantsOfKind } from '../lib/descendants.ts';
import { applyEdits, emptyResult, enclosingFunction, ensureNamedImport, noteAt, relPath, type Edit } from '../ast.ts';
import type { Codemod, CodemodContext } from '../types.ts';
import { blindWriteNote, MEMO, noVersionNote, serializableNote } from './messages.ts';
import { optInFrom, type OptIn } from './opt-in.ts';
import { aggregateRace } from './aggregate.ts';
import { planDrizzle } from './drizzle.ts';
import { planGuardedAtomic } from './plan-guarded-atomic.ts';
import { planGuardedTransition, planStateGuardedWrite } from './plan-guarded-transition.ts';
import { splitLimitChecks } from './split-limit.ts';
import { perItemStockRace } from './per-item-stock.ts';
import { helperWriteRace } from './helpers.ts';
import { planAtomic } from './plan-atomic.ts';
import { planClientVersion } from './plan-client-version.ts';
import { planCompareAndSet } from './plan-compare-and-set.ts';
import { planTransaction } from './plan-transaction.ts';
import { human, type Outcome } from './plan.ts';
import { dataKeys, objectProp, prismaCall } from './query.ts';
import { decisionOf, findGuardedTransition, findReadModifyWrite, readOfWrittenRow, sameRecord, type Decision } from './read-modify-write.ts';
import { findRelationElementWrite } from './relation-element.ts';
import { readSchema } from '../lib/prisma-schema.ts';
import { schemaModels, type ModelInfo } from './schema.ts';
import { prismaMajor, transactionOf } from './transaction.ts';
import { clientWithHooks } from './client-hooks.ts';
import { outsideRouteHandler, writeSite } from './write-site.ts';

/** Scripts run by hand or at deploy (`scripts/`, Prisma seeds), not by requests. */
const ONE_OFF = /^(?:scripts|prisma)\/|(?:^|\/)seed\.[cm]?[jt]s$/;

interface FileScope {
  rel: string;
  optedIn: boolean;
  models: Map<string, ModelInfo>;
  reserved: Set<string>;
  prismaMajor?: number;
}

/** The decision for one `x.model.update(…)` call; undefined when it is not an update this codemod reads. */
function planUpdate(update: CallExpression, scope: FileScope): Outcome | undefined {
  const call = prismaCall(update);
  if (!call || call.method !== 'update' || !call.args) return undefined;
  const where = objectProp(call.args, 'where')?.asKind(SyntaxKind.ObjectLiteralExpression);
  const data = objectProp(call.args, 'data');
  if (!where || !data) return undefined;
  // Already safe: version-checked where, or version-bumping data.
  if (/\bversion\b|updatedAt/.test(where.getText())) return { kind: 'leave' };
  // Inside an interactive transaction the read may sit before it, in the handler around the callback.
  const tx = transactionOf(update);
  // Atomic data is safe unless a check on the value read earlier decides whether it runs (check-then-act).
  if (/\b(?:increment|decrement)\s*:/.test(data.getText())) {
    const guarded = planGuardedAtomic({ label: `${call.model}.update`, update, call: { ...call, args: call.args }, where, data, tx, reserved: scope.reserved });
    if (guarded) return guarded;
    const perItem = perItemStockRace(update, call.model, data, where, tx);
    return perItem ? human(`${call.model}.update: ${perItem}`) : { kind: 'leave' };
  }
  const fn = tx?.kind === 'interactive' ? enclosingFunction(tx.call) : enclosingFunction(update);
  if (!fn || alreadyVersioned(fn, `${call.client}.${call.model}`)) return { kind: 'leave' };
  const aggregate = aggregateRace(fn, update, call.model, data, tx);
  if (aggregate) return human(aggregate);
  const info = scope.models.get(call.model) ?? {};
  const label = `${call.model}.update`;
  const args = { ...call, args: call.args };
  const rmw =
    findReadModifyWrite(fn, update, call.model, data) ??
    findGuardedTransition(fn, update, call.model, data, where) ??
    findRelationElementWrite(fn, update, call.model, data, scope.models);
  if (rmw) {
    // A read must not start failing: a GET that fills in a derived value (a lazy barcode, a cached summary) gets
    // no 409. Concurrent readers write the same value; a write that must not run twice belongs in a POST.
    const at = writeSite(update, scope.rel);
    if (typeof at !== 'string' && at.context.kind === 'route' && (at.context.method === 'GET' || at.context.method === 'HEAD')) {
      return { kind: 'leave', note: `${label} in a ${at.context.method} handler writes data computed from ${rmw.readVar}: left alone, because a conflict answer would make a read fail; if two concurrent requests could write different values, move the write out of the ${at.context.method}` };
    }
    if (!sameRecord(rmw, where)) {
      const written = readOfWrittenRow(fn, update, call.model, where);
      if (written && written !== rmw.readVar) {
        return human(`${label} writes ${written} (read earlier) with a value taken from ${rmw.readVar}, another ${call.model} row: if a check on ${written} decides whether it runs (a field set once, a state), two requests can both pass it; make it a conditional updateMany with that check in its where, count checked, by hand`);
      }
      return human(`${label} writes data computed from ${rmw.readVar} (read earlier), but its where does not clearly name the record that was read: make it a version-checked update (versionedUpdate) by hand`);
    }
    const decision = decisionOf(fn, rmw, update, data);
    // Outside a route handler there is no 409 to give, and a projection is no lost update of the fields it writes:
    // say what could still go stale instead of failing the run. In a route the compare-and-set below catches it.
    const projected = writesOnlyUnreadFields(data, decision);
    const site = writeSite(update, scope.rel);
    if (projected && !(typeof site !== 'string' && site.context.kind === 'route')) {
      const read = [...decision.fieldsRead].sort().join(', ');
      return { kind: 'leave', note: `${label} writes ${projected.join(', ')} from other fields of ${rmw.readVar} (${read}), not from the values it replaces, so it adds to nothing another request wrote; left as written. If another request changes ${read} while this runs, what this writes describes the old ${read} and replaces the newer value: a compare-and-set on ${read} (versionedUpdate) by hand would catch that` };
    }
    if (tx?.serializable && tx.callback && tx.callback.getStart() <= rmw.read.getStart() && rmw.read.getEnd() <= tx.callback.getEnd()) {
      return { kind: 'leave', note: serializableNote(label, rmw.readVar) };
    }
    // Outside a route handler a compare-and-set could only throw a ConflictError the callers do not expect; a
    // checked transition can answer with its own check's throw or return instead.
    if (rmw.transitionGuard && !scope.optedIn && outsideRouteHandler(update, scope.rel)) {
      const planned = planGuardedTransition({ label, update, call: args, where, data, tx, reserved: scope.reserved }, rmw, rmw.transitionGuard, info);
      if (planned) return planned;
    }
    const atomic = planAtomic(label, data, rmw, decision, info);
    // Compare-and-set re-reads the row by the read's own query; an element of a relation has none.
    if (!atomic && rmw.viaRelation) return human(`${label} writes data computed from ${rmw.readVar}, a row of ${rmw.viaRelation} read earlier: make it an atomic or version-checked update by hand`);
    if (atomic || !tx) return atomic ?? planCompareAndSet({ label, call: args, where, data, info, rmw, decision, site: writeSite(update, scope.rel), optedIn: scope.optedIn, relPath: scope.rel });
    return planTransaction({ label, model: call.model, update, where, data, info, rmw, decision, tx, optedIn: scope.optedIn, relPath: scope.rel, prismaMajor: scope.prismaMajor });
  }
  const helperWrite = helperWriteRace(update, call.model, data);
  if (helperWrite) return human(helperWrite);
  const stateGuarded = scope.optedIn ? undefined : planStateGuardedWrite({ label, update, call: args, where, data, tx, reserved: scope.reserved }, info);
  if (stateGuarded) return stateGuarded;
  const site = writeSite(update, scope.rel);
  if (scope.optedIn) return planClientVersion({ label, update, call: args, where, data, info, site, reserved: scope.reserved });
  // A blind write: byte-identical. Only a PATCH/PUT handler gets a note, where a client edit is the likely source.
  if (typeof site === 'string' || site.context.kind !== 'route' || !/^(?:PATCH|PUT)$/.test(site.context.method)) return { kind: 'leave' };
  return { kind: 'leave', note: info.versionField ? blindWriteNote(label, site.context.method, info.versionField, scope.rel) : noVersionNote(call.model) };
}

/**
 * The data's fields when none of them was looked at on the row (`captions: await transcribe(video.audioUrl)`): a
 * projection of other fields, not a read-modify-write. Two such writes each write a whole value of their own, and a
 * compare-and-set on the fields read would let both through, since neither changes them.
 */
function writesOnlyUnreadFields(data: Node, decision: Decision): string[] | undefined {
  const keys = dataKeys(data);
  if (!keys?.length || decision.wholeObject || decision.fieldsRead.size === 0) return undefined;
  return keys.some((k) => decision.fieldsRead.has(k)) ? undefined : keys;
}

/** Of `names`, those this file already binds to something other than drizzle-orm's (another driver's `sql`, a local `and`). */
function boundElsewhere(sf: SourceFile, names: string[]): string[] {
  const taken = new Set<string>();
  for (const d of sf.getImportDeclarations()) {
    if (d.getModuleSpecifierValue() === 'drizzle-orm') continue;
    for (const n of d.getNamedImports()) taken.add((n.getAliasNode() ?? n.getNameNode()).getText());
    const own = d.getDefaultImport() ?? d.getNamespaceImport();
    if (own) taken.add(own.getText());
  }
  for (const kind of [SyntaxKind.VariableDeclaration, SyntaxKind.Parameter, SyntaxKind.FunctionDeclaration] as const) {
    for (const decl of sf.getDescendantsOfKind(kind)) {
      const n = decl.getNameNode();
      if (n && Node.isIdentifier(n)) taken.add(n.getText());
    }
  }
  return names.filter((n) => taken.has(n));
}

/** A previous run (or the author) already routes this delegate's writes in `fn` through versionedUpdate. */
function alreadyVersioned(fn: Node, delegate: string): boolean {
  return fn.getDescendantsOfKind(SyntaxKind.CallExpression).some((c) => c.getExpression().getText() === 'versionedUpdate' && c.getArguments()[0]?.getText() === delegate);
}

function updateOrSet(n: ts.Node): boolean {
  return ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ['update', 'set'].includes(n.expression.name.getText());
}

function transformFile(ctx: CodemodContext, sf: SourceFile, scope: FileScope, result: ReturnType<typeof emptyResult>): void {
  const edits: Edit[] = [];
  const changes = [];
  const imports = new Set<string>();
  const drizzleNames = new Set<string>();
  // planUpdate reads `x.model.update(…)` and planDrizzle `….set(…)`: other calls are never wrapped.
  for (const update of descendantsOfKind(sf, SyntaxKind.CallExpression, updateOrSet)) {
    const prisma = planUpdate(update, scope);
    let outcome = prisma ?? planDrizzle(update, scope.rel, scope.reserved);
    if (!outcome) continue;
    const clash = outcome.kind === 'edit' ? boundElsewhere(sf, outcome.drizzleImports ?? []) : [];
    if (clash.length) outcome = human(`this Drizzle update can be made safe with ${(outcome as { drizzleImports: string[] }).drizzleImports.join(', ')} from drizzle-orm, but this file already has ${clash.map((n) => `\`${n}\``).join(', ')} from somewhere else: write it by hand`);
    if (outcome.kind === 'edit') for (const n of outcome.drizzleImports ?? []) drizzleNames.add(n);
    // updateMany skips the `update` hooks of a client extended with query hooks (an audit log, a soft delete).
    if (outcome.kind === 'edit' && !outcome.drizzleImports?.length && outcome.edits.some((e) => /\bupdateMany\b|versionedUpdate\(/.test(e.text))) {
      const hooked = clientWithHooks(sf);
      if (hooked) outcome = human(`${outcome.message.split('. Now')[0].split(' (')[0]}; the Prisma client (${hooked}) has query hooks ($extends query / $use), which run for update but not for the updateMany the fix needs: make it safe by hand`);
    }
    // A one-off script (a seed, a migration helper) runs alone, not under concurrent requests: say it, do not fail.
    if (outcome.kind === 'human' && ONE_OFF.test(scope.rel)) outcome = { kind: 'leave', note: `${outcome.reason} (left as written: ${scope.rel} is a one-off script, which no concurrent request runs)` };
    if (outcome.kind === 'human') result.candidates.push(noteAt(ctx, update, outcome.reason, MEMO));
    else if (outcome.kind === 'leave') {
      if (outcome.note) result.notes.push(noteAt(ctx, update, outcome.note));
    } else {
      // Two writes in one transaction share its `.catch` and the handler's 409 line: each goes in once.
      const fresh = outcome.edits.filter((e) => !edits.some((x) => x.start === e.start && x.end === e.end && x.text === e.text));
      edits.push(...fresh);
      for (const n of outcome.imports) imports.add(n);
      changes.push(noteAt(ctx, update, outcome.message, MEMO));
    }
  }
  for (const split of splitLimitChecks(sf)) result.candidates.push(noteAt(ctx, split.node, split.reason, MEMO));
  if (edits.length === 0) return;
  if (imports.size) ensureNamedImport(sf, ctx.addTemplate('optimistic-lock', sf), [...imports], edits);
  if (drizzleNames.size) ensureNamedImport(sf, 'drizzle-orm', [...drizzleNames], edits);
  if (!applyEdits(sf, edits)) {
    result.failures.push(noteAt(ctx, sf, 'overlapping update rewrites'));
    return;
  }
  result.changes.push(...changes);
}

export const optimisticLock: Codemod = {
  id: 'optimistic-lock',
  title: 'Stop lost updates: atomic increments, compare-and-set read-modify-writes; version-checked writes for opted-in routes',
  prefilter: (text) => /\.update\(/.test(text) && /where/.test(text),
  transform(ctx) {
    const result = emptyResult();
    const models = schemaModels(readSchema(ctx));
    const optIn: OptIn = optInFrom(ctx.options);
    const prisma = prismaMajor(ctx.readText('package.json'));
    for (const sf of ctx.files) {
      const rel = relPath(ctx, sf);
      transformFile(ctx, sf, { rel, optedIn: optIn.covers(rel, sf.getFullText()), models, reserved: new Set(), prismaMajor: prisma }, result);
    }
    for (const pattern of optIn.unmatched()) {
      result.notes.push({ file: pattern, message: `--version-check ${pattern} names no file with a Prisma update (paths are relative to the app folder, e.g. app/api/checklist/route.ts)` });
    }
    return result;
  },
};
