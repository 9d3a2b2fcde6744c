/**
 * `genie-fix init <app-dir>`: reads the app's route handlers and writes the target description
 * `diagnose --config` uses. What it could not tell is marked `TODO` (in `todo` fields and `unresolved`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Project, ts } from 'ts-morph';
import { parseConfig } from '../config.ts';
import { UsageError } from '../errors.ts';
import { describeApp, type AnalysedRoute } from './describe.ts';
import { findRouteFiles } from './discover.ts';
import { handlerFacts } from './facts.ts';
import { appRouterHandlers, pagesHandlers } from './handlers.ts';

export interface InitOptions {
  appDir: string;
  /** Where to write; default <app-dir>/genie.json. */
  out?: string;
  force?: boolean;
  /** Analyse and return, write nothing. */
  dryRun?: boolean;
}

export interface InitResult {
  file: string | undefined;
  config: Record<string, unknown>;
  lines: string[];
  routes: number;
  todos: number;
}

function projectFor(appDir: string): Project {
  const tsconfig = path.join(appDir, 'tsconfig.json');
  if (fs.existsSync(tsconfig)) {
    try {
      return new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
    } catch {
      // An unreadable tsconfig (a missing `extends`) only costs alias resolution.
    }
  }
  return new Project({ compilerOptions: { allowJs: true, jsx: ts.JsxEmit.ReactJSX }, skipFileDependencyResolution: true });
}

export function analyseApp(appDir: string): AnalysedRoute[] {
  const files = findRouteFiles(appDir);
  if (files.length === 0) {
    throw new UsageError(`no route handlers in ${appDir} (looked for app/**/route.ts, src/app/**/route.ts, pages/api/**)`, 'pass the folder of a Next.js app');
  }
  const project = projectFor(appDir);
  return files.map((f) => {
    const sf = project.addSourceFileAtPath(f.abs);
    const handlers = f.router === 'app' ? appRouterHandlers(sf) : pagesHandlers(sf);
    return { ...f, handlers: handlers.map((h) => handlerFacts(h, f.params)) };
  });
}

const countTodos = (text: string) => (text.match(/TODO/g) ?? []).length;

export function init(opts: InitOptions): InitResult {
  const appDir = path.resolve(opts.appDir);
  if (!fs.existsSync(appDir) || !fs.statSync(appDir).isDirectory()) throw new UsageError(`${opts.appDir} is not a folder`, 'pass the folder of a Next.js app: genie-fix init ./my-app');
  const routes = analyseApp(appDir);
  const { config, lines } = describeApp(routes);
  // What init writes must be what diagnose accepts; a mismatch is a bug here, not the user's.
  try {
    parseConfig(config, 'the description init built');
  } catch (err) {
    throw new Error(`init built an invalid description: ${(err as Error).message}`, { cause: err });
  }
  const text = JSON.stringify(config, null, 2) + '\n';
  const result: InitResult = { file: undefined, config, lines, routes: routes.length, todos: countTodos(text) };
  if (opts.dryRun) return result;
  const file = path.resolve(opts.out ?? path.join(appDir, 'genie.json'));
  if (fs.existsSync(file) && !opts.force) throw new UsageError(`${file} already exists`, 'pass --force to overwrite it, or --out <file>');
  try {
    fs.writeFileSync(file, text);
  } catch (err) {
    throw new UsageError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'pass --out <file> in a writable folder');
  }
  return { ...result, file };
}
