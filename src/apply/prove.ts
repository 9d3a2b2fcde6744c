/**
 * Proves edits before they are written: the changed program is type-checked in memory, with the app's own
 * tsconfig, its own TypeScript and its installed dependencies, and an edit that adds any diagnostic (to the
 * edited file, a template it imports, or a file that imports it) is not proven. Nothing touches the disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type ownTs from 'typescript';

type TS = typeof ownTs;

/** A diagnostic with positions removed (edits shift lines), so before/after compare as multisets. */
export type DiagnosticKey = string;

export interface ProofResult {
  /** Per checked file (absolute): the diagnostics the edit added, already formatted for people. */
  added: Map<string, string[]>;
}

// Loaded only when an edit is to be proven: a dry run with nothing to prove never loads a second TypeScript.
const OWN_REQUIRE = createRequire(import.meta.url);

/** The app's own TypeScript (so a template that fails on its version is caught), else ours. */
function appTypeScript(root: string): { ts: TS; version: string } {
  try {
    const ts = createRequire(path.join(root, 'package.json'))('typescript') as TS;
    if (typeof ts.createLanguageService === 'function') return { ts, version: ts.version };
  } catch {
    // not installed in the app: ours
  }
  const ts = OWN_REQUIRE('typescript') as TS;
  return { ts, version: ts.version };
}

