/**
 * Everything apply may change outside the ts-morph Project: templates copied into the app, package.json
 * dependencies, .env files. Nothing is written here; changes are staged and the runner writes them (or prints
 * them as a diff) at the end, so a dry run and a write see exactly the same result.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ts, type SourceFile } from 'ts-morph';
import { templateDependencies } from '../../codemods/templates/dependencies.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { insideRoot, toRel } from './paths.ts';

// Shipped as .ts beside the compiled code (package.json `files`): found from src/ and from dist/ alike.
export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'codemods', 'templates');

/** Where the limiter and cache templates keep their state: process memory, or Redis (`apply --store redis`). */
export type TemplateStore = 'memory' | 'redis';

export interface StagedFile {
  before: string | undefined;
  after: string;
}

interface PathAlias {
  prefix: string; // '@/'
  base: string; // absolute folder the alias points at
}

function readAlias(root: string): PathAlias | undefined {
  const tsconfig = path.join(root, 'tsconfig.json');
  if (!fs.existsSync(tsconfig)) return undefined;
  const parsed = ts.readConfigFile(tsconfig, (p) => fs.readFileSync(p, 'utf8'));
  const options = (parsed.config?.compilerOptions ?? {}) as { baseUrl?: string; paths?: Record<string, string[]> };
  const target = options.paths?.['@/*']?.[0];
  if (!target || !target.endsWith('*')) return undefined;
  return { prefix: '@/', base: path.resolve(root, options.baseUrl ?? '.', target.slice(0, -1)) };
}

/** `from './x'`, `'./x.ts'` or `'./x.js'`: a template importing a sibling template (group 2 is its name). */
const SIBLING_IMPORT = /(from\s+['"])\.\/([\w-]+?)(?:\.[jt]s)?(['"])/g;

/** The sibling templates a template's text imports (or re-exports), by name. */
export function siblingTemplates(text: string): string[] {
  return [...text.matchAll(SIBLING_IMPORT)].map((m) => m[2]!);
}

/**
 * Templates name their siblings `./x.js` (what this repo's NodeNext type-check wants), but Next.js's bundlers
 * (webpack and Turbopack, Next 16) do not map `./x.js` to x.ts: `next build` fails "Module not found". In the app,
 * siblings are named without an extension, as apply names templates everywhere else, except where the app's own
 * TypeScript requires `.js` (ES modules under node16/nodenext resolution).
 */
function withSiblingSpecifiers(text: string, extension: '' | '.js'): string {
  return text.replace(SIBLING_IMPORT, (_all, head: string, name: string, quote: string) => `${head}./${name}${extension}${quote}`);
}

/** True for an ES-module package (`"type": "module"`) whose tsconfig resolves like node16/nodenext. */
function needsJsExtension(root: string): boolean {
  const pkg = path.join(root, 'package.json');
  const tsconfig = path.join(root, 'tsconfig.json');
  if (!fs.existsSync(pkg) || !fs.existsSync(tsconfig)) return false;
  try {
    if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { type?: unknown }).type !== 'module') return false;
  } catch {
    return false;
  }
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const { module, moduleResolution } = parsed?.options ?? {};
  if (moduleResolution !== undefined) return moduleResolution === ts.ModuleResolutionKind.Node16 || moduleResolution === ts.ModuleResolutionKind.NodeNext;
  // module node16 / node18 / node20 / nodenext imply that resolution.
  return module !== undefined && module >= ts.ModuleKind.Node16 && module <= ts.ModuleKind.NodeNext;
}

/** Bare package names a template imports (`lru-cache`, `@scope/pkg`), ignoring node: builtins and relatives. */
function importedPackages(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/(?:from|import)\s*['"]([^'"./][^'"]*)['"]/g)) {
    const spec = m[1]!;
    if (spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
  }
  return [...names];
}

function ownVersions(): Record<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  return { ...pkg.devDependencies, ...pkg.dependencies };
}

