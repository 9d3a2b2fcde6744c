/** Recognises code that talks to Gemini by what it calls, not by what it is named. */
import { Node, SyntaxKind, ts, type CallExpression, type SourceFile } from 'ts-morph';
import { importedDeclaration, initializerOf, rootIdentifier } from './ast.ts';
import { descendantsOfKind } from './lib/descendants.ts';

const HOST = /generativelanguage\.googleapis\.com/;
const METHOD_PATH = /:(?:stream)?[gG]enerateContent\b|:embedContent\b|:countTokens\b/;
const ENV_BASE = /\benv\.\w*GEMINI\w*(?:URL|BASE|ENDPOINT|HOST|ORIGIN|ROOT)\w*/;
export const SDK_MODULES = ['@google/generative-ai', '@google/genai'];
const SDK_METHODS = new Set(['generateContent', 'generateContentStream', 'sendMessage', 'sendMessageStream', 'embedContent', 'batchEmbedContents', 'countTokens']);

/**
 * Cheap text test for prefilters. Besides the obvious markers, a file that calls an SDK method on something, or
 * calls fetch with a local module imported, is parsed: the model object or the URL builder may live in lib/.
 */
export function mentionsGemini(text: string): boolean {
  // Runs on every source, three times per run: each regex is behind a plain substring test it needs (a few times
  // faster). ENV_BASE, GEMINI and the queue's own names (queuedGeminiFetch, runGemini…) all contain "gemini".
  if (/gemini/i.test(text)) return true;
  const methodName = text.includes('enerateContent') || text.includes('embedContent');
  if ((methodName || text.includes('sendMessage')) && /\.(?:generateContent|generateContentStream|sendMessage|sendMessageStream|embedContent)\s*\(/.test(text)) return true;
  if (text.includes('fetch') && /\bfetch\s*\(/.test(text) && /from\s+['"](?:\.|[@~#]\/)/.test(text)) return true;
  return (text.includes('generativelanguage') && HOST.test(text)) || ((methodName || text.includes(':countTokens')) && METHOD_PATH.test(text)) || SDK_MODULES.some((m) => text.includes(m));
}

/** Does the value of `node` (a URL expression) reach Gemini? Follows const/let initialisers in the same file. */
export function reachesGemini(node: Node, depth = 0, seen = new Set<string>()): boolean {
  if (depth > 6) return false;
  const text = node.getText();
  if (HOST.test(text) || METHOD_PATH.test(text) || ENV_BASE.test(text)) return true;
  const ids = Node.isIdentifier(node) ? [node] : descendantsOfKind(node, SyntaxKind.Identifier);
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
    if (init || fn) continue;
    // Built in another module of the app: `fetch(geminiEndpoint(model, true))` with the helper in lib/.
    const imported = importedDeclaration(node.getSourceFile(), name);
    if (imported && reachesGemini(imported.node, depth + 1, new Set())) return true;
  }
  return false;
}

function importsSdk(sf: SourceFile): boolean {
  return sf.getImportDeclarations().some((d) => SDK_MODULES.includes(d.getModuleSpecifierValue()));
}

// The callee tests of geminiFetchCalls and geminiSdkCalls, on the compiler's nodes: the rest are never wrapped.
function isFetchCall(n: ts.Node): boolean {
  return ts.isCallExpression(n) && n.arguments.length > 0 && ['fetch', 'globalThis.fetch'].includes(n.expression.getText());
}
function isSdkMethodCall(n: ts.Node): boolean {
  return ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && SDK_METHODS.has(n.expression.name.getText());
}

/** `fetch(x, …)` calls whose URL reaches Gemini (already queued calls are not returned). */
export function geminiFetchCalls(sf: SourceFile): CallExpression[] {
  return descendantsOfKind(sf, SyntaxKind.CallExpression, isFetchCall).filter((call) => {
    const callee = call.getExpression();
    const isFetch = (Node.isIdentifier(callee) && callee.getText() === 'fetch') || callee.getText() === 'globalThis.fetch';
    const url = call.getArguments()[0];
    return isFetch && url !== undefined && reachesGemini(url);
  });
}

/** A client or model object made in another module of the app that imports a Gemini SDK (`export const model = genAI.getGenerativeModel(…)`). */
function importedSdkObject(sf: SourceFile, name: string): boolean {
  const imported = importedDeclaration(sf, name);
  return Boolean(imported && Node.isVariableDeclaration(imported.node) && importsSdk(imported.file));
}

/**
 * SDK calls (`model.generateContent(…)`, `ai.models.generateContentStream(…)`) in a file importing a Gemini SDK,
 * or on a client/model object imported from a module of the app that does.
 */
export function geminiSdkCalls(sf: SourceFile): CallExpression[] {
  const direct = importsSdk(sf);
  const verdicts = new Map<string, boolean>();
  return descendantsOfKind(sf, SyntaxKind.CallExpression, isSdkMethodCall).filter((call) => {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || !SDK_METHODS.has(callee.getName())) return false;
    if (direct) return true;
    const root = rootIdentifier(callee.getExpression())?.getText();
    if (!root) return false;
    if (!verdicts.has(root)) verdicts.set(root, importedSdkObject(sf, root));
    return verdicts.get(root)!;
  });
}

/** The file calls Gemini in any form, queued or not. */
export function callsGemini(sf: SourceFile): boolean {
  const text = sf.getFullText();
  if (['queuedGeminiFetch(', 'runGemini(', 'limitedGeminiFetch(', 'runGeminiLimited('].some((queued) => text.includes(queued))) return true;
  return geminiFetchCalls(sf).length > 0 || geminiSdkCalls(sf).length > 0;
}

/** Inside `runGemini(() => …)` or `runGeminiLimited(() => …)` already. */
export function insideRunGemini(node: Node): boolean {
  return node.getAncestors().some((a) => Node.isCallExpression(a) && ['runGemini', 'runGeminiLimited'].includes(a.getExpression().getText()));
}

/** The AI SDK's text/object calls; with a model from its Google provider they call Gemini. */
const AI_SDK_GOOGLE = '@ai-sdk/google';
const AI_SDK_CALLS = new Set(['streamText', 'generateText', 'streamObject', 'generateObject']);

/** `google('…')`, `createGoogleGenerativeAI(…)('…')`, or a name bound to one here or in a module of the app. */
function aiSdkGoogleModel(expr: Node, depth = 0): boolean {
  if (depth > 4) return false;
  const root = rootIdentifier(expr);
  if (!root) return false;
  const sf = expr.getSourceFile();
  const name = root.getText();
  const decl = sf.getImportDeclarations().find((d) => d.getNamedImports().some((n) => (n.getAliasNode() ?? n.getNameNode()).getText() === name));
  if (decl) {
    if (decl.getModuleSpecifierValue() === AI_SDK_GOOGLE) return true;
    const imported = importedDeclaration(sf, name);
    const init = imported && Node.isVariableDeclaration(imported.node) ? imported.node.getInitializer() : undefined;
    return Boolean(init && aiSdkGoogleModel(init, depth + 1));
  }
  const init = initializerOf(root, name);
  return Boolean(init && init !== expr && aiSdkGoogleModel(init, depth + 1));
}

/**
 * `streamText({ model: google('gemini-…'), … })` and its siblings. Kept apart from geminiSdkCalls on
 * purpose: the request happens when the returned stream is read, so wrapping the call in a queue
 * (gemini-queue) would not hold the request; `genie-fix init` uses it to find the route that chats.
 */
export function aiSdkGeminiCalls(sf: SourceFile): CallExpression[] {
  const named = (n: ts.Node) => ts.isCallExpression(n) && ts.isIdentifier(n.expression) && AI_SDK_CALLS.has(n.expression.getText());
  return descendantsOfKind(sf, SyntaxKind.CallExpression, named).filter((call) => {
    const callee = call.getExpression();
    if (!Node.isIdentifier(callee) || !AI_SDK_CALLS.has(callee.getText())) return false;
    const arg = call.getArguments()[0];
    const model = arg && Node.isObjectLiteralExpression(arg) ? arg.getProperty('model') : undefined;
    const value = model && Node.isPropertyAssignment(model) ? model.getInitializer() : model && Node.isShorthandPropertyAssignment(model) ? model.getNameNode() : undefined;
    return Boolean(value && aiSdkGoogleModel(value));
  });
}

/** The AI SDK's Google providers: a model they make calls Gemini (Vertex serves the same models, same 429s). */
export const AI_SDK_GOOGLE_MODULES = ['@ai-sdk/google', '@ai-sdk/google-vertex'];
const AI_SDK_GOOGLE_FACTORIES = new Set(['createGoogleGenerativeAI', 'createVertex']);
const AI_SDK_MODEL_METHODS = new Set(['languageModel', 'chat']);

/** The module a name is imported from in this file (value imports only). */
function importSource(sf: SourceFile, name: string): string | undefined {
  const decl = sf
    .getImportDeclarations()
    .find((d) => !d.isTypeOnly() && d.getNamedImports().some((n) => !n.isTypeOnly() && (n.getAliasNode() ?? n.getNameNode()).getText() === name));
  return decl?.getModuleSpecifierValue();
}

/** Is `expr` a Google provider: `google` / `vertex` imported from it, `createGoogleGenerativeAI({…})`, or a const bound to one. */
function isGoogleProvider(expr: Node, depth = 0): boolean {
  if (depth > 3) return false;
  const sf = expr.getSourceFile();
  if (Node.isCallExpression(expr)) {
    const callee = expr.getExpression();
    return Node.isIdentifier(callee) && AI_SDK_GOOGLE_FACTORIES.has(callee.getText()) && AI_SDK_GOOGLE_MODULES.includes(importSource(sf, callee.getText()) ?? '');
  }
  if (!Node.isIdentifier(expr)) return false;
  const from = importSource(sf, expr.getText());
  if (from) return AI_SDK_GOOGLE_MODULES.includes(from) && !AI_SDK_GOOGLE_FACTORIES.has(expr.getText());
  const init = initializerOf(expr, expr.getText());
  return Boolean(init && isGoogleProvider(init, depth + 1));
}

/**
 * Where a Gemini language model is made with the AI SDK: `google('gemini-2.0-flash')`,
 * `createGoogleGenerativeAI({ baseURL })(id)`, `vertex.languageModel(id)`, `const g = createGoogleGenerativeAI(…); g(id)`.
 * Embedding, image and tool factories (`google.textEmbeddingModel`, `google.tools.*`) are not language models.
 */
export function aiSdkGeminiModels(sf: SourceFile): CallExpression[] {
  if (!sf.getImportDeclarations().some((d) => AI_SDK_GOOGLE_MODULES.includes(d.getModuleSpecifierValue()))) return [];
  return descendantsOfKind(sf, SyntaxKind.CallExpression, (n) => ts.isCallExpression(n) && n.arguments.length > 0).filter((call) => {
    const callee = call.getExpression();
    if (call.getArguments().length === 0) return false;
    if (Node.isPropertyAccessExpression(callee)) return AI_SDK_MODEL_METHODS.has(callee.getName()) && isGoogleProvider(callee.getExpression());
    return isGoogleProvider(callee);
  });
}

/** LangChain's Gemini chat models (`new ChatGoogleGenerativeAI({ model: 'gemini-…' })`). */
export function langChainGeminiModels(sf: SourceFile): Node[] {
  const names = new Set(['ChatGoogleGenerativeAI', 'ChatVertexAI']);
  const named = (n: ts.Node) => ts.isNewExpression(n) && ts.isIdentifier(n.expression) && names.has(n.expression.getText());
  return descendantsOfKind(sf, SyntaxKind.NewExpression, named).filter((n) => {
    const callee = n.getExpression();
    return Node.isIdentifier(callee) && names.has(callee.getText()) && /^@langchain\/google/.test(importSource(sf, callee.getText()) ?? '');
  });
}