/** genie-fix's own copy of a package (its package.json), found on disk: `exports` may hide package.json from require. */
function ownPackageJson(pkg: string): string | undefined {
  for (const dir of OWN_REQUIRE.resolve.paths(pkg) ?? []) {
    const file = path.join(dir, pkg, 'package.json');
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

export class EditProver {
  readonly ts: TS;
  readonly tsVersion: string;
  private readonly options: ownTs.CompilerOptions;
  private rootNames: string[];
  private readonly overlay = new Map<string, { text: string; version: number }>();
  private readonly service: ownTs.LanguageService;
  private resolutionCache: ownTs.ModuleResolutionCache;
  /** Packages apply adds to package.json: resolved from genie-fix's own install until the user installs them. */
  private readonly addedPackages = new Set<string>();
  private generation = 0;

  constructor(readonly root: string, extraFiles: string[]) {
    const { ts, version } = appTypeScript(root);
    this.ts = ts;
    this.tsVersion = version;
    const tsconfig = path.join(root, 'tsconfig.json');
    // No tsconfig: what `next dev` would write into one.
    const bundler = (ts.ModuleResolutionKind as unknown as Record<string, number | undefined>).Bundler;
    let options: ownTs.CompilerOptions = {
      allowJs: true,
      jsx: ts.JsxEmit.Preserve,
      esModuleInterop: true,
      skipLibCheck: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2017,
      lib: ['lib.dom.d.ts', 'lib.dom.iterable.d.ts', 'lib.esnext.d.ts'],
      module: ts.ModuleKind.ESNext,
      moduleResolution: bundler ?? ts.ModuleResolutionKind.NodeJs,
    };
    let names: string[] = [];
    if (fs.existsSync(tsconfig)) {
      const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, { noEmit: true }, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: () => undefined,
      } as ownTs.ParseConfigFileHost);
      if (parsed) {
        options = parsed.options;
        names = parsed.fileNames;
      }
    }
    // Diagnostics of libraries are not ours to judge; incremental output is never written.
    this.options = { ...options, noEmit: true, skipLibCheck: true, incremental: false, composite: false, tsBuildInfoFile: undefined };
    this.rootNames = [...new Set([...names.map((n) => path.resolve(n)), ...extraFiles])];
    this.resolutionCache = ts.createModuleResolutionCache(root, (s) => s, this.options);
    const self = this;
    const host: ownTs.LanguageServiceHost = {
      getCompilationSettings: () => self.options,
      getScriptFileNames: () => [...new Set([...self.rootNames, ...self.overlay.keys()])],
      getScriptVersion: (f) => String(self.overlay.get(path.resolve(f))?.version ?? 0),
      getScriptSnapshot: (f) => {
        const text = self.read(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => root,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => self.overlay.has(path.resolve(f)) || ts.sys.fileExists(f),
      readFile: (f) => self.read(f),
      readDirectory: ts.sys.readDirectory,
      directoryExists: (d) => self.directoryExists(d),
      getDirectories: ts.sys.getDirectories,
      realpath: (f) => (self.overlay.has(path.resolve(f)) ? f : ts.sys.realpath!(f)),
      useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
      getProjectVersion: () => String(self.generation),
      resolveModuleNames: (moduleNames, containingFile) => moduleNames.map((name) => self.resolve(name, containingFile)),
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  /** Folders exist in memory too: a template added to lib/genie/ creates its folder. */
  private directoryExists(dir: string): boolean {
    if (this.ts.sys.directoryExists(dir)) return true;
    const prefix = path.resolve(dir) + path.sep;
    for (const key of this.overlay.keys()) if (key.startsWith(prefix)) return true;
    return false;
  }

  private read(file: string): string | undefined {
    const own = this.overlay.get(path.resolve(file));
    if (own) return own.text;
    return this.ts.sys.readFile(file);
  }

  private resolve(name: string, containingFile: string): ownTs.ResolvedModuleFull | undefined {
    const ts = this.ts;
    const host: ownTs.ModuleResolutionHost = {
      fileExists: (f) => this.overlay.has(path.resolve(f)) || ts.sys.fileExists(f),
      readFile: (f) => this.read(f),
      directoryExists: (d) => this.directoryExists(d),
      realpath: (f) => (this.overlay.has(path.resolve(f)) ? f : ts.sys.realpath!(f)),
      getDirectories: ts.sys.getDirectories,
    };
    const pkg = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]!;
    if (!this.addedPackages.has(pkg)) return ts.resolveModuleName(name, containingFile, this.options, host, this.resolutionCache).resolvedModule;
    // A dependency apply itself adds is not installed in the app yet, or only as some other package's
    // dependency at another version (a hoisted p-queue 6 where apply adds ^9): check against the version
    // the user's install will bring, genie-fix's own, with a resolution mode that reads package.json
    // `exports` (ESM-only packages such as p-queue need it).
    try {
      const from = ownPackageJson(pkg);
      if (!from) throw new Error('not shipped');
      const kinds = [(ts.ModuleResolutionKind as unknown as Record<string, number | undefined>).Bundler, ts.ModuleResolutionKind.NodeNext, ts.ModuleResolutionKind.Node10 ?? 2].filter((k) => k !== undefined);
      for (const moduleResolution of kinds) {
        const module = moduleResolution === ts.ModuleResolutionKind.NodeNext ? ts.ModuleKind.NodeNext : ts.ModuleKind.ESNext;
        const r = ts.resolveModuleName(name, path.join(path.dirname(from), '..', '__genie__.ts'), { ...this.options, moduleResolution, module }, ts.sys).resolvedModule;
        if (r) return r;
      }
    } catch {
      // genie-fix does not ship it: whatever the app has installed, else the diagnostic will say so
    }
    return ts.resolveModuleName(name, containingFile, this.options, host, this.resolutionCache).resolvedModule;
  }

  addPackages(names: Iterable<string>): void {
    for (const n of names) this.addedPackages.add(n);
  }

  /** Replaces the in-memory text of files (absolute paths); `undefined` removes an added file again. */
  setTexts(texts: Map<string, string | undefined>): void {
    let changed = false;
    for (const [abs, text] of texts) {
      const key = path.resolve(abs);
      const current = this.overlay.get(key);
      if (text === undefined) {
        if (current) this.overlay.delete(key);
        changed ||= Boolean(current);
        continue;
      }
      if (current?.text === text) continue;
      if (!current && this.ts.sys.readFile(key) === text) continue;
      this.overlay.set(key, { text, version: (current?.version ?? 0) + 1 + this.generation });
      changed = true;
    }
    if (changed) {
      this.generation++;
      // A failed resolution cached before a template existed must not outlive it.
      this.resolutionCache = this.ts.createModuleResolutionCache(this.root, (f) => f, this.options);
    }
  }

  /** Diagnostics of one file as position-free keys, each with a printable form (first line: file:line). */
  diagnostics(abs: string): Array<{ key: DiagnosticKey; text: string }> {
    const ts = this.ts;
    const file = path.resolve(abs);
    if (!this.read(file)) return [];
    // A file outside the tsconfig's program (or an app without one) is checked as a root of its own.
    if (!this.rootNames.includes(file) && !this.overlay.has(file)) {
      this.rootNames = [...this.rootNames, file];
      this.generation++;
    }
    let diags: ownTs.Diagnostic[];
    try {
      diags = [...this.service.getSyntacticDiagnostics(file), ...this.service.getSemanticDiagnostics(file)];
    } catch (err) {
      // A checker crash cannot prove anything: treat it as a diagnostic so the edit is dropped.
      return [{ key: `crash ${String(err)}`, text: `type checker failed: ${err instanceof Error ? err.message : String(err)}` }];
    }
    const rel = path.relative(this.root, file).split(path.sep).join('/');
    return diags.map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : undefined;
      return { key: `TS${d.code} ${message}`, text: `${rel}${line ? `:${line}` : ''} TS${d.code}: ${message}` };
    });
  }
}

/** Diagnostics present in `after` beyond those in `before` (a multiset difference on position-free keys). */
export function addedDiagnostics(before: Array<{ key: string }>, after: Array<{ key: string; text: string }>): string[] {
  const counts = new Map<string, number>();
  for (const d of before) counts.set(d.key, (counts.get(d.key) ?? 0) + 1);
  const out: string[] = [];
  for (const d of after) {
    const n = counts.get(d.key) ?? 0;
    if (n > 0) counts.set(d.key, n - 1);
    else out.push(d.text);
  }
  return out;
}

/** True when the app's own dependencies are installed where Node would find them (the app or a parent folder). */
export function dependenciesInstalled(root: string): { installed: boolean; missing?: string } {
  const pkgPath = path.join(root, 'package.json');
  if (!fs.existsSync(pkgPath)) return { installed: true };
  let pkg: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  try {
    pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as typeof pkg;
  } catch {
    return { installed: true };
  }
  const wanted = ['next', 'typescript', '@prisma/client', 'react'].filter((d) => pkg.dependencies?.[d] ?? pkg.devDependencies?.[d]);
  const req = createRequire(pkgPath);
  for (const dep of wanted) {
    try {
      req.resolve(`${dep}/package.json`);
    } catch {
      return { installed: false, missing: dep };
    }
  }
  return { installed: true };
}
