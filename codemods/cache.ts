/**
 * cache: in a route that calls Gemini, the reads that do not depend on who is asking (a knowledge search run on
 * the question, a top-N product list) are served from a bounded LRU cache with single-flight loads.
 * Reads whose arguments come from the session are left alone and reported: caching them needs a per-user key
 * and invalidation on every write of that user's data, which a codemod cannot see.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Node, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import { applyEdits, emptyResult, enclosingFunction, ensureNamedImport, importedDeclaration, noteAt, referencedNames, type Edit } from './ast.ts';
import { callsGemini, mentionsGemini } from './gemini-detect.ts';
import type { Codemod, CodemodContext } from './types.ts';

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
  const tainted = new Set<string>();
  const decls = fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration);
  let grew = true;
  while (grew) {
    grew = false;
    for (const d of decls) {
      const init = d.getInitializer();
      if (!init) continue;
      const names = Node.isIdentifier(d.getNameNode()) ? [d.getName()] : d.getNameNode().getDescendantsOfKind(SyntaxKind.Identifier).map((i) => i.getText());
      if (names.every((n) => tainted.has(n))) continue;
      if (SESSION_SOURCE.test(init.getText()) || referencedNames(init).some((n) => tainted.has(n) || readsRequestState(fn.getSourceFile(), n))) {
        for (const n of names) tainted.add(n);
        grew = true;
      }
    }
  }
  return tainted;
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

/** Resolves an imported function to its source in the app and tells whether it is a pure database read. */
function importedReadKind(ctx: CodemodContext, sf: SourceFile, name: string): 'read' | 'other' {
  for (const decl of sf.getImportDeclarations()) {
    const named = decl.getNamedImports().find((n) => (n.getAliasNode() ?? n.getNameNode()).getText() === name);
    if (!named) continue;
    const spec = decl.getModuleSpecifierValue();
    let base: string | undefined;
    if (spec.startsWith('.')) base = path.resolve(path.dirname(sf.getFilePath()), spec);
    else if (spec.startsWith('@/')) {
      const srcBase = path.join(ctx.root, 'src', spec.slice(2));
      base = ['', '.ts', '.tsx', '/index.ts'].some((e) => fs.existsSync(srcBase + e)) ? srcBase : path.join(ctx.root, spec.slice(2));
    }
    if (!base) return 'other';
    const file = ['.ts', '.tsx', '/index.ts', ''].map((e) => base + e).find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
    if (!file) return 'other';
    const text = fs.readFileSync(file, 'utf8');
    const original = named.getNameNode().getText();
    // The exported function's own text: from its declaration to the next top-level export (good enough to judge).
    const start = text.search(new RegExp(`export\\s+(?:async\\s+)?(?:function\\s+${original}\\b|const\\s+${original}\\b)`));
    if (start < 0) return 'other';
    const next = text.slice(start + 1).search(/\nexport\s/);
    const body = text.slice(start, next < 0 ? undefined : start + 1 + next);
    return DB_READ.test(body) && !DB_WRITE.test(body) && !REQUEST_SCOPED.test(body) ? 'read' : 'other';
  }
  return 'other';
}

function insideCached(call: Node): boolean {
  return call.getAncestors().some((a) => Node.isCallExpression(a) && a.getExpression().getText() === 'cached');
}

export const cache: Codemod = {
  id: 'cache',
  title: 'Cache user-independent reads in Gemini routes (bounded LRU, TTL, single-flight)',
  prefilter: (text) => mentionsGemini(text) && /find(?:Many|First)|count\(|aggregate|groupBy|await \w+\(/.test(text),
  transform(ctx) {
    const result = emptyResult();
    for (const sf of ctx.files) {
      if (!callsGemini(sf)) continue;
      const edits: Edit[] = [];
      const notes = [];
      for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
        if (insideCached(call)) continue;
        const kind = readKind(ctx, sf, call);
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
        edits.push({ start: call.getStart(), end: call.getEnd(), text: `cached(cacheKey(${key}), ${ttl}, () => ${call.getText()})` });
        notes.push(
          noteAt(ctx, call, `${kind.label} does not depend on the user: served from the bounded cache for ${ttl.replace(' * 60_000', ' min')} under cacheKey(${key}), one load per key under a burst`, MEMO),
        );
      }
      if (edits.length === 0) continue;
      ensureNamedImport(sf, ctx.addTemplate('cache', sf), ['cached', 'cacheKey'], edits);
      if (!applyEdits(sf, edits)) {
        result.failures.push(noteAt(ctx, sf, 'nested reads; cache them by hand'));
        continue;
      }
      result.changes.push(...notes);
    }
    return result;
  },
};

function readKind(ctx: CodemodContext, sf: SourceFile, call: CallExpression): { kind: 'list' | 'search'; label: string } | undefined {
  const callee = call.getExpression();
  if (Node.isPropertyAccessExpression(callee) && PRISMA_READS.has(callee.getName())) {
    const model = callee.getExpression();
    // db.<model>.findMany(…): a three-part chain whose middle is the model delegate.
    if (Node.isPropertyAccessExpression(model) && !model.getName().startsWith('$')) return { kind: 'list', label: `${model.getName()}.${callee.getName()}` };
    return undefined;
  }
  if (Node.isIdentifier(callee) && importedReadKind(ctx, sf, callee.getText()) === 'read') return { kind: 'search', label: callee.getText() };
  return undefined;
}
