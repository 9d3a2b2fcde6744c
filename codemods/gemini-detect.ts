/** Recognises code that talks to Gemini by what it calls, not by what it is named. */
import { Node, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import { initializerOf } from './ast.ts';

const HOST = /generativelanguage\.googleapis\.com/;
const METHOD_PATH = /:(?:stream)?[gG]enerateContent\b|:embedContent\b|:countTokens\b/;
const ENV_BASE = /\benv\.\w*GEMINI\w*(?:URL|BASE|ENDPOINT|HOST|ORIGIN)\w*/;
export const SDK_MODULES = ['@google/generative-ai', '@google/genai'];
const SDK_METHODS = new Set(['generateContent', 'generateContentStream', 'sendMessage', 'sendMessageStream', 'embedContent', 'batchEmbedContents', 'countTokens']);

/** Cheap text test for prefilters. */
export function mentionsGemini(text: string): boolean {
  return HOST.test(text) || METHOD_PATH.test(text) || ENV_BASE.test(text) || /GEMINI/.test(text) || SDK_MODULES.some((m) => text.includes(m)) || text.includes('queuedGeminiFetch') || text.includes('runGemini');
}

/** Does the value of `node` (a URL expression) reach Gemini? Follows const/let initialisers in the same file. */
export function reachesGemini(node: Node, depth = 0, seen = new Set<string>()): boolean {
  if (depth > 6) return false;
  const text = node.getText();
  if (HOST.test(text) || METHOD_PATH.test(text) || ENV_BASE.test(text)) return true;
  const ids = Node.isIdentifier(node) ? [node] : node.getDescendantsOfKind(SyntaxKind.Identifier);
  for (const id of ids) {
    const parent = id.getParent();
    if (parent && Node.isPropertyAccessExpression(parent) && parent.getNameNode() === id) continue;
    const name = id.getText();
    if (seen.has(name)) continue;
    seen.add(name);
    const init = initializerOf(id, name);
    if (init && reachesGemini(init, depth + 1, seen)) return true;
    // A helper in the same file that builds the URL: function geminiUrl(model) { return `…` }
    const fn = node.getSourceFile().getFunction(name);
    if (fn && (HOST.test(fn.getText()) || METHOD_PATH.test(fn.getText()) || ENV_BASE.test(fn.getText()))) return true;
  }
  return false;
}

function importsSdk(sf: SourceFile): boolean {
  return sf.getImportDeclarations().some((d) => SDK_MODULES.includes(d.getModuleSpecifierValue()));
}

/** `fetch(x, …)` calls whose URL reaches Gemini (already queued calls are not returned). */
export function geminiFetchCalls(sf: SourceFile): CallExpression[] {
  return sf.getDescendantsOfKind(SyntaxKind.CallExpression).filter((call) => {
    const callee = call.getExpression();
    const isFetch = (Node.isIdentifier(callee) && callee.getText() === 'fetch') || callee.getText() === 'globalThis.fetch';
    const url = call.getArguments()[0];
    return isFetch && url !== undefined && reachesGemini(url);
  });
}

/** SDK calls (`model.generateContent(…)`, `ai.models.generateContentStream(…)`) in a file importing a Gemini SDK. */
export function geminiSdkCalls(sf: SourceFile): CallExpression[] {
  if (!importsSdk(sf)) return [];
  return sf.getDescendantsOfKind(SyntaxKind.CallExpression).filter((call) => {
    const callee = call.getExpression();
    return Node.isPropertyAccessExpression(callee) && SDK_METHODS.has(callee.getName());
  });
}

/** The file calls Gemini in any form, queued or not. */
export function callsGemini(sf: SourceFile): boolean {
  const text = sf.getFullText();
  if (text.includes('queuedGeminiFetch(') || text.includes('runGemini(')) return true;
  return geminiFetchCalls(sf).length > 0 || geminiSdkCalls(sf).length > 0;
}

/** Inside `runGemini(() => …)` already. */
export function insideRunGemini(node: Node): boolean {
  return node.getAncestors().some((a) => Node.isCallExpression(a) && a.getExpression().getText() === 'runGemini');
}
