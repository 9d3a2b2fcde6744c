/**
 * Where a piece of server code answers HTTP itself. Only an exported HTTP-method handler of an app-router
 * `route.ts` may return a `Response`; anything else (a helper in lib/, a non-exported function beside the
 * handler, a pages/api handler, a server action) must signal failure another way, e.g. by throwing.
 */
import { Node, SyntaxKind } from 'ts-morph';

export const HTTP_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** An app-router route file (`app/…/route.ts`, or under `src/app/`), app-relative with forward slashes. */
export function isAppRouteFile(relPath: string): boolean {
  return /^(?:src\/)?app\/(?:.+\/)?route\.(?:ts|tsx|js|jsx|mts|mjs)$/.test(relPath);
}

/** The HTTP method `fn` handles when it is an exported handler of an app-router route file, else undefined. */
export function routeHandlerMethod(fn: Node, relPath: string): HttpMethod | undefined {
  if (!isAppRouteFile(relPath)) return undefined;
  const name = exportedName(fn);
  return HTTP_METHODS.find((m) => m === name);
}

/**
 * `export function X`, `export async function X`, `export const X = async (…) => …`, or `export { X }` → X.
 * Syntactic on purpose: ts-morph's isExported() asks the type checker, which builds the whole program (on a
 * 2,700-file app that alone took 40 s and 2 GB).
 */
function exportedName(fn: Node): string | undefined {
  let name: string | undefined;
  let keyword = false;
  if (Node.isFunctionDeclaration(fn)) {
    name = fn.getName();
    keyword = fn.hasExportKeyword();
  } else if (Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) {
    const decl = fn.getParentIfKind(SyntaxKind.VariableDeclaration);
    name = decl?.getName();
    keyword = decl?.getVariableStatement()?.hasExportKeyword() ?? false;
  }
  if (!name) return undefined;
  if (keyword) return name;
  const listed = fn
    .getSourceFile()
    .getExportDeclarations()
    .filter((d) => !d.getModuleSpecifier())
    .flatMap((d) => d.getNamedExports())
    .find((e) => e.getNameNode().getText() === name);
  return listed ? (listed.getAliasNode()?.getText() ?? name) : undefined;
}

/** A pages-router API handler: the default export of a file under pages/api/. */
export function isPagesApiHandler(fn: Node, relPath: string): boolean {
  if (!/^(?:src\/)?pages\/api\//.test(relPath)) return false;
  if (Node.isFunctionDeclaration(fn) && fn.hasExportKeyword() && fn.hasDefaultKeyword()) return true;
  const name = Node.isFunctionDeclaration(fn) ? fn.getName() : fn.getParentIfKind(SyntaxKind.VariableDeclaration)?.getName();
  const exported = fn.getSourceFile().getExportAssignments().find((a) => !a.isExportEquals());
  return Boolean(exported && (exported.getExpression() === fn || (name && exported.getExpression().getText() === name)));
}

/** A server action: its file or its own body starts with the 'use server' directive. */
export function isServerAction(fn: Node): boolean {
  const directive = (stmts: Node[]) => stmts.some((s) => Node.isExpressionStatement(s) && /^['"]use server['"]$/.test(s.getExpression().getText()));
  const body = Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) || Node.isMethodDeclaration(fn) ? fn.getBody() : undefined;
  const sf = fn.getSourceFile();
  return directive(sf.getStatements().slice(0, 3)) || Boolean(body && Node.isBlock(body) && directive(body.getStatements().slice(0, 1)));
}

/** Function-like nodes: the boundaries of a handler's own statements. */
export function isFunctionLike(node: Node): boolean {
  return Node.isFunctionDeclaration(node) || Node.isArrowFunction(node) || Node.isFunctionExpression(node) || Node.isMethodDeclaration(node);
}
