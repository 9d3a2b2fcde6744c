/**
 * gemini-queue for the Vercel AI SDK: a Gemini model is wrapped once where it is made
 * (`google('gemini-2.0-flash')` → `queuedGeminiModel(google('gemini-2.0-flash'))`), so every streamText /
 * generateText / generateObject call using it is queued by the AI SDK's own extension point (wrapLanguageModel).
 * A model whose calls the app already retries on 429 gets the limit alone (`limitedGeminiModel`); what decides is
 * ./model-guard.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Node, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import { applyEdits, ensureNamedImport, noteAt, type Edit } from '../ast.ts';
import { aiSdkGeminiModels, langChainGeminiModels } from '../gemini-detect.ts';
import { modelVerdict } from './model-guard.ts';
import type { CodemodContext, CodemodResult } from '../types.ts';

/**
 * The oldest `ai` release of each major the template was type-checked and run against (limit held for whole streams,
 * every reply through a 429 storm): 6.0 by test/templates/gemini-queue-ai-sdk.test.ts, 5.0.277 and 4.3.19 with
 * @ai-sdk/google 2.0 / 1.2 by the same checks run by hand. Older 4.x lack the stable wrapLanguageModel.
 */
const PROVEN_AI = new Map([
  [4, 3],
  [5, 0],
  [6, 0],
]);

/** The `ai` major the app runs: its installed copy (nearest node_modules, as Node resolves it), else its range. */
function aiVersion(ctx: CodemodContext, from: string): { declared: boolean; version: string | undefined } {
  const pkg = JSON.parse(ctx.readText('package.json') ?? '{}') as Record<string, Record<string, string> | undefined>;
  const range = pkg.dependencies?.ai ?? pkg.devDependencies?.ai;
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    const installed = path.join(dir, 'node_modules', 'ai', 'package.json');
    if (fs.existsSync(installed)) {
      const version = (JSON.parse(fs.readFileSync(installed, 'utf8')) as { version?: string }).version ?? '';
      return { declared: Boolean(range), version };
    }
    if (dir === path.dirname(dir)) break;
  }
  return { declared: Boolean(range), version: range ? /\d+(?:\.\d+)?/.exec(range)?.[0] : undefined };
}

function proven(version: string | undefined): boolean {
  const [major, minor] = (version ?? '').split('.').map((n) => Number.parseInt(n, 10));
  const oldest = major === undefined ? undefined : PROVEN_AI.get(major);
  return oldest !== undefined && (minor ?? 0) >= oldest;
}

/** The model expression on one line, short enough for a note. */
function brief(model: Node): string {
  const text = model.getText().replace(/\s+/g, ' ');
  return text.length > 70 ? `${text.slice(0, 67)}…` : text;
}

function insideQueuedModel(node: Node): boolean {
  return node.getAncestors().some((a) => Node.isCallExpression(a) && ['queuedGeminiModel', 'limitedGeminiModel'].includes(a.getExpression().getText()));
}

