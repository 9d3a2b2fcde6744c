/**
 * cache: in a route that calls Gemini, the reads that do not depend on who is asking (a knowledge search run on
 * the question, a top-N product list) are served from a bounded LRU cache with single-flight loads.
 * Reads whose arguments come from the session are left alone and reported: caching them needs a per-user key
 * and invalidation on every write of that user's data, which a codemod cannot see.
 * A read of a model the app also writes is cached only if every write site of that model can drop the entry
 * right after it (`await invalidate(label)` is added there); else the read is left alone with the sites listed.
 */
import path from 'node:path';
import { Node, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import { applyEdits, emptyResult, enclosingFunction, ensureNamedImport, importedDeclaration, noteAt, referencedNames, type Edit } from './ast.ts';
import { callsGemini, mentionsGemini } from './gemini-detect.ts';
import { derivedNames } from './lib/derived-names.ts';
import { MAYBE_WRITES, invalidationEdit, modelsReadBy, siteText, writeSitesOf } from './lib/model-writes.ts';
import type { ChangeNote, Codemod, CodemodContext } from './types.ts';

type Result = ReturnType<typeof emptyResult>;

const PRISMA_READS = new Set(['findMany', 'findFirst', 'count', 'aggregate', 'groupBy']);
const DB_READ = /\.(?:findMany|findFirst|findUnique|\$queryRaw(?:Unsafe)?|query|rpc|similaritySearch|search)\s*[(<`]/;
const DB_WRITE = /\.(?:create|createMany|update|updateMany|upsert|delete|deleteMany|\$executeRaw\w*)\s*\(/;
const REQUEST_SCOPED = /\b(?:cookies|headers|session|getServerSession|getSession|auth)\b/i;
const SESSION_SOURCE = /\b(?:getSessionUser|getServerSession|getSession|getCurrentUser|currentUser|requireUser|getUser|auth|cookies)\s*\(|\bsession\b|\b(?:get|require)?(?:current|signedIn|loggedIn|authed|authenticated|session)\w*\s*\(/i;
// A filter on the owner of the rows (`where: { userId }`, `accountId: account.id`): the result is per-user by shape.
const OWNER_FILTER = /\b\w*(?:user|account|owner|member|customer|author|profile|tenant)Id\b\s*[:,}]/i;

// Knowledge articles change when an editor publishes; 10 minutes keeps answers fresh enough (the memo's figure).
const SEARCH_TTL = '10 * 60_000';
// Catalogue lists (prices, popularity) move slowly but are shown as facts; 5 minutes bounds staleness.
const LIST_TTL = '5 * 60_000';

const MEMO =
  "the memo's lib/cache.ts was an unbounded Map keyed by the raw question (`rag:${userQuery}`): every distinct question stays in memory until the 5-minute sweep, and it cached per-user profiles under keys a codemod cannot prove are per-user; this uses lru-cache (bounded entries, TTL), hashed keys and one load per key under a burst";

/** Names in fn whose value comes from the session/auth, directly or through other such names. */
function sessionDerived(fn: Node): Set<string> {
  return derivedNames(fn, (init) => SESSION_SOURCE.test(init.getText()), (n) => readsRequestState(fn.getSourceFile(), n));
}

/** An imported helper that reads cookies, headers or the session (`currentAccount()` in lib/auth.ts). */
function readsRequestState(sf: SourceFile, name: string): boolean {
  const imported = importedDeclaration(sf, name);
  return Boolean(imported && /\b(?:cookies|headers)\s*\(|getServerSession|getSession|\bauth\s*\(|\.cookies\b/.test(imported.node.getText()));
}

/** Locals of fn (declared inside it or its parameters) that the node mentions: they go into the cache key. */
function localsUsed(node: Node, fn: Node): string[] {
  const declared = new Set<string>();
  for (const d of fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const n = d.getNameNode();
    if (Node.isIdentifier(n)) declared.add(n.getText());
    else for (const id of n.getDescendantsOfKind(SyntaxKind.Identifier)) declared.add(id.getText());
  }
  if (Node.isFunctionLikeDeclaration(fn)) for (const p of fn.getParameters()) declared.add(p.getName());
  return referencedNames(node).filter((n) => declared.has(n));
}

/** An imported function of the app (resolved like the compiler does, tsconfig paths included): is it a pure database read? */
function importedReadKind(sf: SourceFile, name: string): { kind: 'read'; body: string } | { kind: 'other' } {
  const body = importedDeclaration(sf, name)?.node.getText();
  return body && DB_READ.test(body) && !DB_WRITE.test(body) && !REQUEST_SCOPED.test(body) ? { kind: 'read', body } : { kind: 'other' };
}

function insideCached(call: Node): boolean {
  return call.getAncestors().some((a) => Node.isCallExpression(a) && a.getExpression().getText() === 'cached');
}

interface CachedRead {
  sf: SourceFile;
  call: CallExpression;
  label: string;
  edit: Edit;
  note: ChangeNote;
  /** The models it reads; undefined when the code does not name them (an RPC, a vector store). */
  models?: string[];
}

/** The reads of one file that do not depend on who is asking; per-user reads get a note and stay. */
function userIndependentReads(ctx: CodemodContext, sf: SourceFile, result: Result): CachedRead[] {
  const reads: CachedRead[] = [];
  for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (insideCached(call)) continue;
    const kind = readKind(sf, call);
    if (!kind) continue;
    const fn = enclosingFunction(call);
    if (!fn) continue;
    if (call.getArguments().some((a) => a.getDescendantsOfKind(SyntaxKind.AwaitExpression).length > 0)) continue;
    // A read handed the request itself (cookies, headers) is request-scoped by construction.
    const params = Node.isFunctionLikeDeclaration(fn)
      ? fn.getParameters().filter((p) => /Request|^req(?:uest)?$/.test(`${p.getTypeNode()?.getText() ?? ''} ${p.getName()}`)).map((p) => p.getName())
      : [];
    if (referencedNames(call).some((n) => params.includes(n))) continue;
    if (OWNER_FILTER.test(call.getArguments()[0]?.getText() ?? '')) {
      result.notes.push(noteAt(ctx, call, `left alone: ${kind.label} filters by the owner of the rows, so it is per-user data; caching it needs a per-user key and invalidation on every write of it`, MEMO));
      continue;
    }
    const tainted = sessionDerived(fn);
    const usesSession = referencedNames(call).filter((n) => tainted.has(n));
    if (usesSession.length > 0) {
      result.notes.push(
        noteAt(ctx, call, `left alone: ${kind.label} depends on the session (${usesSession.join(', ')}); a shared key would serve one user's data to another, and a per-user entry needs invalidation on every write of it`, MEMO),
      );
      continue;
    }
    const keyParts = kind.kind === 'search' ? call.getArguments().map((a) => a.getText()) : localsUsed(call, fn);
    const key = [`'${kind.label}'`, ...keyParts].join(', ');
    const ttl = kind.kind === 'search' ? SEARCH_TTL : LIST_TTL;
    reads.push({
      sf,
      call,
      label: kind.label,
      models: kind.models,
      edit: { start: call.getStart(), end: call.getEnd(), text: `cached(cacheKey(${key}), ${ttl}, () => ${call.getText()})` },
      note: noteAt(ctx, call, `${kind.label} does not depend on the user: served from the bounded cache for ${ttl.replace(' * 60_000', ' min')} under cacheKey(${key}), one load per key under a burst`, MEMO),
    });
  }
  return reads;
}