export interface WorkspaceSnapshot {
  staged: Map<string, StagedFile>;
  templates: Map<string, string>;
  dependencies: Map<string, string>;
}

export class Workspace {
  readonly staged = new Map<string, StagedFile>();
  readonly alias: PathAlias | undefined;
  readonly templateDir: string;
  /** Templates added in this run: name → app-relative path, for the summary. */
  readonly templatesAdded = new Map<string, string>();
  readonly dependenciesAdded = new Map<string, string>();
  /** How copied templates name each other: '' (bundlers resolve only that), '.js' where the app's TypeScript demands it. */
  readonly siblingExtension: '' | '.js';

  constructor(
    readonly root: string,
    readonly store: TemplateStore = 'memory',
  ) {
    this.alias = readAlias(root);
    this.siblingExtension = needsJsExtension(root) ? '.js' : '';
    const srcLayout = fs.existsSync(path.join(root, 'src/app')) || fs.existsSync(path.join(root, 'src/pages'));
    this.templateDir = srcLayout ? 'src/lib/genie' : 'lib/genie';
  }

  /** What is staged now, to undo one codemod's staging when none of its edits is proven. */
  snapshot(): WorkspaceSnapshot {
    return { staged: new Map(this.staged), templates: new Map(this.templatesAdded), dependencies: new Map(this.dependenciesAdded) };
  }

  restore(s: WorkspaceSnapshot): void {
    for (const [target, from] of [
      [this.staged, s.staged],
      [this.templatesAdded, s.templates],
      [this.dependenciesAdded, s.dependencies],
    ] as Array<[Map<string, unknown>, Map<string, unknown>]>) {
      target.clear();
      for (const [k, v] of from) target.set(k, v);
    }
  }

  /** Files staged (or restaged with other content) since the snapshot. */
  changedSince(s: WorkspaceSnapshot): Map<string, StagedFile> {
    const out = new Map<string, StagedFile>();
    for (const [abs, file] of this.staged) if (s.staged.get(abs)?.after !== file.after) out.set(abs, file);
    return out;
  }

  read(rel: string): string | undefined {
    const abs = insideRoot(this.root, rel);
    const staged = this.staged.get(abs);
    if (staged) return staged.after;
    return fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : undefined;
  }

  write(rel: string, content: string): void {
    const abs = insideRoot(this.root, rel);
    const staged = this.staged.get(abs);
    const before = staged ? staged.before : fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : undefined;
    if (before === content) this.staged.delete(abs);
    else this.staged.set(abs, { before, after: content });
  }

  /** Copies codemods/templates/<name>.ts to <lib>/genie/<name>.ts (byte-identical but for sibling specifiers) with its siblings and dependencies. */
  addTemplate(name: string, from: SourceFile): string {
    // A store variant (<name>.redis.ts) replaces the template under the same name and exports.
    const variant = this.store === 'memory' ? undefined : `${name}.${this.store}`;
    const useVariant = variant !== undefined && fs.existsSync(path.join(TEMPLATES_DIR, `${variant}.ts`));
    const source = path.join(TEMPLATES_DIR, `${useVariant ? variant : name}.ts`);
    if (!fs.existsSync(source)) throw new Error(`template ${name} is missing from ${TEMPLATES_DIR}`);
    const rel = `${this.templateDir}/${name}.ts`;
    const text = withSiblingSpecifiers(fs.readFileSync(source, 'utf8'), this.siblingExtension);
    const existing = this.read(rel);
    if (existing === undefined) {
      this.write(rel, text);
      this.templatesAdded.set(name, rel);
      // Templates import their siblings ('./gemini-queue.js'); each is copied beside them.
      for (const sibling of siblingTemplates(text)) this.addTemplate(sibling, from);
      // Versions the templates were tested with; a package missing there gets genie-fix's own version.
      const deps = (useVariant ? templateDependencies[variant] : undefined) ?? templateDependencies[name] ?? {};
      const own = ownVersions();
      for (const pkg of importedPackages(text)) this.addDependency(pkg, deps[pkg] ?? own[pkg] ?? 'latest');
      for (const [pkg, range] of Object.entries(deps)) this.addDependency(pkg, range);
    }
    // An existing, edited copy is the app's own now: we import it but never overwrite it.
    return this.specifier(insideRoot(this.root, rel), from.getFilePath());
  }

