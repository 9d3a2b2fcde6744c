/**
 * A model made in one module is often called from another, through the app's own retry helper
 * (`withLLMRetry(() => generate(candidate))`, p-retry underneath). The call sites are not inside the model's file,
 * so the call guards cannot see them there: this looks at the app modules that import the model's module.
 * A queue with retries inside such a helper would stack two policies (double waits) and change the error the helper
 * classifies (GeminiUnavailableError instead of the AI SDK's APICallError with its status); a limit without retries
 * does neither, unless the app already limits those calls itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Node, Project, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import { importedDeclaration, resolveAppModule } from '../ast.ts';
import { existingGuard, makesLimiter } from '../lib/call-guards.ts';
import { walkFiles } from '../lib/walk-files.ts';

const SKIP_DIRS = new Set(['node_modules', '.next', '.git', 'dist', 'build', 'out', 'coverage', '.turbo', '.vercel', '__tests__']);
const MAX_FILES = 8000;
const RATE_LIMITED = /\b429\b|RESOURCE_EXHAUSTED|Too Many Requests|rate[ _-]?limit|quota/i;
const RETRIES = /\b(?:for|while|do)\b|\bp[Rr]etry\s*\(|\basyncRetry\s*\(|\bretry\s*\(|\bbackOff\s*\(/;

/** The app's own 429 retry around a module's models, in words for the note, and the limiter around it if any. */
export interface AppRetry {
  /** `withLLMRetry(…) at index.ts:399 (utils/llms/index.ts)`. */
  where: string;
  /** What already bounds those calls' concurrency (a limiter around the helper call, or inside the helper). */
  limiter: string | undefined;
}

/** `helper(() => …)` / `helper(run)` calls in `sf` whose helper (this file or an app module) retries on 429 itself. */
function retryHelperCall(sf: SourceFile): AppRetry | undefined {
  for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (!Node.isIdentifier(callee) || !call.getArguments().some((a) => Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isIdentifier(a))) continue;
    const name = callee.getText();
    const def = sf.getFunction(name)?.getText() ?? importedDeclaration(sf, name)?.node.getText();
    if (!def || !RATE_LIMITED.test(def) || !RETRIES.test(def)) continue;
    return { where: `${name}(…) at ${sf.getBaseName()}:${call.getStartLineNumber()}`, limiter: limiterOf(call, name, def) };
  }
  return undefined;
}

function limiterOf(helperCall: CallExpression, name: string, def: string): string | undefined {
  const around = existingGuard(helperCall);
  if (around?.kind === 'limiter') return around.why;
  return makesLimiter(def) ? `${name}(…) itself, which makes a limiter` : undefined;
}

const verdicts = new Map<string, AppRetry | undefined>();

/**
 * Where the app calls models from `modelFile` through its own 429 retry (`withLLMRetry(…) at index.ts:399`), looking
 * at the modules that import `modelFile` and the file itself; undefined when none does.
 */
export function appRetryAroundModelsOf(modelFile: SourceFile, root: string): AppRetry | undefined {
  const target = modelFile.getFilePath();
  const key = `${target}\0${modelFile.getFullText().length}`;
  if (verdicts.has(key)) return verdicts.get(key);
  let verdict = retryHelperCall(modelFile);
  const stem = path.basename(target).replace(/\.tsx?$/, '');
  const project = new Project({ compilerOptions: modelFile.getProject().getCompilerOptions(), skipAddingFilesFromTsConfig: true });
  const sources = walkFiles(root, {
    skipDir: (name) => SKIP_DIRS.has(name),
    keep: (name) => /\.(?:ts|tsx|mts)$/.test(name) && !/\.(?:test|spec)\.tsx?$|\.d\.ts$/.test(name),
    limit: MAX_FILES,
  });
  for (const file of verdict ? [] : sources) {
    if (file === target) continue;
    const text = fs.readFileSync(file, 'utf8');
    // Cheap text test first: an import whose specifier ends with the module's name.
    if (!new RegExp(`from\\s+['"][^'"]*\\b${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\.[jt]sx?)?['"]`).test(text)) continue;
    const sf = project.createSourceFile(file, text, { overwrite: true });
    const imports = sf.getImportDeclarations().some((d) => !d.isTypeOnly() && resolveAppModule(sf, d.getModuleSpecifierValue())?.getFilePath() === target);
    verdict = imports ? retryHelperCall(sf) : undefined;
    if (verdict) verdict = { ...verdict, where: `${verdict.where} (${path.relative(root, file).split(path.sep).join('/')})` };
    if (verdict) break;
  }
  verdicts.set(key, verdict);
  return verdict;
}