/**
 * A read of models the app also writes is cached only if every write (outside seeds and scripts) can invalidate it
 * right after: then those invalidations are added. Otherwise the read stays as it is, with the write sites listed.
 */
function invalidationsFor(ctx: CodemodContext, reads: CachedRead[], result: Result): { kept: CachedRead[]; edits: Map<SourceFile, Edit[]> } {
  const kept: CachedRead[] = [];
  const edits = new Map<SourceFile, Edit[]>();
  for (const read of reads) {
    if (!read.models) {
      result.notes.push(noteAt(ctx, read.call, `left alone: cannot tell which tables ${read.label} reads, so whether the app writes them (and where to invalidate) is unknown`));
      continue;
    }
    const sites = writeSitesOf(ctx.files, read.models, ctx.root);
    const live = sites.filter((s) => !s.offline);
    const unsafe = live.filter((s) => s.unsafe);
    if (unsafe.length) {
      result.notes.push(
        noteAt(ctx, read.call, `left alone: the app writes ${read.models.join(', ')} where an invalidation cannot be added safely (${unsafe.map((s) => `${siteText(s, ctx.root)} ${s.unsafe}`).join('; ')}); all write sites: ${live.map((s) => siteText(s, ctx.root)).join(', ')}`),
      );
      continue;
    }
    for (const site of live) {
      // Every read label of these models is dropped at the write (a read of the same model elsewhere too).
      const labels = reads.filter((r) => r.models?.some((m) => m === site.model)).map((r) => r.label);
      const edit = invalidationEdit(site, [...new Set(labels)]);
      if (!edit) continue;
      if (!edits.has(site.file)) edits.set(site.file, []);
      const list = edits.get(site.file)!;
      if (!list.some((e) => e.start === edit.start)) list.push(edit);
    }
    const offline = sites.filter((s) => s.offline);
    if (live.length) read.note.message += `; every write of ${read.models.join(', ')} in the app now drops it (await invalidate('${read.label}') at ${live.map((s) => siteText(s, ctx.root)).join(', ')})`;
    if (offline.length) read.note.message += `; writes from scripts (${offline.map((s) => siteText(s, ctx.root)).join(', ')}) run in another process: the TTL bounds staleness after them`;
    kept.push(read);
  }
  return { kept, edits };
}

