/**
 * Type-checks a few in-memory files with a given TypeScript compiler (the repo's own, or an older one installed
 * under an alias), the way an app would compile a template: strict, DOM + ES2022 libs, no @types.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as TS from 'typescript';

export interface Diagnostic {
  file: string;
  line: number;
  code: number;
  message: string;
}

// lib.dom.d.ts alone takes seconds to parse: parsed once per compiler version and reused across programs.
const libCache = new Map<string, TS.SourceFile>();

export function diagnosticsOf(ts: typeof TS, files: Record<string, string>): Diagnostic[] {
  const options: TS.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.NodeJs,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    // The libs are the compiler's own: checking them again only costs time.
    skipLibCheck: true,
  };
  const root = '/virtual';
  const virtual = new Map(Object.entries(files).map(([name, text]) => [path.posix.join(root, name), text]));
  const host = ts.createCompilerHost(options);
  const libDir = path.dirname(ts.getDefaultLibFilePath(options));
  host.fileExists = (f) => virtual.has(f) || (f.startsWith(libDir) && fs.existsSync(f));
  host.readFile = (f) => virtual.get(f) ?? (f.startsWith(libDir) ? fs.readFileSync(f, 'utf8') : undefined);
  host.getSourceFile = (f, lang) => {
    const key = `${ts.version}:${f}`;
    const cached = f.startsWith(libDir) ? libCache.get(key) : undefined;
    if (cached) return cached;
    const text = host.readFile(f);
    if (text === undefined) return undefined;
    const sf = ts.createSourceFile(f, text, lang, true);
    if (f.startsWith(libDir)) libCache.set(key, sf);
    return sf;
  };
  host.getCurrentDirectory = () => root;
  host.directoryExists = (d) => d === root || [...virtual.keys()].some((f) => f.startsWith(`${d}/`)) || fs.existsSync(d);
  const program = ts.createProgram([...virtual.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    file: d.file ? path.posix.relative(root, d.file.fileName) : '',
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    code: d.code,
    message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
  }));
}
