/** The HTTP methods a route file exports, and the function that handles each. */
import { Node, SyntaxKind, type SourceFile } from 'ts-morph';

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];

export interface Handler {
  method: Method;
  /** The function body to analyse (function declaration, arrow or function expression). */
  fn: Node;
  line: number;
  /** Set for pages/api handlers, where the method is only a guess from `req.method` checks. */
  guessed?: boolean;
}

function functionOf(node: Node | undefined): Node | undefined {
  if (!node) return undefined;
  if (Node.isFunctionDeclaration(node) || Node.isArrowFunction(node) || Node.isFunctionExpression(node)) return node;
  if (Node.isVariableDeclaration(node)) return functionOf(node.getInitializer());
  if (Node.isCallExpression(node)) return node.getArguments().map(functionOf).find(Boolean); // export const POST = withAuth(async (req) => …)
  if (Node.isIdentifier(node)) {
    const decl = node.getSourceFile().getFunction(node.getText()) ?? node.getSourceFile().getVariableDeclaration(node.getText());
    return decl ? functionOf(decl) : undefined;
  }
  return undefined;
}

const exported = (n: Node) => Node.isModifierable(n) && n.hasModifier(SyntaxKind.ExportKeyword);

/** Read from the syntax alone (no type checker: a program with the DOM lib costs seconds per app). */
export function appRouterHandlers(sf: SourceFile): Handler[] {
  const found = new Map<string, Node>();
  for (const f of sf.getFunctions()) if (exported(f) && f.getName()) found.set(f.getName()!, f);
  for (const vs of sf.getVariableStatements()) {
    if (!exported(vs)) continue;
    for (const d of vs.getDeclarations()) found.set(d.getName(), d);
  }
  // export { handler as GET, handler as POST }
  for (const ed of sf.getExportDeclarations()) {
    if (ed.getModuleSpecifier()) continue;
    for (const spec of ed.getNamedExports()) {
      const local = sf.getFunction(spec.getName()) ?? sf.getVariableDeclaration(spec.getName());
      if (local) found.set(spec.getAliasNode()?.getText() ?? spec.getName(), local);
    }
  }
  const out: Handler[] = [];
  for (const [name, decl] of found) {
    if (!(METHODS as readonly string[]).includes(name)) continue;
    const fn = functionOf(decl);
    if (fn) out.push({ method: name as Method, fn, line: fn.getStartLineNumber() });
  }
  return out.sort((a, b) => a.line - b.line || METHODS.indexOf(a.method) - METHODS.indexOf(b.method));
}

/** pages/api: one default handler; the methods are those it compares `req.method` with (GET when it never does). */
export function pagesHandlers(sf: SourceFile): Handler[] {
  const fnDecl = sf.getFunctions().find((f) => exported(f) && f.hasModifier(SyntaxKind.DefaultKeyword));
  const assignment = sf.getExportAssignments().find((a) => !a.isExportEquals());
  const fn = fnDecl ?? (assignment ? functionOf(assignment.getExpression()) : undefined);
  if (!fn) return [];
  const seen = new Set<Method>();
  for (const lit of fn.getDescendantsOfKind(SyntaxKind.StringLiteral)) {
    const v = lit.getLiteralValue();
    if ((METHODS as readonly string[]).includes(v) && /method/.test(lit.getParent()?.getText() ?? '')) seen.add(v as Method);
  }
  // Code after the method checks answers GET too, unless the handler turns other methods away (405).
  if (!/\b405\b/.test(fn.getText())) seen.add('GET');
  return [...seen].map((method) => ({ method, fn, line: fn.getStartLineNumber(), guessed: true }));
}