export const cache: Codemod = {
  id: 'cache',
  title: 'Cache user-independent reads in Gemini routes (bounded LRU, TTL, single-flight), invalidated at every write of what they read',
  // Files that write a model are parsed too: a cached read of it needs an invalidation there.
  prefilter: (text) => (mentionsGemini(text) && /find(?:Many|First)|count\(|aggregate|groupBy|await \w+\(/.test(text)) || MAYBE_WRITES.test(text),
  transform(ctx) {
    const result = emptyResult();
    const reads = ctx.files.filter((sf) => mentionsGemini(sf.getFullText()) && callsGemini(sf)).flatMap((sf) => userIndependentReads(ctx, sf, result));
    const { kept, edits } = invalidationsFor(ctx, reads, result);
    for (const read of kept) {
      if (!edits.has(read.sf)) edits.set(read.sf, []);
      edits.get(read.sf)!.push(read.edit);
    }
    for (const [sf, list] of edits) {
      const names = [...(kept.some((r) => r.sf === sf) ? ['cached', 'cacheKey'] : []), ...(list.some((e) => e.text.includes('invalidate(')) ? ['invalidate'] : [])];
      ensureNamedImport(sf, ctx.addTemplate('cache', sf), names, list);
      if (!applyEdits(sf, list)) {
        result.failures.push(noteAt(ctx, sf, 'nested reads; cache them by hand'));
        continue;
      }
    }
    const failed = new Set(result.failures.map((f) => f.file));
    result.changes.push(...kept.filter((r) => !failed.has(r.note.file)).map((r) => r.note));
    // A cached read without the invalidations at its writes would serve stale data: they stand or fall together.
    const rel = (sf: SourceFile) => path.relative(ctx.root, sf.getFilePath()).split(path.sep).join('/');
    const writers = [...edits.keys()].filter((sf) => edits.get(sf)!.some((e) => e.text.includes('invalidate(')));
    if (kept.length && writers.length) return { ...result, groups: [[...new Set([...kept.map((r) => rel(r.sf)), ...writers.map(rel)])]] };
    return result;
  },
};

function readKind(sf: SourceFile, call: CallExpression): { kind: 'list' | 'search'; label: string; models?: string[] } | undefined {
  const callee = call.getExpression();
  if (Node.isPropertyAccessExpression(callee) && PRISMA_READS.has(callee.getName())) {
    const model = callee.getExpression();
    // db.<model>.findMany(…): a three-part chain whose middle is the model delegate.
    if (Node.isPropertyAccessExpression(model) && !model.getName().startsWith('$')) return { kind: 'list', label: `${model.getName()}.${callee.getName()}`, models: [model.getName()] };
    return undefined;
  }
  if (Node.isIdentifier(callee)) {
    const imported = importedReadKind(sf, callee.getText());
    if (imported.kind === 'read') return { kind: 'search', label: callee.getText(), models: modelsReadBy(imported.body) };
  }
  return undefined;
}
