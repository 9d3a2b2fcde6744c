/**
 * The tokens of TypeScript's scanner as ts.preProcessFile sees them (trivia skipped, no regex or JSX rescans, so
 * `/'/` opens a string), for ASCII code: what it does not reproduce exactly throws Bail. Used by import-scan.ts.
 */

export const enum T {
  EOF,
  String,
  NoSubTemplate,
  TemplateHead,
  TemplateTail,
  Word,
  OpenBrace,
  CloseBrace,
  OpenParen,
  OpenBracket,
  CloseBracket,
  Comma,
  Dot,
  Asterisk,
  Equals,
  Other,
}

export class Bail extends Error {}

export const isWordStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 36 || c === 95;
export const isWordPart = (c: number) => isWordStart(c) || (c >= 48 && c <= 57);
export const isDigit = (c: number) => c >= 48 && c <= 57;
export const isLineBreak = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
export const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;

/** Operators by first character, longest first, as TypeScript's scanner splits them (`>` always stands alone). */
const OPERATORS = new Map<number, string[]>();
for (const op of ['!==', '!=', '%=', '&&=', '&&', '&=', '**=', '**', '*=', '++', '+=', '--', '-=', '...', '<<=', '<<', '<=', '===', '==', '=>', '??=', '??', '^=', '||=', '||', '|=', '/=']) {
  OPERATORS.set(op.charCodeAt(0), [...(OPERATORS.get(op.charCodeAt(0)) ?? []), op]);
}

export class Scanner {
  pos = 0;
  token = T.EOF;
  start = 0;
  constructor(readonly text: string) {}

  /** The token just scanned is the word `w`. */
  is(w: string): boolean {
    return this.token === T.Word && this.pos - this.start === w.length && this.text.startsWith(w, this.start);
  }

