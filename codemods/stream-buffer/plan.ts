/** How one capped reading loop is rewritten to drain lines through the splitter, or why it cannot be. */
import { Node, SyntaxKind, type IfStatement, type SourceFile, type Statement } from 'ts-morph';
import { eolOf, indentOf, indentUnit, referencedNames, usesSemicolons, type Edit } from '../ast.ts';
import { isFunctionLike } from '../lib/route-handler.ts';
import { mentions } from './find.ts';

/** The full lines a statement occupies (with comment lines right above it), for clean removal. */
function lineRange(stmt: Node): Edit {
  const text = stmt.getSourceFile().getFullText();
  let start = text.lastIndexOf('\n', stmt.getStart() - 1) + 1;
  for (;;) {
    const prevEnd = start - 1;
    if (prevEnd <= 0) break;
    const prevStart = text.lastIndexOf('\n', prevEnd - 1) + 1;
    if (!/^\s*\/\//.test(text.slice(prevStart, prevEnd))) break;
    start = prevStart;
  }
  let end = text.indexOf('\n', stmt.getEnd());
  end = end < 0 ? text.length : end + 1;
  return { start, end, text: '' };
}

interface Plan {
  edits: Edit[];
  flushed: boolean;
}

/**
 * After the reading loop, the same per-line body over `splitter.flush()`: a stream that ends without a final
 * newline still ends its last line (the original dropped it with the buffer). Only when the body stands on its
 * own outside the reading loop; otherwise the reason.
 */
function flushAfterLoop(sf: SourceFile, loop: Statement, lineLoop: import('ts-morph').ForOfStatement, splitter: string, chunkExpr: string): Edit | string {
  const lineBody = lineLoop.getStatement();
  if (!Node.isBlock(lineBody)) return 'the line loop body is not a block';
  const outerNames = new Set<string>();
  for (const d of loop.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    if (d.getStart() >= lineLoop.getStart() && d.getEnd() <= lineLoop.getEnd()) continue;
    for (const id of Node.isIdentifier(d.getNameNode()) ? [d.getNameNode()] : d.getNameNode().getDescendantsOfKind(SyntaxKind.Identifier)) outerNames.add(id.getText());
  }
  const used = referencedNames(lineBody).filter((n) => outerNames.has(n));
  if (used.length) return `the line loop uses ${used.join(', ')} from the reading loop`;
  if (lineBody.getDescendantsOfKind(SyntaxKind.LabeledStatement).length || /\b(?:break|continue)[ \t]+[A-Za-z_$]/.test(lineBody.getText())) return 'the line loop jumps to a label';
  const eol = eolOf(sf);
  const outerPad = indentOf(loop);
  const body = lineBody.getText().split(/\r?\n/).map((l, i) => (i === 0 ? l : l.startsWith(indentOf(lineLoop)) ? outerPad + l.slice(indentOf(lineLoop).length) : l)).join(eol);
  // A TextDecoder in streaming mode may still hold the bytes of a character cut at the end.
  const decoder = /^([\w.]+)\.decode\(\s*\w+\s*,\s*\{\s*stream:\s*true\s*\}\s*\)$/.exec(chunkExpr)?.[1];
  const source = decoder ? `[...${splitter}.push(${decoder}.decode()), ...${splitter}.flush()]` : `${splitter}.flush()`;
  const text = `${eol}${outerPad}// The stream may end without a final newline: its last line is still a line.${eol}${outerPad}for (${lineLoop.getInitializer().getText()} of ${source}) ${body}`;
  return { start: loop.getEnd(), end: loop.getEnd(), text };
}

/** Module-level `const MAX = …` used by the cap and nowhere else: they go with it. */
function unusedCapConstants(sf: SourceFile, cap: IfStatement, buf: string): Edit[] {
  const edits: Edit[] = [];
  for (const name of referencedNames(cap).filter((n) => n !== buf)) {
    const stmt = sf.getVariableStatements().find((v) => v.getDeclarations().length === 1 && v.getDeclarations()[0]!.getName() === name && !v.hasExportKeyword());
    if (!stmt) continue;
    const uses = sf.getDescendantsOfKind(SyntaxKind.Identifier).filter((id) => id.getText() === name && !(id.getStart() >= stmt.getStart() && id.getEnd() <= stmt.getEnd()));
    if (uses.every((id) => id.getStart() >= cap.getStart() && id.getEnd() <= cap.getEnd())) edits.push(lineRange(stmt));
  }
  // Adjacent lines become one range; a block of constants standing alone between blank lines takes one blank with it.
  const text = sf.getFullText();
  const merged: Edit[] = [];
  for (const e of edits.sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && last.end === e.start) last.end = e.end;
    else merged.push({ ...e });
  }
  for (const e of merged) {
    const blankAfter = /^[ \t]*\r?\n/.exec(text.slice(e.end));
    const aloneBefore = e.start === 0 || /\n[ \t]*\r?\n$/.test(text.slice(0, e.start));
    if (blankAfter && aloneBefore) e.end += blankAfter[0].length;
  }
  return merged;
}

