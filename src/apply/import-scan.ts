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
import { Bail, Scanner, T, isDigit, isLineBreak, isSpace, isWordPart } from './import-tokens.ts';

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