/** Wraps the AI SDK Gemini models of `sf`; records changes, notes and needs-a-human in `result`. */
export function queueAiSdkModels(ctx: CodemodContext, sf: SourceFile, result: CodemodResult): void {
  for (const model of langChainGeminiModels(sf)) {
    result.candidates.push(
      noteAt(ctx, model, "LangChain's Gemini chat model calls Gemini through LangChain's own client: it retries 429s itself (AsyncCaller, maxRetries 6, backoff that ignores RetryInfo) and limits concurrency per instance only (maxConcurrency), so a process-wide queue cannot be added around it safely; set maxConcurrency and maxRetries on a single shared instance, by hand"),
    );
  }
  const models = aiSdkGeminiModels(sf)
    .filter((m) => !insideQueuedModel(m))
    // Outermost only: `createGoogleGenerativeAI({…})(id)` contains no second model, but be safe with nesting.
    .filter((m, _, all) => !all.some((o) => o !== m && o.getStart() <= m.getStart() && o.getEnd() >= m.getEnd()));
  if (models.length === 0) return;

  const queue: CallExpression[] = [];
  const limit = new Map<CallExpression, string>();
  for (const model of models) {
    const verdict = modelVerdict(model, ctx.root);
    if ('leave' in verdict) (result.notes ??= []).push(noteAt(ctx, model, `AI SDK Gemini model ${brief(model)}: ${verdict.leave}`));
    else if ('limitOnly' in verdict) limit.set(model, verdict.limitOnly);
    else queue.push(model);
  }
  const wrap = [...queue, ...limit.keys()];
  if (wrap.length === 0) return;

  const { declared, version } = aiVersion(ctx, sf.getFilePath());
  if (!declared || !proven(version)) {
    const why = !declared
      ? "the app's package.json does not list `ai` (genie-fix never adds it): wrapLanguageModel comes from there"
      : `the app runs ai ${version ?? '(unknown version)'}; the queue middleware is proven on ai ≥ 4.3 only (older releases lack the stable wrapLanguageModel)`;
    for (const model of wrap) result.candidates.push(noteAt(ctx, model, `needs a human: AI SDK Gemini model not queued, because ${why}`));
    return;
  }

  const edits: Edit[] = [
    ...queue.map((m) => ({ start: m.getStart(), end: m.getEnd(), text: `queuedGeminiModel(${m.getText()})` })),
    ...[...limit.keys()].map((m) => ({ start: m.getStart(), end: m.getEnd(), text: `limitedGeminiModel(${m.getText()})` })),
  ];
  // Written before the edits: applying them forgets these nodes.
  const shared = (m: CallExpression) => {
    const key = ownKey(m);
    return key ? `; its apiKey (\`${key.slice(0, 60)}\`) may be a user's own key, and calls made with one share this process-wide limit with the app's key` : '';
  };
  const notes = [
    ...queue.map((m) =>
      noteAt(ctx, m, `AI SDK Gemini model ${brief(m)} → queuedGeminiModel(…) (wrapLanguageModel with a queue middleware): every streamText/generateText/generateObject call using it shares the Gemini queue (limit, spacing, 429 retried honouring RetryInfo, bounded wait); a stream holds its slot until it is read to the end or cancelled${shared(m)}`),
    ),
    ...[...limit].map(([m, why]) =>
      noteAt(ctx, m, `AI SDK Gemini model ${brief(m)} → limitedGeminiModel(…): bounded concurrency only; the app's own retry handles 429s (${why}). Every call using it waits for one of GEMINI_MAX_CONCURRENCY slots (at most GEMINI_MAX_WAIT_MS) and is never retried here, so retries do not multiply and the app's retry still sees the AI SDK's errors; a stream holds its slot until it is read to the end or cancelled${shared(m)}`),
    ),
  ];
  if (queue.length > 0) ensureNamedImport(sf, ctx.addTemplate('gemini-queue-ai-sdk', sf), ['queuedGeminiModel'], edits);
  if (limit.size > 0) ensureNamedImport(sf, ctx.addTemplate('gemini-limit-only-ai-sdk', sf), ['limitedGeminiModel'], edits);
  if (!applyEdits(sf, edits)) {
    result.failures.push(noteAt(ctx, sf, 'overlapping AI SDK Gemini models; wrap them with queuedGeminiModel or limitedGeminiModel by hand'));
    return;
  }
  result.changes.push(...notes);
}

/**
 * The model's `apiKey` when it picks between some other key and the app's own setting (`userKey ?? env.X`,
 * `resolveApiKey(userKey, env.X)`): a user's own key with the app's as fallback. The queue's slots are per process,
 * not per key.
 */
function ownKey(model: CallExpression): string | undefined {
  for (const call of [model, ...model.getDescendantsOfKind(SyntaxKind.CallExpression)]) {
    for (const arg of call.getArguments()) {
      if (!Node.isObjectLiteralExpression(arg)) continue;
      const key = arg.getProperty('apiKey');
      const value = key && Node.isPropertyAssignment(key) ? key.getInitializer() : undefined;
      const text = value?.getText().replace(/\s+/g, '').replace(/!$/, '');
      // A string literal beside the env read is a key written into the code, not a user's (and never printed).
      const envName = (n: Node) => Node.isElementAccessExpression(n.getParent()) && /^process\.env$/.test(n.getParentOrThrow().getFirstChild()?.getText() ?? '');
      const literal = value && [value, ...value.getDescendants()].some((n) => (Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n) || Node.isTemplateExpression(n)) && !envName(n));
      if (text && !literal && /\benv\b/.test(text) && !/^(?:process\.)?env\.\w+$|^process\.env\[['"]\w+['"]\]$/.test(text)) return value!.getText();
    }
  }
  return undefined;
}
