/**
 * The module names `ts.preProcessFile(text, true, true).importedFiles` lists, without running TypeScript's scanner
 * over the whole text (that was a quarter of a dry run on a large app). processImports below is preProcessFile's,
 * statement for statement, on a tokenizer that reproduces its scanner for ASCII code (trivia skipped, no regex or
 * JSX rescans: `/'/` opens a string there too); only its idle step differs: instead of scanning token by token up
 * to the next `import`, `export`, `require`, `define` or template, one regular expression skips there, past
 * comments and strings. Whatever this does not reproduce exactly (non-ASCII or `\u` next to a keyword, `declare`,
 * merge-conflict markers, an escape inside a module name, a number run into a name) makes it answer undefined,
 * and the caller asks preProcessFile. test/apply-import-scan.test.ts holds the two to the same answers.
 */

const enum T {
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

class Bail extends Error {}

const isWordStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 36 || c === 95;
const isWordPart = (c: number) => isWordStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isLineBreak = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;

/** Operators by first character, longest first, as TypeScript's scanner splits them (`>` always stands alone). */
const OPERATORS = new Map<number, string[]>();
for (const op of ['!==', '!=', '%=', '&&=', '&&', '&=', '**=', '**', '*=', '++', '+=', '--', '-=', '...', '<<=', '<<', '<=', '===', '==', '=>', '??=', '??', '^=', '||=', '||', '|=', '/=']) {
  OPERATORS.set(op.charCodeAt(0), [...(OPERATORS.get(op.charCodeAt(0)) ?? []), op]);
}

class Scanner {
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

/**
 * In code, the next place preProcessFile's main loop acts on: a line or block comment, a string, a template, a
 * `\u` escape, or one of its keywords not preceded by a letter, `_`, `$` or `#`.
 */
const NEXT = /\/\/|\/\*|['"`]|\\u|(?<![A-Za-z_$#])(?:import|export|require|define)(?![\w$])/g;
// `declare module 'x'` (ambient modules count braces), merge-conflict markers (trivia to TypeScript), and a keyword
// run into a number (`0ximport`: TypeScript splits it where the number's digits end).
const UNSUPPORTED = /(?<![\w$#])declare(?![\w$])|^(?:<{7}|={7}|>{7}|\|{7})|(?<![\w$#])\d[\w$]*?(?:import|export|require|define)(?![\w$])/m;

/** Module names the text imports, as preProcessFile lists them (in its order), or undefined when only it can tell. */
export function importedModuleNames(text: string): string[] | undefined {
  if (UNSUPPORTED.test(text)) return undefined;
  try {
    return processImports(new Scanner(text));
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}

function processImports(scanner: Scanner): string[] {
  const text = scanner.text;
  const imported: string[] = [];
  let lastToken: T | undefined;
  let currentToken: T | undefined;
  const word = (w: string) => scanner.is(w);
  const nextToken = (): T => {
    lastToken = currentToken;
    currentToken = scanner.scan();
    return currentToken;
  };
  const record = () => imported.push(scanner.literalValue());

  /**
   * The main loop's `nextToken()` when the current token starts nothing: on to the next token it could act on,
   * with `lastToken` what the token before that one is (only "a dot or not" is ever asked).
   */
  const skipToNext = (): void => {
    let previousIsDot = currentToken === T.Dot;
    let from = scanner.pos;
    NEXT.lastIndex = from;
    for (let m = NEXT.exec(text); m; m = NEXT.exec(text)) {
      const at = m.index;
      let k = at - 1;
      while (k >= from && isSpace(text.charCodeAt(k))) k--;
      if (k >= from) previousIsDot = codeCharIsDot(text, k);
      const c = text.charCodeAt(at);
      if (c === 47) {
        // A comment: trivia, the token before it stays the previous one.
        const end = text.charCodeAt(at + 1) === 47 ? lineEnd(text, at) : blockEnd(text, at);
        NEXT.lastIndex = from = end;
        continue;
      }
      if (c === 92) throw new Bail(); // `\u` in code may spell a keyword
      scanner.pos = at;
      if (c === 39 || c === 34 || c === 96) {
        const token = c === 96 ? scanner.scan() : scanner.scanString(c);
        if (token === T.TemplateHead) return setCurrent(previousIsDot, token);
        previousIsDot = false;
        NEXT.lastIndex = from = scanner.pos;
        continue;
      }
      const before = text.charCodeAt(at - 1);
      const after = text.charCodeAt(at + m[0].length);
      if (before >= 128 || after >= 128 || after === 92) throw new Bail();
      if (isDigit(before)) {
        // `x1import` is one name; `1import` a number and a keyword to TypeScript: not guessed.
        let s = at - 1;
        while (s > 0 && isWordPart(text.charCodeAt(s - 1))) s--;
        if (isDigit(text.charCodeAt(s))) throw new Bail();
        continue;
      }
      scanner.scan();
      return setCurrent(previousIsDot, T.Word);
    }
    scanner.pos = text.length;
    setCurrent(previousIsDot, scanner.scan());
  };
  const setCurrent = (previousIsDot: boolean, token: T): void => {
    lastToken = previousIsDot ? T.Dot : T.Other;
    currentToken = token;
  };

  const tryConsumeRequireCall = (skipCurrentToken: boolean, allowTemplateLiterals = false): boolean => {
    if (skipCurrentToken) nextToken();
    if (!word('require')) return false;
    if (nextToken() === T.OpenParen) {
      const token = nextToken();
      if (token === T.String || (allowTemplateLiterals && token === T.NoSubTemplate)) record();
    }
    return true;
  };
  const afterClosingBraceFrom = () => {
    let token = nextToken();
    while (token !== T.CloseBrace && token !== T.EOF) token = nextToken();
    if (token === T.CloseBrace) {
      nextToken();
      if (word('from') && nextToken() === T.String) record();
    }
  };
  const tryConsumeImport = (): boolean => {
    if (lastToken === T.Dot) return false;
    if (!word('import')) return false;
    let token = nextToken();
    if (token === T.OpenParen) {
      token = nextToken();
      if (token === T.String || token === T.NoSubTemplate) {
        record();
        return true;
      }
    } else if (token === T.String) {
      record();
      return true;
    } else {
      if (word('type')) {
        const skipType = scanner.lookAhead(() => {
          const t2 = scanner.scan();
          return !scanner.is('from') && (t2 === T.Asterisk || t2 === T.OpenBrace || t2 === T.Word);
        });
        if (skipType) token = nextToken();
      }
      if (token === T.Word) {
        token = nextToken();
        if (word('from')) {
          token = nextToken();
          if (token === T.String) {
            record();
            return true;
          }
        } else if (token === T.Equals) {
          if (tryConsumeRequireCall(true)) return true;
        } else if (token === T.Comma) {
          token = nextToken();
        } else {
          return true;
        }
      }
      if (token === T.OpenBrace) afterClosingBraceFrom();
      else if (token === T.Asterisk) {
        nextToken();
        if (word('as') && nextToken() === T.Word) {
          nextToken();
          if (word('from') && nextToken() === T.String) record();
        }
      }
    }
    return true;
  };
  const tryConsumeExport = (): boolean => {
    if (!word('export')) return false;
    let token = nextToken();
    if (word('type')) {
      const skipType = scanner.lookAhead(() => {
        const t2 = scanner.scan();
        return t2 === T.Asterisk || t2 === T.OpenBrace;
      });
      if (skipType) token = nextToken();
    }
    if (token === T.OpenBrace) afterClosingBraceFrom();
    else if (token === T.Asterisk) {
      nextToken();
      if (word('from') && nextToken() === T.String) record();
    } else if (word('import')) {
      token = nextToken();
      if (word('type')) {
        const skipType = scanner.lookAhead(() => scanner.scan() === T.Word);
        if (skipType) token = nextToken();
      }
      if (token === T.Word && nextToken() === T.Equals && tryConsumeRequireCall(true)) return true;
    }
    return true;
  };
  const tryConsumeDefine = (): boolean => {
    if (!word('define')) return false;
    let token = nextToken();
    if (token !== T.OpenParen) return true;
    token = nextToken();
    if (token === T.String || token === T.NoSubTemplate) {
      token = nextToken();
      if (token === T.Comma) token = nextToken();
      else return true;
    }
    if (token !== T.OpenBracket) return true;
    token = nextToken();
    while (token !== T.CloseBracket && token !== T.EOF) {
      if (token === T.String || token === T.NoSubTemplate) record();
      token = nextToken();
    }
    return true;
  };

  // preProcessFile starts with nextToken(); a shebang line is trivia.
  if (text.startsWith('#!')) scanner.pos = lineEnd(text, 0);
  currentToken = T.Other;
  skipToNext();
  for (;;) {
    if (scanner.token === T.EOF) break;
    if (scanner.token === T.TemplateHead) {
      const stack: T[] = [scanner.token];
      while (stack.length) {
        const token = scanner.scan();
        if (token === T.EOF) break;
        if (scanner.is('import')) tryConsumeImport();
        else if (token === T.TemplateHead || token === T.OpenBrace) stack.push(token);
        else if (token === T.CloseBrace) {
          if (stack[stack.length - 1] === T.TemplateHead) {
            if (scanner.reScanTemplate() === T.TemplateTail) stack.pop();
          } else stack.pop();
        }
      }
      nextToken();
    }
    if (tryConsumeImport() || tryConsumeExport() || tryConsumeRequireCall(false, true) || tryConsumeDefine()) continue;
    skipToNext();
  }
  return imported;
}

/** The token ending at `k` (a code character) is a `.` on its own: not `...`, `?.` or the end of a number. */
function codeCharIsDot(text: string, k: number): boolean {
  const c = text.charCodeAt(k);
  if (c >= 128) throw new Bail(); // a Unicode space or letter
  if (c !== 46) return false;
  const b = text.charCodeAt(k - 1);
  if (b === 46 || isDigit(b)) throw new Bail();
  return b !== 63;
}

function lineEnd(text: string, from: number): number {
  let p = from;
  while (p < text.length && !isLineBreak(text.charCodeAt(p))) p++;
  return p;
}

function blockEnd(text: string, from: number): number {
  const close = text.indexOf('*/', from + 2);
  return close < 0 ? text.length : close + 2;
}