const esc = (name: string) => name.replace(/[.$]/g, '\\$&');

/**
 * Shape C, a cursor walking the buffer: `let i = buf.indexOf(SEP, from)`, then a while loop over `i !== -1` that
 * uses `buf.slice(from, i)`, moves `from = i + n` and looks again. Each slice becomes the line the splitter yields.
 */
function cursorDrain(sf: SourceFile, first: Statement, loop: Statement | undefined, buf: string, splitter: string, chunkExpr: string): { edits: Edit[]; extra: string[] } | string {
  const idx = (first as import('ts-morph').VariableStatement).getDeclarations()[0]!.getName();
  if (!loop || !Node.isWhileStatement(loop) || !new RegExp(`^${idx}\\s*(?:!==?\\s*-1|>=\\s*0|>\\s*-1)$`).test(loop.getExpression().getText())) return `\`${idx}\` is not walked by a \`while (${idx} !== -1)\` loop`;
  const sep = /indexOf\((['"])((?:\\n|\\r)+)\1/.exec(first.getText())?.[2];
  if (!sep) return 'drain loop separator is not a newline literal';
  const inner = loop.getStatement();
  if (!Node.isBlock(inner)) return 'drain loop body is not a block';
  const from = /indexOf\(\s*['"][^'"]*['"]\s*,\s*(\w+)\s*\)/.exec(first.getText())?.[1];
  if (!from) return 'the drain does not search from a cursor';
  const book = inner.getStatements().filter((st) => Node.isExpressionStatement(st) && (new RegExp(`^${idx}\\s*=\\s*${esc(buf)}\\.indexOf\\(`).test(st.getText()) || new RegExp(`^${from}\\s*=\\s*${idx}\\s*\\+`).test(st.getText())));
  if (book.length !== 2) return 'the drain loop does not move its cursor in the usual way';
  const slices = inner.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => new RegExp(`^${esc(buf)}\\.(?:slice|substring)$`).test(c.getExpression().getText()) && c.getArguments().map((a) => a.getText()).join(',') === `${from},${idx}`);
  if (slices.length === 0) return 'the drain loop never takes the text between the cursor and the separator';
  const inSlice = (n: Node) => slices.some((c) => c.getStart() <= n.getStart() && c.getEnd() >= n.getEnd());
  const inBook = (n: Node) => book.some((b) => b.getStart() <= n.getStart() && b.getEnd() >= n.getEnd());
  const loose = inner.getDescendantsOfKind(SyntaxKind.Identifier).find((id) => [buf, idx, from].includes(id.getText()) && !inSlice(id) && !inBook(id));
  if (loose) return `the drain loop uses \`${loose.getText()}\` beyond taking the text (line ${loose.getStartLineNumber()})`;
  const taken = new Set(inner.getDescendantsOfKind(SyntaxKind.Identifier).map((i) => i.getText()));
  const line = ['line', 'event', `${buf.replace(/\W/g, '')}Line`].find((n) => !taken.has(n))!;
  const eol = eolOf(sf);
  const pad = indentOf(loop) + indentUnit(sf);
  // Events separated by a blank line arrive as lines now: the blank separators carry nothing.
  const skipBlank = sep.replace(/\\r/g, '').length > 2 ? `${eol}${pad}if (${line} === '') continue; // events arrive line by line; blank lines only separate them` : '';
  const edits: Edit[] = [
    { start: loop.getStart(), end: inner.getStart() + 1, text: `for (const ${line} of ${splitter}.push(${chunkExpr})) {${skipBlank}` },
    // `first` (the index's declaration) goes with the other offset declarations of the reading loop.
    ...book.map(lineRange),
    ...slices.map((c) => ({ start: c.getStart(), end: c.getEnd(), text: line })),
  ];
  return { edits, extra: [idx, from] };
}

/** Works out the rewrite of one reading loop, or says why it cannot. */
export function plan(sf: SourceFile, loop: Statement, cap: IfStatement, buf: string, splitter: string): Plan | string {
  const body = loop.getFirstChildByKind(SyntaxKind.Block) ?? loop.getLastChildByKind(SyntaxKind.Block);
  if (!body) return 'loop body is not a block';
  const stmts = body.getStatements();
  const append = stmts.find((s) => Node.isExpressionStatement(s) && Node.isBinaryExpression(s.getExpression()) && s.getExpression().getText().startsWith(`${buf} +=`));
  if (!append || !Node.isExpressionStatement(append)) return `no \`${buf} += chunk\` in the loop`;
  const chunkExpr = (append.getExpression() as import('ts-morph').BinaryExpression).getRight().getText();
  // The block that declares the buffer: the loop's own, or one around it (a try inside a stream's start()).
  let fnBody: Node = loop.getParentOrThrow();
  let decl = fnBody.getChildrenOfKind(SyntaxKind.VariableStatement).find((v) => v.getDeclarations().some((d) => d.getName() === buf));
  for (let up: Node | undefined = fnBody.getParent(); !decl && up && !isFunctionLike(up); up = up.getParent()) {
    if (!Node.isBlock(up)) continue;
    fnBody = up;
    decl = up.getChildrenOfKind(SyntaxKind.VariableStatement).find((v) => v.getDeclarations().some((d) => d.getName() === buf));
  }
  if (!decl || decl.getDeclarations().length !== 1) return `\`${buf}\` is not declared in a block around the loop`;

  const edits: Edit[] = [];
  let flush: Edit | string = 'the line loop is not a for-of';
  const extra: string[] = []; // offsets / index variables that disappear with the buffer
  const after = stmts.slice(stmts.indexOf(append) + 1);
  let drained = false;
  for (const s of after) {
    if (s === cap) continue;
    // Shape A: while ((i = buf.indexOf(SEP, from)) !== -1) { const ev = buf.slice(from, i); from = i + n; … }
    if ((Node.isWhileStatement(s) && s.getExpression().getText().includes(`${buf}.indexOf(`)) || (Node.isWhileStatement(s) && s.getExpression().getText() === 'true' && s.getStatement().getText().includes(`${buf}.indexOf(`))) {
      const inner = s.getStatement();
      if (!Node.isBlock(inner)) return 'drain loop body is not a block';
      const sep = /indexOf\((['"])((?:\\n|\\r)+)\1/.exec(s.getText())?.[2];
      if (!sep) return 'drain loop separator is not a newline literal';
      const cond = s.getExpression().getText();
      const idxVar = /\(\s*(\w+)\s*=\s*/.exec(cond)?.[1];
      const innerStmts = inner.getStatements();
      const book: Statement[] = [];
      let eventVar: string | undefined;
      for (const st of innerStmts) {
        if (!mentions(st, [buf, ...extra, ...(idxVar ? [idxVar] : [])]) && !(Node.isVariableStatement(st) && st.getText().includes(`${buf}.indexOf(`))) break;
        book.push(st);
        if (Node.isVariableStatement(st)) {
          const d = st.getDeclarations()[0]!;
          const init = d.getInitializer()?.getText() ?? '';
          if (init.startsWith(`${buf}.indexOf(`)) extra.push(d.getName());
          else if (new RegExp(`^${buf}\\.(?:slice|substring)\\(`).test(init)) eventVar = d.getName();
          else return 'unrecognised statement in the drain loop';
        } else if (Node.isExpressionStatement(st)) {
          const m = /^(\w+)\s*=/.exec(st.getText());
          if (!m) return 'unrecognised statement in the drain loop';
          if (m[1] !== buf) extra.push(m[1]!);
        } else if (!(Node.isIfStatement(st) && /break;?\s*}?$/.test(st.getThenStatement().getText()))) return 'unrecognised statement in the drain loop';
      }
      if (!eventVar) return 'no line/event variable in the drain loop';
      if (idxVar) extra.push(idxVar);
      const rest = innerStmts.slice(book.length);
      if (rest.some((st) => mentions(st, [buf, ...extra]))) return 'the drain loop uses the buffer or offsets after taking the line';
      const eol = eolOf(sf);
      const pad = indentOf(s) + indentUnit(sf);
      const skipBlank = sep.replace(/\\r/g, '').length > 2 ? `${pad}if (${eventVar} === '') continue; // events arrive line by line; blank lines only separate them${eol}` : '';
      edits.push({ start: s.getStart(), end: inner.getStart() + 1, text: `for (const ${eventVar} of ${splitter}.push(${chunkExpr})) {` });
      const firstBook = book[0]!;
      const lastBook = book[book.length - 1]!;
      edits.push({ start: lineRange(firstBook).start, end: lineRange(lastBook).end, text: skipBlank });
      drained = true;
      continue;
    }
    // Shape C: let i = buf.indexOf(SEP, from); while (i !== -1) { … buf.slice(from, i) …; from = i + n; i = buf.indexOf(SEP, from); }
    if (Node.isVariableStatement(s) && new RegExp(`^${esc(buf)}\\.indexOf\\(`).test(s.getDeclarations()[0]?.getInitializer()?.getText() ?? '')) {
      const c = cursorDrain(sf, s, after[after.indexOf(s) + 1], buf, splitter, chunkExpr);
      if (typeof c === 'string') return c;
      edits.push(...c.edits);
      extra.push(...c.extra);
      drained = true;
      break;
    }
    // Shape B: const lines = buf.split(SEP); buf = lines.pop() ?? ''; for (const line of lines) { … }
    if (Node.isVariableStatement(s) && new RegExp(`^${buf}\\.split\\(`).test(s.getDeclarations()[0]?.getInitializer()?.getText() ?? '')) {
      const linesVar = s.getDeclarations()[0]!.getName();
      const popIdx = after.findIndex((x) => Node.isExpressionStatement(x) && new RegExp(`^${buf}\\s*=\\s*${linesVar}\\.pop\\(\\)`).test(x.getText()));
      const forIdx = after.findIndex((x) => Node.isForOfStatement(x) && x.getExpression().getText() === linesVar);
      if (popIdx < 0 || forIdx < 0) return 'split without pop/for-of';
      const loopOf = after[forIdx]!;
      if (!Node.isForOfStatement(loopOf)) return 'split without for-of';
      if (after.filter((x) => mentions(x, [linesVar])).length !== 3) return `\`${linesVar}\` is used elsewhere`;
      edits.push(lineRange(s), lineRange(after[popIdx]!));
      edits.push({ start: loopOf.getExpression().getStart(), end: loopOf.getExpression().getEnd(), text: `${splitter}.push(${chunkExpr})` });
      flush = flushAfterLoop(sf, loop, loopOf, splitter, chunkExpr);
      drained = true;
      break;
    }
  }
  if (!drained) return 'no line-draining loop over the buffer after the cap';
  // Everything else in the function must not touch the buffer or its offsets.
  const fnStmts = fnBody.getChildrenOfKind(SyntaxKind.VariableStatement);
  const offsetDecls = fnStmts.filter((v) => v.getDeclarations().length === 1 && extra.includes(v.getDeclarations()[0]!.getName()));
  const loopInner = body.getStatements();
  const inLoopDecls = loopInner.filter((v) => Node.isVariableStatement(v) && v.getDeclarations().length === 1 && extra.includes(v.getDeclarations()[0]!.getName()));
  const removed = [decl, append, cap, ...offsetDecls, ...inLoopDecls];
  const others = fnBody.getChildren().flatMap((c) => c.getDescendantsOfKind(SyntaxKind.Identifier)).filter((id) => [buf, ...extra].includes(id.getText()));
  const stray = others.filter((id) => !removed.some((r) => r.getStart() <= id.getStart() && r.getEnd() >= id.getEnd()) && !edits.some((e) => e.start <= id.getStart() && e.end >= id.getEnd()) && !loop.getDescendantsOfKind(SyntaxKind.WhileStatement).some((w) => w.getExpression().getStart() <= id.getStart() && w.getExpression().getEnd() >= id.getEnd()));
  if (stray.length > 0) return `\`${stray[0]!.getText()}\` is used outside the drain (line ${stray[0]!.getStartLineNumber()})`;
  edits.push({ start: decl.getStart(), end: decl.getEnd(), text: `const ${splitter} = createLineSplitter()${usesSemicolons(sf) ? ';' : ''}` });
  if (typeof flush !== 'string') edits.push(flush);
  edits.push(lineRange(append), lineRange(cap), ...unusedCapConstants(sf, cap, buf));
  for (const d of [...offsetDecls, ...inLoopDecls]) edits.push(lineRange(d));
  return { edits, flushed: typeof flush !== 'string' };
}
