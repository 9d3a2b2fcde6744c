/**
 * One codemod's edits, proven or dropped file by file. The prover holds the accepted state (every edit of the
 * codemods before this one that was proven); this codemod's edits are laid over it, and an edited file is
 * dropped when it, a template it imports, or a file that imports it gains a diagnostic.
 */
import path from 'node:path';
import { ts } from 'ts-morph';
import { makeResolver } from './browser-code.ts';
import { addedDiagnostics, type EditProver } from './prove.ts';
import { toRel } from './paths.ts';

export interface CodemodEdits {
  /** Source files this codemod changed: absolute path → text before it ran / after. */
  sources: Map<string, { before: string; after: string }>;
  /** TypeScript files it staged outside the project (templates): absolute path → text (undefined before). */
  staged: Map<string, { before: string | undefined; after: string }>;
}

export interface ProofOutcome {
  /** Edited files (absolute) that are not proven, each with the diagnostics the edit would add. */
  dropped: Map<string, string[]>;
}

const MAX_ROUNDS = 4;

/** Sources (app-relative) that import one of `targets`, found by a cheap text test and confirmed by resolution. */
function importersOf(root: string, currentText: Map<string, string>, targets: Set<string>): Set<string> {
  const rels = new Set(currentText.keys());
  const resolve = makeResolver(root, rels);
  const stems = [...targets].map((rel) => {
    const base = path.posix.basename(rel).replace(/\.[cm]?tsx?$/, '');
    return base === 'index' ? path.posix.basename(path.posix.dirname(rel)) : base;
  });
  const out = new Set<string>();
  for (const [rel, text] of currentText) {
    if (targets.has(rel) || !stems.some((s) => text.includes(s))) continue;
    for (const f of ts.preProcessFile(text, true, true).importedFiles) {
      const hit = resolve(rel, f.fileName);
      if (hit && targets.has(hit)) {
        out.add(rel);
        break;
      }
    }
  }
  return out;
}

export function proveCodemod(prover: EditProver, root: string, currentText: Map<string, string>, edits: CodemodEdits): ProofOutcome {
  const dropped = new Map<string, string[]>();
  const stagedTs = [...edits.staged].filter(([abs]) => /\.[cm]?tsx?$/.test(abs));
  const editedRels = new Set([...edits.sources.keys()].map((abs) => toRel(root, abs)));
  const importers = [...importersOf(root, currentText, editedRels)].map((rel) => path.join(root, rel));
  const checked = [...new Set([...edits.sources.keys(), ...importers, ...stagedTs.map(([abs]) => abs)])];

  const before = new Map(checked.map((abs) => [abs, prover.diagnostics(abs)]));
  let kept = new Map(edits.sources);
  for (let round = 0; round < MAX_ROUNDS && kept.size > 0; round++) {
    const overlay = new Map<string, string | undefined>();
    for (const [abs, { before: text }] of edits.sources) overlay.set(abs, kept.has(abs) ? kept.get(abs)!.after : text);
    for (const [abs, { after }] of stagedTs) overlay.set(abs, after);
    prover.setTexts(overlay);
    const blame = new Map<string, string[]>();
    for (const abs of checked) {
      const added = addedDiagnostics(before.get(abs) ?? [], prover.diagnostics(abs));
      if (added.length === 0) continue;
      // Who is to blame: the edited file itself, else the edited files it imports (or, for a template, that import it).
      const culprits = kept.has(abs) ? [abs] : culpritsFor(root, abs, kept, currentText, stagedTs.map(([a]) => a));
      for (const c of culprits.length ? culprits : [...kept.keys()]) blame.set(c, [...(blame.get(c) ?? []), ...added]);
    }
    if (blame.size === 0) return { dropped };
    for (const [abs, diags] of blame) {
      dropped.set(abs, diags);
      kept.delete(abs);
    }
    kept = new Map(kept);
  }
  // Still failing after every round, or nothing left: drop the rest too, and put the accepted state back.
  for (const abs of kept.keys()) dropped.set(abs, dropped.get(abs) ?? ['the edit could not be proven together with the others in its file set']);
  const restore = new Map<string, string | undefined>();
  for (const [abs, { before: text }] of edits.sources) restore.set(abs, text);
  for (const [abs, { before: text }] of stagedTs) restore.set(abs, text);
  prover.setTexts(restore);
  return { dropped };
}

function culpritsFor(root: string, abs: string, kept: Map<string, unknown>, currentText: Map<string, string>, templates: string[]): string[] {
  const rel = toRel(root, abs);
  const keptRels = new Map([...kept.keys()].map((k) => [toRel(root, k), k]));
  const resolve = makeResolver(root, new Set([...currentText.keys(), ...templates.map((t) => toRel(root, t))]));
  if (templates.includes(abs)) {
    // A template that fails to compile (an old TypeScript, say) takes down every edit that uses it.
    const stem = path.basename(abs).replace(/\.[cm]?tsx?$/, '');
    return [...keptRels].filter(([r]) => (currentText.get(r) ?? '').includes(`genie/${stem}`)).map(([, a]) => a);
  }
  const text = currentText.get(rel) ?? '';
  const out: string[] = [];
  for (const f of ts.preProcessFile(text, true, true).importedFiles) {
    const hit = resolve(rel, f.fileName);
    if (hit && keptRels.has(hit)) out.push(keptRels.get(hit)!);
  }
  return out;
}
