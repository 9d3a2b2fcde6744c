/**
 * Placeholders in request templates: `{{account.id}}`, `{{capture.tallyId}}`, `{{run}}`, … A string
 * that is exactly one placeholder takes the value's own type (`"{{delta}}"` → 5, not "5"), so a JSON
 * body keeps numbers numbers; inside a longer string the value is spliced as text.
 */

/** The placeholder roots a template may use, and what each one is. */
export const PLACEHOLDERS = {
  'account.id': 'the account identifier (fills whatever login field the app reads: email, username, …)',
  'account.password': 'the account password',
  run: 'an id unique to this diagnose run (letters and digits)',
  vu: 'the virtual user number (0-based)',
  delta: 'lost-update counter mode: the amount each write adds',
  edit: 'lost-update record mode: the record text as read, with this writer\'s marker appended',
  message: 'the chat message the scenario sends',
  'capture.*': 'a value captured from an earlier response (see "capture")',
} as const;

export type PlaceholderRoot = Exclude<keyof typeof PLACEHOLDERS, 'capture.*'> | 'capture';

const TOKEN = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z_][\w.]*)\s*\}\}$/;

export interface PlaceholderUse {
  /** Where in the template, as a dotted path below it (`json.username`). */
  at: string;
  name: string;
}

/** Every placeholder a template (string, object, array) uses, with where it sits. */
export function placeholdersIn(value: unknown, at = ''): PlaceholderUse[] {
  if (typeof value === 'string') return [...value.matchAll(TOKEN)].map((m) => ({ at, name: m[1]! }));
  const join = (k: string | number) => (at ? `${at}.${k}` : String(k));
  if (Array.isArray(value)) return value.flatMap((v, i) => placeholdersIn(v, join(i)));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [...placeholdersIn(k, join(k)), ...placeholdersIn(v, join(k))]);
  }
  return [];
}

/** Why `name` may not be used where only `allowed` roots are known (capture names need `captured`); undefined when fine. */
export function placeholderProblem(name: string, allowed: readonly PlaceholderRoot[], captured: ReadonlySet<string>): string | undefined {
  if (name.startsWith('capture.')) {
    const key = name.slice('capture.'.length);
    if (!allowed.includes('capture')) return `{{${name}}}: no captured values are available here`;
    if (!captured.has(key)) {
      const known = [...captured];
      return `{{${name}}}: nothing captures "${key}" before this request${known.length ? ` (captured: ${known.join(', ')})` : ''}`;
    }
    return undefined;
  }
  if ((allowed as readonly string[]).includes(name)) return undefined;
  const usable = allowed.map((r) => (r === 'capture' ? 'capture.<name>' : r)).join(', ');
  return `{{${name}}} is not known here; use one of: ${usable}`;
}

export type Vars = Record<string, unknown>;

function lookup(vars: Vars, name: string): unknown {
  if (name in vars) return vars[name];
  throw new Error(`template placeholder {{${name}}} has no value`);
}

/** Fills a template; strings that are exactly one placeholder keep the value's type. */
export function fill<T>(template: T, vars: Vars): T {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    if (whole) return lookup(vars, whole[1]!) as T;
    return template.replace(TOKEN, (_, name: string) => String(lookup(vars, name))) as T;
  }
  if (Array.isArray(template)) return template.map((v) => fill(v, vars)) as T;
  if (template && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [fill(k, vars), fill(v, vars)])) as T;
  }
  return template;
}

/** Fills a path template; values are URL-encoded as one path segment or query value each. */
export function fillPath(template: string, vars: Vars): string {
  return template.replace(TOKEN, (_, name: string) => encodeURIComponent(String(lookup(vars, name))));
}

/** Vars for `capture.*` placeholders from a captured-values map. */
export function captureVars(captured: Record<string, unknown>): Vars {
  return Object.fromEntries(Object.entries(captured).map(([k, v]) => [`capture.${k}`, v]));
}
