/**
 * Stream splitters for the chat route: drain complete lines/events as they arrive, keep only the unfinished tail.
 * The memo's fix was wrong: raising the 1 MB cap to 5 MB only moved the cliff where `buffer.substring(...)` drops
 * data; here nothing is ever truncated and memory is bounded by the longest single line (or event).
 */
import { createParser } from 'eventsource-parser';

export interface Splitter {
  /** Feeds one decoded chunk; returns what it completed, in order. */
  push(chunk: string): string[];
  /** End of stream: returns whatever was still pending. Call once. */
  flush(): string[];
}

/**
 * Splits a text stream into lines without their terminator (`\n` or `\r\n`, also when the `\r` ends one chunk
 * and the `\n` starts the next). A lone `\r` inside a line is data and is kept.
 */
export function createLineSplitter(): Splitter {
  // The unfinished line as a list of pieces: appending is O(1), so a long line in tiny chunks stays linear.
  let pending: string[] = [];

  const takeLine = (lastPiece: string): string => {
    pending.push(lastPiece);
    const line = pending.length === 1 ? lastPiece : pending.join('');
    pending = [];
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  };

  return {
    push(chunk) {
      const lines: string[] = [];
      let start = 0;
      let newline = chunk.indexOf('\n');
      while (newline !== -1) {
        lines.push(takeLine(chunk.slice(start, newline)));
        start = newline + 1;
        newline = chunk.indexOf('\n', start);
      }
      if (start < chunk.length) pending.push(start === 0 ? chunk : chunk.slice(start));
      return lines;
    },
    flush() {
      if (pending.length === 0) return [];
      // A stream that ends without a terminator still ends its last line; a final '\r' was that terminator.
      return [takeLine('')];
    },
  };
}

/**
 * Splits a `text/event-stream` into the `data:` payloads of complete events (multi-line data joined with `\n`).
 * Events may be separated by `\n\n` or `\r\n\r\n` and split anywhere across chunks (eventsource-parser does the
 * SSE line rules). `flush` delivers a last event the server did not terminate with a blank line.
 */
export function createSseEventSplitter(): Splitter {
  let completed: string[] = [];
  const parser = createParser({
    onEvent(event) {
      completed.push(event.data);
    },
  });
  const drain = () => {
    const out = completed;
    completed = [];
    return out;
  };
  return {
    push(chunk) {
      parser.feed(chunk);
      return drain();
    },
    flush() {
      parser.feed('\n\n');
      parser.reset();
      return drain();
    },
  };
}