  private skipTrivia(): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (isSpace(c)) this.pos++;
      else if (c === 47 && text.charCodeAt(this.pos + 1) === 47) {
        this.pos += 2;
        while (this.pos < text.length && !isLineBreak(text.charCodeAt(this.pos))) this.pos++;
      } else if (c === 47 && text.charCodeAt(this.pos + 1) === 42) {
        const close = text.indexOf('*/', this.pos + 2);
        this.pos = close < 0 ? text.length : close + 2;
      } else if (c === 35 && this.pos === 0 && text.charCodeAt(1) === 33) {
        while (this.pos < text.length && !isLineBreak(text.charCodeAt(this.pos))) this.pos++;
      } else if (c >= 128) throw new Bail(); // Unicode spaces are trivia there, letters start names
      else return;
    }
  }

  scan(): T {
    this.skipTrivia();
    const text = this.text;
    this.start = this.pos;
    if (this.pos >= text.length) return (this.token = T.EOF);
    const c = text.charCodeAt(this.pos);
    if (isWordStart(c)) {
      let end = this.pos + 1;
      while (end < text.length && isWordPart(text.charCodeAt(end))) end++;
      const next = text.charCodeAt(end);
      if (next === 92 || next >= 128) throw new Bail();
      this.pos = end;
      return (this.token = T.Word);
    }
    if (c === 39 || c === 34) return this.scanString(c);
    if (c === 96) return this.scanTemplate(true);
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(this.pos + 1)))) return this.scanNumber();
    if (c === 92 || c >= 128 || c < 32) throw new Bail();
    this.pos++;
    switch (c) {
      case 123:
        return (this.token = T.OpenBrace);
      case 125:
        return (this.token = T.CloseBrace);
      case 40:
        return (this.token = T.OpenParen);
      case 91:
        return (this.token = T.OpenBracket);
      case 93:
        return (this.token = T.CloseBracket);
      case 44:
        return (this.token = T.Comma);
      case 35: // #name is a private name, never a keyword
        if (isWordStart(text.charCodeAt(this.pos))) while (this.pos < text.length && isWordPart(text.charCodeAt(this.pos))) this.pos++;
        if (text.charCodeAt(this.pos) === 92 || text.charCodeAt(this.pos) >= 128) throw new Bail();
        return (this.token = T.Other);
      case 63: // ?. (not before a digit) is one token
        if (text.charCodeAt(this.pos) === 46 && !isDigit(text.charCodeAt(this.pos + 1))) {
          this.pos++;
          return (this.token = T.Other);
        }
    }
    const op = OPERATORS.get(c)?.find((o) => text.startsWith(o, this.start));
    if (op) {
      this.pos = this.start + op.length;
      return (this.token = T.Other);
    }
    return (this.token = c === 46 ? T.Dot : c === 42 ? T.Asterisk : c === 61 ? T.Equals : T.Other);
  }

  /** A string ends at its quote, or unterminated before a line break or at the end; `\` takes the next character (CRLF as one). */
  scanString(quote: number): T {
    const text = this.text;
    let p = this.pos + 1;
    while (p < text.length) {
      const c = text.charCodeAt(p);
      if (c === quote) {
        p++;
        break;
      }
      if (c === 10 || c === 13) break;
      p += c === 92 ? (text.charCodeAt(p + 1) === 13 && text.charCodeAt(p + 2) === 10 ? 3 : 2) : 1;
    }
    this.pos = Math.min(p, text.length);
    return (this.token = T.String);
  }

  /** From a backtick (`head`) or from a `}` closing a substitution: to the next backtick or `${`. */
  private scanTemplate(head: boolean): T {
    const text = this.text;
    let p = this.pos + 1;
    for (;;) {
      if (p >= text.length) {
        this.pos = text.length;
        return (this.token = head ? T.NoSubTemplate : T.TemplateTail);
      }
      const c = text.charCodeAt(p);
      if (c === 96) {
        this.pos = p + 1;
        return (this.token = head ? T.NoSubTemplate : T.TemplateTail);
      }
      if (c === 36 && text.charCodeAt(p + 1) === 123) {
        this.pos = p + 2;
        return (this.token = head ? T.TemplateHead : T.Other); // a middle part: neither head nor tail
      }
      p += c === 92 ? (text.charCodeAt(p + 1) === 13 && text.charCodeAt(p + 2) === 10 ? 3 : 2) : 1;
    }
  }

  /** At the `}` just scanned: the template continues from it. */
  reScanTemplate(): T {
    this.pos = this.start;
    return this.scanTemplate(false);
  }

  private scanNumber(): T {
    const text = this.text;
    let p = this.pos;
    const c1 = text.charCodeAt(p + 1) | 32;
    if (text.charCodeAt(p) === 48 && (c1 === 120 || c1 === 98 || c1 === 111)) {
      p += 2;
      const digit = c1 === 120 ? (c: number) => isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102) : isDigit;
      while (digit(text.charCodeAt(p)) || text.charCodeAt(p) === 95) p++;
      if (text.charCodeAt(p) === 110) p++;
    } else {
      while (isDigit(text.charCodeAt(p)) || text.charCodeAt(p) === 95) p++;
      let integer = true;
      if (text.charCodeAt(p) === 46) {
        integer = false;
        p++;
        while (isDigit(text.charCodeAt(p)) || text.charCodeAt(p) === 95) p++;
      }
      if ((text.charCodeAt(p) | 32) === 101) {
        integer = false;
        p++;
        if (text.charCodeAt(p) === 43 || text.charCodeAt(p) === 45) p++;
        while (isDigit(text.charCodeAt(p)) || text.charCodeAt(p) === 95) p++;
      }
      if (integer && text.charCodeAt(p) === 110) p++;
    }
    const next = text.charCodeAt(p);
    // Where TypeScript splits a number from what follows it is subtle (1.x, 0b12, 1e, 08): not guessed here.
    if (isWordPart(next) || next === 46 || next === 92 || next >= 128) throw new Bail();
    this.pos = p;
    return (this.token = T.Other);
  }

  /** The text of the string or no-substitution template just scanned, when it has no escape to interpret. */
  literalValue(): string {
    const inner = this.text.slice(this.start + 1, this.pos - 1);
    const closed = this.pos - 1 > this.start && this.text.charCodeAt(this.pos - 1) === this.text.charCodeAt(this.start);
    if (!closed || inner.includes('\\') || inner.includes('\r')) throw new Bail();
    return inner;
  }

  lookAhead<R>(f: () => R): R {
    const saved = { pos: this.pos, token: this.token, start: this.start };
    try {
      return f();
    } finally {
      Object.assign(this, saved);
    }
  }
}
