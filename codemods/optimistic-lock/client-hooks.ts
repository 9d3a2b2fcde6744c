/**
 * Query hooks on the app's Prisma client: `$extends({ query: { … } })` or `$use(…)` middleware run for `update`
 * (an audit log, a soft delete, a cache flush) and are keyed by operation, so a rewrite to `updateMany` would
 * skip the `update` hook. Found in the module the file imports its client from, and in the file itself.
 */
import type { SourceFile } from 'ts-morph';
import { resolveAppModule } from '../ast.ts';

const HOOKS = /\$use\s*\(|\$extends\s*\(\s*\{[\s\S]*?\bquery\s*:/;
const CLIENT = /new\s+PrismaClient\s*\(|\$extends\s*\(/;

/** The module (app-relative path as written in the import, or `this file`) whose client has query hooks. */
export function clientWithHooks(sf: SourceFile): string | undefined {
  if (CLIENT.test(sf.getFullText()) && HOOKS.test(sf.getFullText())) return 'this file';
  for (const decl of sf.getImportDeclarations()) {
    if (decl.isTypeOnly()) continue;
    const spec = decl.getModuleSpecifierValue();
    const file = resolveAppModule(sf, spec);
    const text = file?.getFullText();
    if (text && CLIENT.test(text) && HOOKS.test(text)) return spec;
  }
  return undefined;
}
