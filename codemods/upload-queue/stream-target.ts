/**
 * Where the bytes enter the upload call, and whether that place takes a Node Readable: known APIs first
 * (googleapis `media.body`, @vercel/blob `put`, fs/promises `writeFile`), then the app's own type checker.
 */
import { Node, SyntaxKind, type Project, type Type } from 'ts-morph';
import { referencedNames } from '../ast.ts';
import { byteNames, type Plan } from './plan.ts';

/** Imported functions known to take a Node Readable at one argument: module, export name, argument index. */
const STREAM_SINKS: Array<{ modules: string[]; name: string; arg: number }> = [
  { modules: ['@vercel/blob'], name: 'put', arg: 1 },
  // fs.promises.writeFile accepts a Stream / AsyncIterable as its data (Node >= 15).
  { modules: ['node:fs/promises', 'fs/promises'], name: 'writeFile', arg: 1 },
];

function importedAs(callee: Node, modules: string[], name: string): boolean {
  return callee
    .getSourceFile()
    .getImportDeclarations()
    .some((d) => modules.includes(d.getModuleSpecifierValue()) && d.getNamedImports().some((n) => n.getName() === name && (n.getAliasNode() ?? n.getNameNode()).getText() === callee.getText()));
}

/** Does n carry the bytes: it contains the read itself, or names a carrier declared before the upload? */
function carriesBytes(plan: Plan, n: Node): boolean {
  const names = byteNames(plan);
  return (n.getStart() <= plan.read.getStart() && n.getEnd() >= plan.read.getEnd()) || referencedNames(n).some((x) => names.has(x));
}

/** The argument that carries the bytes, where the uploader provably takes a Node Readable there:
 * googleapis `media: { body }` (drive.files.create/update), and the STREAM_SINKS. */
export function streamBody(plan: Plan): Node | undefined {
  for (const a of plan.upload.getDescendantsOfKind(SyntaxKind.PropertyAssignment)) {
    if (a.getName() !== 'body') continue;
    const media = a.getParent()?.getParent();
    if (!media || !Node.isPropertyAssignment(media) || media.getName() !== 'media') continue;
    const body = a.getInitializer();
    return body && carriesBytes(plan, body) ? body : undefined;
  }
  const callee = plan.upload.getExpression();
  if (!Node.isIdentifier(callee)) return undefined;
  const sink = STREAM_SINKS.find((k) => importedAs(callee, k.modules, k.name));
  const body = sink ? plan.upload.getArguments()[sink.arg] : undefined;
  return body && carriesBytes(plan, body) ? body : undefined;
}

let readableTypes: { project: Project; type: Type } | undefined;
/** A throwaway in-memory file that names `Readable` for the checker; removed when the transform ends. It references
 * node's types itself: a route that imports nothing from node (or next) does not bring them into the program. */
const PROBE = '/__genie_readable_probe__.ts';

/** `Readable` as the app's type checker sees it (node's own typings, resolved from the app). */
function readableType(project: Project): Type | undefined {
  if (readableTypes?.project === project) return readableTypes.type;
  const probe = project.createSourceFile(PROBE, "/// <reference types=\"node\" />\nimport { Readable } from 'node:stream';\nexport declare const probe: Readable;\n", { overwrite: true });
  const type = probe.getVariableDeclarationOrThrow('probe').getType();
  readableTypes = { project, type };
  return type.isAny() ? undefined : type;
}

/** The type checker's verdict: does the place `node` is passed to (a parameter, or a property of an object
 * parameter) take a Node Readable? `any` / `unknown` prove nothing. */
function acceptsReadable(node: Node, project: Project): boolean {
  const readable = readableType(project);
  if (!readable) return false;
  const checker = project.getTypeChecker();
  let target: Type | undefined;
  const parent = node.getParent();
  if (Node.isShorthandPropertyAssignment(node) || (parent && Node.isPropertyAssignment(parent) && parent.getInitializer() === node)) {
    const prop = Node.isShorthandPropertyAssignment(node) ? node : parent!;
    const obj = prop.getParent();
    if (!obj || !Node.isObjectLiteralExpression(obj)) return false;
    const ct = checker.getContextualType(obj);
    const name = (prop as Node & { getName(): string }).getName();
    target = ct?.getProperty(name)?.getTypeAtLocation(obj);
  } else if (Node.isExpression(node)) {
    target = checker.getContextualType(node);
  }
  if (!target || target.isAny() || target.isUnknown()) return false;
  return readable.isAssignableTo(target);
}

/** Where the bytes go into the upload call, and whether that place takes a stream (known APIs, then the type checker). */
export function streamTarget(plan: Plan, project: Project): Node | undefined {
  const known = streamBody(plan);
  if (known) return known;
  const names = byteNames(plan);
  const spots: Node[] = [];
  for (const arg of plan.upload.getArguments()) {
    if (Node.isObjectLiteralExpression(arg)) {
      for (const p of arg.getProperties()) {
        if (Node.isShorthandPropertyAssignment(p) && names.has(p.getName())) spots.push(p);
        else if (Node.isPropertyAssignment(p) && p.getInitializer() && carriesBytes(plan, p.getInitializer()!)) spots.push(p.getInitializer()!);
      }
    } else if (carriesBytes(plan, arg)) spots.push(arg);
  }
  if (spots.length !== 1) return undefined;
  return acceptsReadable(spots[0]!, project) ? spots[0] : undefined;
}

/** Drops the throwaway probe file from the project (the transform's end). */
export function forgetReadableProbe(project: Project): void {
  const probe = project.getSourceFile(PROBE);
  if (probe) project.removeSourceFile(probe);
  readableTypes = undefined;
}
