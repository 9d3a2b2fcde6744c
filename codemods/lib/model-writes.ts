/**
 * Where an app writes a database model, and whether a cache invalidation can be added right after each write.
 * A cached read is only correct if every write of what it reads drops the cached copy; a write the codemod cannot
 * follow (inside a transaction, returned directly, not awaited) means the read stays uncached.
 */
import { Node, SyntaxKind, type SourceFile } from 'ts-morph';
import { eolOf, indentOf, type Edit } from '../ast.ts';

const WRITE_OPS = new Set(['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany']);
const READ_OPS = /\.(\w+)\.(?:findMany|findFirst|findFirstOrThrow|findUnique|findUniqueOrThrow|count|aggregate|groupBy)\s*\(/g;
const RAW_TABLES = /\b(?:FROM|JOIN)\s+"?(\w+)"?/gi;
const RAW_WRITE_TABLE = /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?/i;
/** Quick text test: could this file write a model? (The cache codemod's prefilter parses such files too.) */
// `<client>.<model>.<op>(`: a model write is always at least a three-part chain (`map.delete(k)` is not one).
export const MAYBE_WRITES = /\.\w+\.(?:create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert|delete|deleteMany)\s*\(|\$executeRaw/;
/** Files that run as their own process (seeds, scripts, tests): the app's cache cannot be reached from there. */
// Top-level folders only: `src/lib/prisma/users.ts` is app code, `prisma/seed.ts` is not.
const OFFLINE = /^(?:prisma|scripts?|seeds?|tests?|e2e)\/|(?:^|\/)__tests__\/|\.(?:test|spec)\.[cm]?[jt]sx?$|(?:^|\/)seed\.[cm]?[jt]s$/;

/** A model name as Prisma delegates and SQL tables spell it: `knowledgeBase`, "KnowledgeBase", knowledge_base. */
export function sameModel(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/_/g, '');
  return norm(a) === norm(b);
}

/** Models a piece of read code touches: Prisma delegates, and tables named in raw SQL. Undefined when it reads
 * something the text does not name (an RPC, a vector store, a query builder). */
export function modelsReadBy(text: string): string[] | undefined {
  const models = new Set<string>();
  for (const m of text.matchAll(READ_OPS)) if (!m[1]!.startsWith('$')) models.add(m[1]!);
  if (/\$queryRaw/.test(text)) for (const m of text.matchAll(RAW_TABLES)) models.add(m[1]!);
  const unexplained = /\.(?:query|rpc|similaritySearch|search)\s*[(<`]/.test(text) || (/\$queryRaw/.test(text) && !RAW_TABLES.test(text));
  RAW_TABLES.lastIndex = 0;
  return models.size && !unexplained ? [...models] : undefined;
}

export interface WriteSite {
  file: SourceFile;
  node: Node;
  model: string;
  /** Where `await invalidate(…)` goes (after the write's statement), or why it cannot go anywhere safe. */
  insertAt?: number;
  unsafe?: string;
  offline: boolean;
}

function relOf(sf: SourceFile, root: string): string {
  return sf.getFilePath().slice(root.length + 1);
}

/** The statement right after which an invalidation is safe: `await w;` or `const x = await w;` in a block. */
function placement(write: Node): { insertAt: number } | { unsafe: string } {
  if (write.getAncestors().some((a) => Node.isCallExpression(a) && /\$transaction$/.test(a.getExpression().getText()))) return { unsafe: 'inside a $transaction (an invalidation before the commit lets a reader cache the old rows)' };
  const awaited = write.getParent();
  if (!awaited || !Node.isAwaitExpression(awaited)) return { unsafe: 'not awaited where it is written' };
  const holder = awaited.getParent();
  let stmt: Node | undefined;
  if (holder && Node.isExpressionStatement(holder)) stmt = holder;
  else if (holder && Node.isVariableDeclaration(holder)) {
    const vs = holder.getVariableStatement();
    if (vs && vs.getDeclarations().length === 1) stmt = vs;
  }
  if (!stmt) return { unsafe: 'its result is used in place (returned or passed on), with no statement to follow' };
  if (!Node.isBlock(stmt.getParent())) return { unsafe: 'not a statement of a function body' };
  return { insertAt: stmt.getEnd() };
}

/** Every write of the given models in these files. */
export function writeSitesOf(files: SourceFile[], models: string[], root: string): WriteSite[] {
  const sites: WriteSite[] = [];
  for (const sf of files) {
    if (!MAYBE_WRITES.test(sf.getFullText())) continue;
    const offline = OFFLINE.test(relOf(sf, root));
    for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      if (!Node.isPropertyAccessExpression(callee)) continue;
      const delegate = callee.getExpression();
      let model: string | undefined;
      if (WRITE_OPS.has(callee.getName()) && Node.isPropertyAccessExpression(delegate) && !delegate.getName().startsWith('$')) model = models.find((m) => sameModel(m, delegate.getName()));
      else if (/^\$executeRaw/.test(callee.getName())) model = models.find((m) => sameModel(m, RAW_WRITE_TABLE.exec(call.getText())?.[1] ?? ''));
      if (model) sites.push({ file: sf, node: call, model, offline, ...placement(call) });
    }
    for (const tagged of sf.getDescendantsOfKind(SyntaxKind.TaggedTemplateExpression)) {
      if (!/\$executeRaw(?:Unsafe)?$/.test(tagged.getTag().getText())) continue;
      const model = models.find((m) => sameModel(m, RAW_WRITE_TABLE.exec(tagged.getTemplate().getText())?.[1] ?? ''));
      if (model) sites.push({ file: sf, node: tagged, model, offline, ...placement(tagged) });
    }
  }
  return sites;
}

/** `await invalidate('<label>');` after the write, once per label the statements right after it do not drop yet. */
export function invalidationEdit(site: WriteSite, labels: string[]): Edit | undefined {
  if (site.insertAt === undefined) return undefined;
  const sf = site.file;
  const stmt = site.node.getAncestors().find((a) => a.getEnd() === site.insertAt && Node.isStatement(a))!;
  const done = new Set<string>();
  for (let next = stmt.getNextSibling(); next && Node.isExpressionStatement(next); next = next.getNextSibling()) {
    const m = /^(?:await\s+)?invalidate\(\s*'([^']*)'\s*\)$/.exec(next.getExpression().getText());
    if (!m) break;
    done.add(m[1]!);
  }
  const missing = labels.filter((l) => !done.has(l));
  if (missing.length === 0) return undefined;
  const lead = `${eolOf(sf)}${indentOf(stmt)}`;
  return { start: site.insertAt, end: site.insertAt, text: missing.map((l) => `${lead}await invalidate('${l}');`).join('') };
}

export function siteText(site: WriteSite, root: string): string {
  return `${relOf(site.file, root)}:${site.node.getStartLineNumber()}`;
}
