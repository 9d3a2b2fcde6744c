/**
 * Which route files the user opted in to version-checked blind writes: `--version-check <paths or globs…>`
 * (app-relative, e.g. `app/api/checklist/route.ts`, or globs with `*` / `**`) or a `// genie-fix: version-check`
 * comment in the file. A blind write is only safe to version-check when the app's clients send back the
 * version they read; genie-fix cannot see the clients, so the user says so.
 */
import type { CodemodContext } from '../types.ts';

const MARKER_RE = /\/\/\s*genie-fix:\s*version-check\b/;

export interface OptIn {
  /** True when this file is opted in, by the option or by its own marker comment. */
  covers(relPath: string, text: string): boolean;
  /** Patterns of the option that matched no file passed to `covers` (reported, never silently ignored). */
  unmatched(): string[];
}

export function optInFrom(options: CodemodContext['options']): OptIn {
  const raw = options.versionCheck;
  const patterns = (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).map((p) => p.trim().replace(/^\.\//, '')).filter(Boolean);
  const matchers = patterns.map((p) => ({ pattern: p, re: globToRegExp(p), hit: false }));
  return {
    covers(relPath, text) {
      let covered = MARKER_RE.test(text);
      for (const m of matchers) {
        if (!m.re.test(relPath)) continue;
        m.hit = true;
        covered = true;
      }
      return covered;
    },
    unmatched: () => matchers.filter((m) => !m.hit).map((m) => m.pattern),
  };
}

/** `*` within a path segment, `**` across segments, `?` one character; everything else literal (`[id]` too). */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more whole segments.
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
