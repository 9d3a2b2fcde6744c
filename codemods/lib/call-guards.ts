/**
 * Does a call already run behind something that bounds or retries it: a limiter or queue (p-queue, p-limit,
 * bottleneck, a semaphore), or the app's own 429 handling (a retry loop that checks 429 / RESOURCE_EXHAUSTED, a
 * loop rotating across several API keys, a retry wrapper)? Wrapping such a call in a second queue would stack
 * two policies (double retries, waits that exceed the app's own deadline), so codemods leave it alone and say why.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { importedDeclaration, initializerOf, rootIdentifier } from '../ast.ts';
import { callerOwnKey } from './caller-key.ts';

const LIMITER_MODULES = ['p-queue', 'p-limit', 'bottleneck', 'async-sema', 'async-mutex', 'p-throttle', 'limiter'];
const LIMITER_INIT = /\bnew\s+(?:PQueue|Bottleneck|Sema|Semaphore|Mutex|RateLimiter)\b|\b(?:pLimit|pThrottle|limitFunction)\s*\(|\bnew\s+\w*(?:Queue|Limiter|Semaphore)\s*\(/;
const RATE_LIMITED = /\b429\b|RESOURCE_EXHAUSTED|Too Many Requests|rate[ _-]?limit|quota/i;
const KEY_ROTATION = /\bAPI_KEYS\b|\bapiKeys\b|\bkeys\s*\[|\bkeyIndex\b|\bnextKey\b|\brotat(?:e|ion|ing)\w*/i;
const LOOPS = [SyntaxKind.ForStatement, SyntaxKind.ForOfStatement, SyntaxKind.ForInStatement, SyntaxKind.WhileStatement, SyntaxKind.DoStatement];

function isFunctionLike(n: Node): boolean {
  return Node.isFunctionDeclaration(n) || Node.isArrowFunction(n) || Node.isFunctionExpression(n) || Node.isMethodDeclaration(n);
}

/** The text that defines a name used at `at`: its initializer in this file, or its declaration in an app module. */
function definitionText(at: Node, name: string): string | undefined {
  const init = initializerOf(at, name);
  if (init) return init.getText();
  const fn = at.getSourceFile().getFunction(name);
  if (fn) return fn.getText();
  return importedDeclaration(at.getSourceFile(), name)?.node.getText();
}

function importsLimiter(at: Node): string | undefined {
  return at
    .getSourceFile()
    .getImportDeclarations()
    .map((d) => d.getModuleSpecifierValue())
    .find((m) => LIMITER_MODULES.includes(m));
}

/** `limit(() => call)`, `queue.add(() => call)`, `limiter.schedule(() => call)`: a limiter made by one of the libraries. */
function limiterAround(call: CallExpression): string | undefined {
  for (const a of call.getAncestors()) {
    if (!Node.isCallExpression(a) || a === call) continue;
    const root = rootIdentifier(a.getExpression());
    if (!root) continue;
    const def = definitionText(a, root.getText());
    if (def && LIMITER_INIT.test(def)) return `${a.getExpression().getText()}(…) (${importsLimiter(a) ?? 'a limiter'}) at line ${a.getStartLineNumber()}`;
  }
  return undefined;
}

/** A semaphore or mutex acquired in an enclosing function before the call. */
function semaphoreBefore(call: CallExpression): string | undefined {
  for (const fn of call.getAncestors().filter(isFunctionLike)) {
    for (const c of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = c.getExpression();
      if (c.getStart() > call.getStart() || !Node.isPropertyAccessExpression(callee) || !['acquire', 'runExclusive', 'waitForUnlock'].includes(callee.getName())) continue;
      const root = rootIdentifier(callee.getExpression());
      const def = root && definitionText(c, root.getText());
      if (def && LIMITER_INIT.test(def)) return `${callee.getText()}() at line ${c.getStartLineNumber()}`;
    }
  }
  return undefined;
}

/** A loop around the call, in the function that makes it or one enclosing it, that retries on 429 or rotates keys. */
function retryLoopAround(call: CallExpression): Guard | undefined {
  for (const loop of call.getAncestors().filter((a) => LOOPS.includes(a.getKind()))) {
    const fn = loop.getAncestors().find(isFunctionLike);
    const scope = fn?.getText() ?? loop.getText();
    if (KEY_ROTATION.test(scope)) return { kind: 'key-rotation', why: `a loop rotating across API keys at line ${loop.getStartLineNumber()}` };
    if (RATE_LIMITED.test(loop.getText())) return { kind: 'retry', why: `a retry loop checking 429 / RESOURCE_EXHAUSTED at line ${loop.getStartLineNumber()}` };
  }
  return undefined;
}

/** `withRetry(() => call)` where the wrapper (this file or an app module) handles 429 itself. */
function retryWrapperAround(call: CallExpression): string | undefined {
  for (const a of call.getAncestors()) {
    if (!Node.isCallExpression(a) || a === call) continue;
    const callee = a.getExpression();
    if (!Node.isIdentifier(callee)) continue;
    if (!a.getArguments().some((arg) => (Node.isArrowFunction(arg) || Node.isFunctionExpression(arg)) && arg.getStart() <= call.getStart() && arg.getEnd() >= call.getEnd())) continue;
    const def = definitionText(a, callee.getText());
    if (def && RATE_LIMITED.test(def) && /\b(?:for|while|do)\b/.test(def)) return `${callee.getText()}(…), which retries on 429 itself (line ${a.getStartLineNumber()})`;
  }
  return undefined;
}

/** A catch clause in the enclosing function that checks for 429 and calls again (retry by recursion). */
function catchRetry(call: CallExpression): string | undefined {
  const fn = call.getAncestors().find(isFunctionLike);
  if (!fn) return undefined;
  const name = Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn) ? fn.getName() : fn.getParentIfKind(SyntaxKind.VariableDeclaration)?.getName();
  for (const c of fn.getDescendantsOfKind(SyntaxKind.CatchClause)) {
    if (!RATE_LIMITED.test(c.getText())) continue;
    const again = c.getDescendantsOfKind(SyntaxKind.CallExpression).some((x) => (name && x.getExpression().getText() === name) || x.getExpression().getText() === call.getExpression().getText());
    if (again) return `a catch that retries on 429 at line ${c.getStartLineNumber()}`;
  }
  return undefined;
}

/**
 * What already guards a call: a `limiter` bounds how many run at once; a `retry` handles 429s but lets any number
 * start together (so a concurrency limit without retries of its own can still be added around it); key rotation and
 * the caller's own key rule out a shared queue. `why` is in words for the note.
 */
export interface Guard {
  kind: 'limiter' | 'retry' | 'key-rotation' | 'own-key';
  why: string;
}

/** The guard around this call, a limiter first; undefined when nothing guards it. */
export function existingGuard(call: CallExpression): Guard | undefined {
  const limiter = limiterAround(call) ?? semaphoreBefore(call);
  if (limiter) return { kind: 'limiter', why: limiter };
  const loop = retryLoopAround(call);
  if (loop?.kind === 'key-rotation') return loop;
  // Checked before a retry: a call spending the caller's own key gets no shared limit either.
  const ownKey = callerOwnKey(call);
  if (ownKey) return { kind: 'own-key', why: ownKey };
  const retry = loop?.why ?? retryWrapperAround(call) ?? catchRetry(call);
  return retry ? { kind: 'retry', why: retry } : undefined;
}

/** True when `text` (a helper's definition) makes a limiter, queue or semaphore. */
export function makesLimiter(text: string): boolean {
  return LIMITER_INIT.test(text);
}
