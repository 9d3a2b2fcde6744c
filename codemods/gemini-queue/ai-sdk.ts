/**
 * gemini-queue for the Vercel AI SDK: a Gemini model is wrapped once where it is made
 * (`google('gemini-2.0-flash')` → `queuedGeminiModel(google('gemini-2.0-flash'))`), so every streamText /
 * generateText / generateObject call using it is queued by the AI SDK's own extension point (wrapLanguageModel).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Node, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import { applyEdits, ensureNamedImport, noteAt, type Edit } from '../ast.ts';
import { existingGuard } from '../lib/call-guards.ts';
import { callerOwnKey } from '../lib/caller-key.ts';
import { appRetryAroundModelsOf } from './app-retry.ts';
import { aiSdkGeminiCalls, aiSdkGeminiModels, langChainGeminiModels } from '../gemini-detect.ts';
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
/** Wrappers that already retry or fall back around a model (ai-retry's createRetryable, hand-rolled fallbacks). */
const RETRYING_WRAPPER = /retry|retryable|fallback/i;

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

/** Why this model must not get a second queue, or undefined. */
function alreadyGuarded(model: CallExpression, root: string): string | undefined {
  for (const a of model.getAncestors()) {
    if (!Node.isCallExpression(a)) continue;
    const name = a.getExpression().getText();
    if (name === 'wrapLanguageModel') return `already wrapped with wrapLanguageModel at line ${a.getStartLineNumber()}; add geminiQueueMiddleware to its middleware list by hand if it has no limiter`;
    if (RETRYING_WRAPPER.test(name)) return `inside ${name}(…) at line ${a.getStartLineNumber()}, which already retries or falls back to other models on errors; queue retries inside it would delay that fallback by up to GEMINI_MAX_WAIT_MS`;
  }
  // A model made per request with the caller's own key: quotas are per user, a shared queue would couple them.
  const ownKey = callerOwnKey(model);
  if (ownKey) return ownKey;
  const guard = existingGuard(model);
  if (guard) return `its calls already run behind ${guard}; a second queue would stack two policies`;
  // A model held in a variable: look at the AI SDK calls of this file that use it.
  const elsewhere = appRetryAroundModelsOf(model.getSourceFile(), root);
  if (elsewhere) return `the app calls the models of this module through its own 429 retry, ${elsewhere}; a queue retrying inside it would stack two policies and turn the AI SDK's APICallError it classifies into GeminiUnavailableError`;
  const holder = model.getParentIfKind(SyntaxKind.VariableDeclaration);
  if (!holder) return undefined;
  const name = holder.getName();
  for (const call of aiSdkGeminiCalls(model.getSourceFile())) {
    if (!call.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => id.getText() === name)) continue;
    const around = existingGuard(call);
    if (around) return `its calls already run behind ${around}; a second queue would stack two policies`;
  }
  return undefined;
}

/** The model expression on one line, short enough for a note. */
function brief(model: Node): string {
  const text = model.getText().replace(/\s+/g, ' ');
  return text.length > 70 ? `${text.slice(0, 67)}…` : text;
}

function insideQueuedModel(node: Node): boolean {
  return node.getAncestors().some((a) => Node.isCallExpression(a) && a.getExpression().getText() === 'queuedGeminiModel');
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

  const wrap: CallExpression[] = [];
  for (const model of models) {
    const why = alreadyGuarded(model, ctx.root);
    if (why) (result.notes ??= []).push(noteAt(ctx, model, `AI SDK Gemini model ${brief(model)}: ${why}`));
    else wrap.push(model);
  }
  if (wrap.length === 0) return;

  const { declared, version } = aiVersion(ctx, sf.getFilePath());
  if (!declared || !proven(version)) {
    const why = !declared
      ? "the app's package.json does not list `ai` (genie-fix never adds it): wrapLanguageModel comes from there"
      : `the app runs ai ${version ?? '(unknown version)'}; the queue middleware is proven on ai ≥ 4.3 only (older releases lack the stable wrapLanguageModel)`;
    for (const model of wrap) result.candidates.push(noteAt(ctx, model, `needs a human: AI SDK Gemini model not queued, because ${why}`));
    return;
  }

  const edits: Edit[] = wrap.map((m) => ({ start: m.getStart(), end: m.getEnd(), text: `queuedGeminiModel(${m.getText()})` }));
  // Written before the edits: applying them forgets these nodes.
  const notes = wrap.map((m) =>
    noteAt(ctx, m, `AI SDK Gemini model ${brief(m)} → queuedGeminiModel(…) (wrapLanguageModel with a queue middleware): every streamText/generateText/generateObject call using it shares the Gemini queue (limit, spacing, 429 retried honouring RetryInfo, bounded wait); a stream holds its slot until it is read to the end or cancelled`),
  );
  ensureNamedImport(sf, ctx.addTemplate('gemini-queue-ai-sdk', sf), ['queuedGeminiModel'], edits);
  if (!applyEdits(sf, edits)) {
    result.failures.push(noteAt(ctx, sf, 'overlapping AI SDK Gemini models; wrap them with queuedGeminiModel by hand'));
    return;
  }
  result.changes.push(...notes);
}
