/**
 * Opt-in (`--version-check` / marker): a blind write in a route handler whose clients send back the version they
 * read (GET → edit → PATCH). The guard goes right before the write, so it runs after every check the handler
 * makes first; a value the write declared is re-read with the write's own `where` / `select` / `include` / `omit`.
 */
import { Node, SyntaxKind, type CallExpression, type ObjectLiteralExpression, type VariableDeclaration } from 'ts-morph';
import { isFunctionLike } from '../lib/route-handler.ts';
import { indentMore, layoutAt, replaceStatement, versionedWrite } from './conflict.ts';
import { freshName } from './fresh-name.ts';
import { clientVersionMessage, noVersionNote } from './messages.ts';
import { human, type Outcome } from './plan.ts';
import { dataKeys, rereadArgs, type PrismaCall } from './query.ts';
import { notScalarWritable, type ModelInfo } from './schema.ts';
import { acceptsResponse, type WriteSite } from './write-site.ts';

const BODY_READ = /\.json\(\)|readJson\(|parseBody\(|\.formData\(\)/;

export interface ClientVersionInput {
  label: string;
  update: CallExpression;
  call: PrismaCall & { args: ObjectLiteralExpression };
  where: ObjectLiteralExpression;
  data: Node;
  info: ModelInfo;
  site: WriteSite | string;
  /** Names already given to inserted locals in this file (two opted-in writes must not both declare one). */
  reserved: Set<string>;
}

export function planClientVersion(input: ClientVersionInput): Outcome {
  const { label, update, call, where, data, info, site, reserved } = input;
  const optedIn = `${label} (opted in to version checks)`;
  if (typeof site === 'string') return human(`${optedIn}: ${site}; make it version-checked by hand`);
  if (site.context.kind !== 'route' || /^(?:GET|HEAD|OPTIONS)$/.test(site.context.method)) {
    return human(`${optedIn} is not in a PATCH/PUT/POST/DELETE route handler, so there is no client version to check and no 409 to answer: make it version-checked by hand`);
  }
  const method = site.context.method;
  const field = info.versionField;
  if (!field) return human(`${optedIn}: ${noVersionNote(call.model)}`);
  if (!acceptsResponse(site.fn)) return human(`${optedIn}: the handler declares a return type a plain 409 Response may not fit; use versionedUpdate + conflictResponse by hand`);
  const body = requestBody(site.fn, site.statement);
  if (!body) return human(`${optedIn} in ${method}: no parsed request body (\`const body = await request.json()\`) is in scope before the write to read the client's ${field} from; accept it and use versionedUpdate by hand`);
  const keys = dataKeys(data);
  const notScalar = keys ? notScalarWritable(info, keys) : undefined;
  if (!keys || keys.length === 0 || notScalar!.length) {
    return human(`${optedIn}: its data ${keys?.length ? `writes ${notScalar!.join(', ')}, which updateMany cannot (relation or unknown field)` : 'is not a non-empty object literal, so what updateMany would receive cannot be checked'}; use versionedUpdate by hand`);
  }
  if (keys.includes(field)) return human(`${optedIn}: its data already writes ${field} itself; make it version-checked by hand`);
  const reread = site.declared ? rereadArgs(call.args) : '';
  if (reread === undefined) return human(`${optedIn}: its arguments hold more than where/select/include/omit, so its result cannot be re-read in the same shape; use versionedUpdate by hand`);

  const l = layoutAt(site);
  const u = l.unit;
  const v = freshName(site.fn, field === 'version' ? 'clientVersion' : 'clientUpdatedAt', reserved);
  const delegate = `${call.client}.${call.model}`;
  const versionArg = field === 'version' ? ", versionField: 'version'" : '';
  // The call sits two levels in (if, try): copied multi-line text moves with it.
  const inner = u + u;
  const guard = versionedWrite(site, [`await versionedUpdate(${delegate}, { where: ${indentMore(where.getText(), inner)}, expected: { ${field}: ${v} }, data: ${indentMore(data.getText(), inner)}${versionArg} })${l.semi}`], l);
  // Old clients still bump the version, so newer clients holding the old one see the change.
  const plainUpdate = field === 'version' ? withVersionBump(update, data) : update.getText();
  const stmtText = site.statement.getText();
  const at = (n: Node) => n.getStart() - site.statement.getStart();
  const replaceAwaited = (text: string) => stmtText.slice(0, at(site.awaited)) + text + stmtText.slice(at(site.awaited) + site.awaited.getWidth());
  const lines = [
    `// The ${field} the client read (${body}.${field}); without it (older clients) the write stays last-write-wins.`,
    `const ${v} = ${field === 'version' ? 'clientVersionOf' : 'clientUpdatedAtOf'}(${body})${l.semi}`,
  ];
  if (site.declared) {
    lines.push(`if (${v} !== undefined) {`, ...guard.map((x) => u + x), '}');
    const pick = `${v} !== undefined${l.eol}${l.pad}${u}? await ${delegate}.findUniqueOrThrow(${indentMore(reread, u)})${l.eol}${l.pad}${u}: await ${indentMore(plainUpdate, u)}`;
    lines.push(replaceAwaited(pick));
  } else {
    lines.push(`if (${v} !== undefined) {`, ...guard.map((x) => u + x), '} else {', u + indentMore(replaceAwaited(`await ${plainUpdate}`), u), '}');
  }
  return {
    kind: 'edit',
    edits: [replaceStatement(site, lines, l)],
    imports: ['versionedUpdate', 'ConflictError', 'conflictResponse', field === 'version' ? 'clientVersionOf' : 'clientUpdatedAtOf'],
    message: clientVersionMessage(label, method, body, field),
  };
}

/** The parsed request body's name: a `const|let x = … request.json() …` of the handler itself, in scope at `at`. */
function requestBody(fn: Node, at: Node): string | undefined {
  const inScope = (d: VariableDeclaration) => {
    const block = d.getVariableStatement()?.getParent();
    return Boolean(block && d.getEnd() <= at.getStart() && at.getAncestors().includes(block));
  };
  const decls = fn.getDescendantsOfKind(SyntaxKind.VariableDeclaration).filter((d) =>
    Node.isIdentifier(d.getNameNode()) && BODY_READ.test(d.getInitializer()?.getText() ?? '') && d.getFirstAncestor(isFunctionLike) === fn && inScope(d),
  );
  return decls.at(-1)?.getName();
}

/** The update's text with `version: { increment: 1 }` added to its data object. */
function withVersionBump(update: CallExpression, data: Node): string {
  const text = update.getText();
  const start = data.getStart() - update.getStart();
  const bumped = data.getText().replace(/,?\s*\}$/, '') + ', version: { increment: 1 } }';
  return text.slice(0, start) + bumped + text.slice(start + data.getWidth());
}
