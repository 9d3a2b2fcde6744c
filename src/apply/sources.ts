/**
 * The app's sources as apply sees them: read once, parsed only when a codemod's text tests say it needs them (a
 * parse costs ~100× a regex), each parse shared by every codemod after it. A file that does not parse is left out
 * by name and never touched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Project, ts, type SourceFile } from 'ts-morph';
import type { Codemod } from '../../codemods/types.ts';

export interface Unparsable {
  path: string;
  reason: string;
}

/**
 * The tsconfig's compiler options, read the way ts-morph's `tsConfigFilePath` reads them, without listing the files
 * it includes: that glob walks the whole app (half a second on a large one) and apply never uses the list.
 */
function compilerOptionsOf(tsconfig: string): ts.CompilerOptions {
  const json = ts.parseConfigFileTextToJson(tsconfig, fs.readFileSync(tsconfig, 'utf8'));
  if (json.error) throw new Error(ts.flattenDiagnosticMessageText(json.error.messageText, '\n'));
  const host: ts.ParseConfigHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    readDirectory: () => [],
    fileExists: (f) => ts.sys.fileExists(f),
    readFile: (f) => ts.sys.readFile(f),
  };
  return ts.parseJsonConfigFileContent(json.config, host, path.dirname(tsconfig), undefined, tsconfig).options;
}

export function createProject(root: string): Project {
  const tsconfig = path.join(root, 'tsconfig.json');
  return fs.existsSync(tsconfig)
    ? new Project({ compilerOptions: compilerOptionsOf(tsconfig), skipFileDependencyResolution: true })
    : new Project({ compilerOptions: { allowJs: true, jsx: ts.JsxEmit.ReactJSX }, skipFileDependencyResolution: true });
}

function parseError(sf: SourceFile): string | undefined {
  // The parser's own diagnostics: no Program, no type checker, so a broken file costs one parse.
  const diags = (sf.compilerNode as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  const first = diags[0];
  if (!first) return undefined;
  const where = first.start !== undefined ? sf.getLineAndColumnAtPos(first.start) : undefined;
  return `${ts.flattenDiagnosticMessageText(first.messageText, '\n')}${where ? ` (line ${where.line})` : ''}`;
}

export class SourceSet {
  /** abs → text before any codemod, for every file parsed (only those can change). */
  readonly original = new Map<string, string>();
  readonly unparsable: Unparsable[] = [];
  private readonly parsed = new Map<string, SourceFile | null>(); // rel → file, null when it does not parse

  constructor(
    readonly root: string,
    readonly project: Project,
    /** Every source (app-relative) with its text on disk; `codemodSources` are the ones server codemods may see. */
    readonly all: ReadonlyArray<{ rel: string; text: string }>,
    readonly codemodSources: ReadonlyArray<{ rel: string; text: string }>,
  ) {}

  /** The text now: with the edits of the codemods that ran, when the file was parsed. */
  textOf(source: { rel: string; text: string }): string {
    return this.parsed.get(source.rel)?.getFullText() ?? source.text;
  }

  /** Every source's current text (app-relative path → text), for the proof's importer search. */
  currentTexts(): Map<string, string> {
    return new Map(this.all.map((s) => [s.rel, this.textOf(s)]));
  }

  private load({ rel, text }: { rel: string; text: string }): SourceFile | null {
    const known = this.parsed.get(rel);
    if (known !== undefined) return known;
    const abs = path.join(this.root, rel);
    // createSourceFile(…, { overwrite: true }) parses a file that exists on disk twice: ts-morph first reads and
    // parses the disk copy, then replaces it with the given text. The text was read from that very file, so it is
    // added from disk, parsed once. A file with a BOM keeps the old path (only ts-morph's disk path strips it), and
    // so does one that changed on disk since it was read.
    let sf = text.startsWith('\uFEFF') ? undefined : this.project.addSourceFileAtPathIfExists(abs);
    if (sf?.getFullText() !== text) sf = this.project.createSourceFile(abs, text, { overwrite: true });
    const problem = parseError(sf);
    if (problem) {
      this.unparsable.push({ path: rel, reason: problem });
      this.project.removeSourceFile(sf);
      this.parsed.set(rel, null);
      return null;
    }
    this.original.set(abs, text);
    this.parsed.set(rel, sf);
    return sf;
  }

  /**
   * The files a codemod runs on: those passing its prefilter, parsed. With an anchor, the files passing the
   * anchor's text test are parsed and tested first; when none passes, the codemod has nothing to do and the rest
   * are never parsed (`files` is empty, `scanned` counts what was looked at).
   */
  filesFor(codemod: Codemod): { files: SourceFile[]; scanned: number } {
    const kept = this.codemodSources.filter((s) => codemod.prefilter(this.textOf(s), s.rel));
    const parse = (list: typeof kept) => list.map((s) => this.load(s)).filter((sf): sf is SourceFile => sf !== null);
    const anchor = codemod.anchor;
    if (anchor) {
      const anchors = parse(kept.filter((s) => anchor.text(this.textOf(s), s.rel)));
      if (!anchors.some((sf) => anchor.file(sf))) return { files: [], scanned: anchors.length };
    }
    const files = parse(kept);
    return { files, scanned: files.length };
  }
}
