/**
 * stream-buffer: a stream-reading loop that appends chunks to a string buffer, cuts the buffer when it grows
 * past a cap, and parses complete lines/events out of it loses whatever the cut removed (and, with a parse
 * offset, misaligns everything after). The loop is rewritten to drain complete lines through the line splitter,
 * which keeps only the unfinished tail: nothing is ever cut, memory is bounded by the longest line.
 */
import { Node, SyntaxKind } from 'ts-morph';
import { applyEdits, emptyResult, ensureNamedImport, noteAt, type Edit } from '../ast.ts';
import type { Codemod } from '../types.ts';
import { MEMO, capAndTruncate, isReadingLoop, isTransformCallback } from './find.ts';
import { plan } from './plan.ts';

export const streamBuffer: Codemod = {
  id: 'stream-buffer',
  title: 'Drain stream buffers line by line instead of capping and truncating them',
  prefilter: (text) => /\.length\s*>=?\s*[\w_.]+/.test(text) && /(?:substring|slice|substr)\(/.test(text) && /\.read\(\)|for await|TransformStream/.test(text),
  transform(ctx) {
    const result = emptyResult();
    for (const sf of ctx.files) {
      const edits: Edit[] = [];
      const notes = [];
      for (const stmt of sf.getDescendantsOfKind(SyntaxKind.IfStatement)) {
        const buf = capAndTruncate(stmt);
        if (!buf) continue;
        // Only a buffer fed by the stream: a title or preview cut elsewhere is not ours.
        const appendedIn = (scope: Node) => scope.getDescendantsOfKind(SyntaxKind.BinaryExpression).some((b) => b.getOperatorToken().getText() === '+=' && b.getLeft().getText() === buf);
        const loop = stmt.getFirstAncestor((a) => isReadingLoop(a));
        if (!loop || !Node.isStatement(loop)) {
          // A TransformStream's transform() is a loop body spread over calls: the splitter would have to live
          // across calls and be flushed in flush(), a rewrite of the stream's shape, so it is reported.
          const callback = stmt.getFirstAncestor((a) => isTransformCallback(a));
          if (callback && appendedIn(callback)) {
            result.candidates.push(noteAt(ctx, stmt, `\`${buf}\` is capped and truncated inside a TransformStream's transform() (each cut loses data): drain it by hand with one createLineSplitter() per stream — push each chunk in transform(), enqueue the complete lines, and enqueue the splitter's flush() in flush()`, MEMO));
          }
          continue;
        }
        if (!appendedIn(loop)) continue;
        const splitter = `${buf.replace(/\W/g, '')}Lines`;
        const p = plan(sf, loop, stmt, buf, splitter);
        if (typeof p === 'string' && !new RegExp(`\\b${buf.replace(/[.$]/g, '\\$&')}\\.(?:split|indexOf)\\(`).test(loop.getText())) {
          // Nothing parses lines out of it: it is the reply itself, and the cut loses the reply's beginning.
          result.candidates.push(noteAt(ctx, stmt, `\`${buf}\` accumulates the reply and is cut to its tail past ${(stmt.getExpression() as import('ts-morph').BinaryExpression).getRight().getText()} characters: long replies lose their beginning. Nothing splits lines out of it, so a line splitter does not apply: remove the cut by hand (the model's output-token limit already bounds the reply)`, MEMO));
          continue;
        }
        if (typeof p === 'string') {
          result.candidates.push(noteAt(ctx, stmt, `\`${buf}\` is capped and truncated inside a stream-reading loop (loses data), but the loop is too unusual to rewrite safely: ${p}; drain it with createLineSplitter() by hand`, MEMO));
          continue;
        }
        edits.push(...p.edits);
        notes.push(noteAt(ctx, stmt, `\`${buf}\` was cut to its tail past ${(stmt.getExpression() as import('ts-morph').BinaryExpression).getRight().getText()} characters inside the stream loop: now drained line by line through createLineSplitter(), which keeps only the unfinished tail (\\n and \\r\\n), so no data is dropped${p.flushed ? '; the last line is flushed after the loop even without a final newline' : ''}`, MEMO));
      }
      if (edits.length === 0) continue;
      ensureNamedImport(sf, ctx.addTemplate('line-splitter', sf), ['createLineSplitter'], edits);
      if (!applyEdits(sf, edits)) {
        result.failures.push(noteAt(ctx, sf, 'overlapping buffer rewrites'));
        continue;
      }
      result.changes.push(...notes);
    }
    return result;
  },
};