  /** Import specifier for `targetAbs` from the file `fromAbs`: the `@/` alias when tsconfig has one, else relative. */
  specifier(targetAbs: string, fromAbs: string): string {
    const noExt = targetAbs.replace(/\.tsx?$/, '');
    if (this.alias && !path.relative(this.alias.base, noExt).startsWith('..')) {
      return this.alias.prefix + path.relative(this.alias.base, noExt).split(path.sep).join('/');
    }
    let rel = path.relative(path.dirname(fromAbs), noExt).split(path.sep).join('/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return rel;
  }

  /** Adds `name@range` to dependencies unless the app already depends on it; keeps the file's indent and EOL. */
  addDependency(name: string, range: string): void {
    const text = this.read('package.json');
    if (text === undefined) return;
    const pkg = JSON.parse(text) as Record<string, unknown>;
    const deps = (pkg.dependencies ?? {}) as Record<string, string>;
    const dev = (pkg.devDependencies ?? {}) as Record<string, string>;
    if (deps[name] || dev[name]) return;
    const out = insertDependency(text, name, range) ?? reprintWithDependency(text, pkg, deps, name, range);
    this.write('package.json', out);
    this.dependenciesAdded.set(name, range);
  }

  relative(abs: string): string {
    return toRel(this.root, abs);
  }
}

/**
 * Adds one `"name": "range"` line to the `dependencies` object of package.json text, touching nothing else
 * (blank lines, key order, formatting); undefined when the object is not laid out one entry per line.
 */
export function insertDependency(text: string, name: string, range: string): string | undefined {
  const key = /"dependencies"\s*:\s*\{/.exec(text);
  if (!key) return undefined;
  const open = key.index + key[0].length;
  const close = text.indexOf('}', open);
  if (close < 0) return undefined;
  const body = text.slice(open, close);
  if (!/^[ \t]*\r?\n/.test(body)) return undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const entries = [...body.matchAll(/^([ \t]*)"([^"]+)"[ \t]*:[ \t]*"[^"\n]*"(,?)[ \t]*\r?$/gm)];
  if (entries.length === 0 || entries.length !== (body.match(/:/g) ?? []).length) return undefined;
  const indent = entries[0]![1]!;
  const names = entries.map((e) => e[2]!);
  const sorted = names.every((n, i) => i === 0 || names[i - 1]! <= n);
  const before = sorted ? entries.find((e) => e[2]! > name) : undefined;
  const line = `${indent}${JSON.stringify(name)}: ${JSON.stringify(range)}`;
  if (before) {
    const at = open + before.index!;
    return `${text.slice(0, at)}${line},${eol}${text.slice(at)}`;
  }
  const last = entries[entries.length - 1]!;
  const lastEnd = open + last.index! + last[0].replace(/\r$/, '').length;
  const lastLine = last[0].replace(/\r$/, '');
  const withComma = lastLine.replace(/,?([ \t]*)$/, ',$1');
  const lineStart = open + last.index!;
  return `${text.slice(0, lineStart)}${withComma}${eol}${line}${text.slice(lastEnd)}`;
}

function reprintWithDependency(text: string, pkg: Record<string, unknown>, deps: Record<string, string>, name: string, range: string): string {
  const keys = Object.keys(deps);
  const sorted = keys.every((k, i) => i === 0 || keys[i - 1]! <= k);
  const next: Record<string, string> = { ...deps, [name]: range };
  pkg.dependencies = sorted ? Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : 1))) : next;
  const indent = /^[ \t]+/m.exec(text)?.[0] ?? '  ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let out = JSON.stringify(pkg, null, indent).replace(/\n/g, eol);
  if (/\r?\n$/.test(text)) out += eol;
  return out;
}
