/**
 * Facts about an app's handlers → the target description diagnose reads (src/target/schema.ts), each
 * entry with the file:line it came from, and `todo` (or an `unresolved` entry) where the code did not say.
 */
import path from 'node:path';
import type { RouteFile } from './discover.ts';
import { ID_FIELD, PASSWORD_FIELD, tokenPointer, type Counter, type HandlerFacts } from './facts.ts';
import type { BodyField } from './body.ts';

export interface AnalysedRoute extends RouteFile {
  handlers: HandlerFacts[];
}

type Json = Record<string, unknown>;
type Found = { route: AnalysedRoute; h: HandlerFacts };

const at = (f: Found) => `${f.route.file}:${f.h.line}`;
/** file:line of the Gemini call, relative to the app like every other source. */
function geminiAt(f: Found): string {
  const root = f.route.abs.slice(0, f.route.abs.length - f.route.file.length);
  return `${path.relative(root, f.h.gemini!.abs).split(path.sep).join('/')}:${f.h.gemini!.line}`;
}
const all = (routes: AnalysedRoute[]): Found[] => routes.flatMap((route) => route.handlers.map((h) => ({ route, h })));
const MESSAGE_FIELD = /^(?:message|messages|question|prompt|query|text|content|input|q)$/i;

/** A value for a body field the scenario has no meaning for: text with the run id, else a TODO. */
function filler(f: BodyField, todos: string[]): unknown {
  if (f.type === 'string' || (f.type === 'unknown' && !/id$/i.test(f.name))) return `genie-fix {{run}}`;
  if (f.type === 'boolean') return false;
  if (f.optional) return undefined;
  todos.push(`a value for "${f.name}" (${f.type})`);
  return f.type === 'number' ? 1 : 'TODO';
}

function jsonBody(fields: BodyField[], fixed: Record<string, unknown>, todos: string[]): Json | undefined {
  if (fields.length === 0 && Object.keys(fixed).length === 0) return undefined;
  const out: Json = {};
  for (const f of fields) {
    const v = f.name in fixed ? fixed[f.name] : filler(f, todos);
    if (v !== undefined) out[f.name] = v;
  }
  for (const [k, v] of Object.entries(fixed)) if (!(k in out)) out[k] = v;
  return out;
}

function withTodo<T extends Json>(entry: T, todos: string[]): T {
  return todos.length ? { ...entry, todo: `TODO: ${todos.join('; ')}` } : entry;
}

/** "/api/v1/tallies/{tallyId}/points" with captures for its params. */
const capturedPath = (urlPath: string) => urlPath.replace(/\{(\w+)\}/g, '{{capture.$1}}');

function login(routes: AnalysedRoute[], unresolved: Json[]): { login?: Json; session: Json; found?: Found } {
  const notSignup = (f: Found) => !/sign-?up|register|join/i.test(f.route.urlPath);
  let candidates = all(routes).filter((f) => f.h.method === 'POST' && f.h.checksPassword && notSignup(f));
  // A password checked somewhere init cannot follow: a POST reading a password on a login-like path.
  if (!candidates.length) candidates = all(routes).filter((f) => f.h.method === 'POST' && notSignup(f) && /login|sign-?in|session|auth|token/i.test(f.route.urlPath) && f.h.body.some((b) => PASSWORD_FIELD.test(b.name)));
  candidates.sort((a, b) => Number(/login|sign-?in|session|auth/i.test(b.route.urlPath)) - Number(/login|sign-?in|session|auth/i.test(a.route.urlPath)));
  const found = candidates[0];
  if (!found) {
    return { session: { kind: 'none', todo: 'TODO: no login route found (a POST that reads a password and checks it): requests go without a session; if the app needs one, describe target.login and target.session' } };
  }
  const todos: string[] = [];
  const idField = found.h.body.find((f) => ID_FIELD.test(f.name)) ?? found.h.body.find((f) => !PASSWORD_FIELD.test(f.name));
  const pwField = found.h.body.find((f) => PASSWORD_FIELD.test(f.name))!;
  if (!idField) todos.push('which body field names the account');
  const fixed: Json = { [pwField.name]: '{{account.password}}' };
  if (idField) fixed[idField.name] = '{{account.id}}';
  const loginEntry = withTodo({ method: 'POST', path: found.route.urlPath, json: jsonBody(found.h.body, fixed, todos), source: at(found) }, todos);
  const token = tokenPointer(found.h.answers);
  let session: Json;
  if (token) {
    const line = found.h.answers.find((a) => tokenPointer([a]))?.line ?? found.h.line;
    session = { kind: 'bearer', token, header: 'authorization', scheme: 'Bearer', source: `${found.route.file}:${line}` };
  } else if (found.h.setsCookie) {
    session = { kind: 'cookie', source: at(found) };
  } else {
    session = { kind: 'cookie', source: at(found), todo: 'TODO: the login answer sets no cookie and carries no token that I could find' };
  }
  return { login: loginEntry, session, found };
}

function reads(routes: AnalysedRoute[]): Json[] {
  // Reads the scenario can call as they are: no path parameter, no query parameter the handler insists on.
  const gets = all(routes).filter((f) => f.h.method === 'GET' && f.route.params.length === 0 && f.h.requiredQuery.length === 0 && f.h.dbReads.length > 0);
  const real = gets.filter((f) => f.h.dbReads.some((m) => m !== '$queryRaw'));
  const ranked = [...real.filter((f) => f.h.auth !== 'none'), ...real.filter((f) => f.h.auth === 'none')];
  const picked = (ranked.length ? ranked : gets).slice(0, 3);
  return picked.map((f) => ({ method: 'GET', path: f.route.urlPath, source: at(f) }));
}

const STREAM: Record<HandlerFacts['stream'], string> = { text: 'text', 'data-stream': 'data-stream', 'ui-message-stream': 'ui-message-stream', 'gemini-sse': 'gemini-sse', ndjson: 'ndjson', json: 'auto', unknown: 'auto' };

function chat(routes: AnalysedRoute[], unresolved: Json[]): Json | undefined {
  const withGemini = all(routes).filter((f) => f.h.gemini && f.h.method !== 'GET');
  withGemini.sort((a, b) => Number(b.h.stream !== 'json') - Number(a.h.stream !== 'json'));
  for (const f of withGemini.slice(1)) unresolved.push({ source: at(f), todo: `${f.h.method} ${f.route.urlPath} also calls Gemini (${geminiAt(f)}); diagnose chats through the first route only` });
  const found = withGemini[0];
  if (!found) return undefined;
  const todos: string[] = [];
  const messageField = found.h.body.find((b) => MESSAGE_FIELD.test(b.name)) ?? found.h.body.find((b) => b.type === 'string');
  if (!messageField) todos.push('which body field carries the user message');
  if (found.route.params.length) todos.push(`values for the path parameters ${found.route.params.join(', ')}`);
  if (found.h.stream === 'json') todos.push('the route answers JSON, not a stream: gemini-429 still counts failures, buffer-truncation cannot apply');
  if (found.h.stream === 'unknown') todos.push('how the reply streams back (streamFormat)');
  // A chat history (`messages`) gets one user message: AI SDK UI parts when the route converts them, else {role, content}.
  const asMessage = found.h.uiMessages ? [{ id: 'genie-{{vu}}', role: 'user', parts: [{ type: 'text', text: '{{message}}' }] }] : [{ role: 'user', content: '{{message}}' }];
  const value = messageField && /^messages$/i.test(messageField.name) ? asMessage : '{{message}}';
  const fixed = messageField ? { [messageField.name]: value } : { message: '{{message}}' };
  const request = { method: found.h.method, path: found.route.urlPath, json: jsonBody(found.h.body, fixed, todos), source: at(found) };
  // The entry's source is the Gemini call itself: the evidence that this route talks to Gemini.
  return withTodo({ request, streamFormat: STREAM[found.h.stream], source: geminiAt(found) }, todos);
}

function answerPointer(h: HandlerFacts, model: string, field: string): string | undefined {
  if (h.answers.some((a) => a.recordOf === model)) return `/${field}`;
  const keys = h.answers.flatMap((a) => a.keys);
  if (keys.includes(field)) return `/${field}`;
  const key = keys.find((k) => k.toLowerCase() === model.toLowerCase()) ?? keys.find((k) => model.toLowerCase().startsWith(k.toLowerCase())) ?? (keys.length === 1 ? keys[0] : undefined);
  return key ? `/${key}/${field}` : undefined;
}

function counterRace(routes: AnalysedRoute[], adjust: Found, c: Counter, unresolved: Json[]): Json | undefined {
  const fail = (why: string) => void unresolved.push({ source: `${adjust.route.file}:${c.line}`, todo: `TODO: ${c.model}.${c.field} is changed by read-modify-write (a lost-update counter), but ${why}` });
  const idName = c.id && ('param' in c.id ? c.id.param : c.id.field);
  if (!idName) return fail('I could not tell which record it writes to');
  const create = all(routes).find((f) => f.h.method === 'POST' && f.route.params.length === 0 && f.h.dbWrites.some((w) => w.op === 'create' && w.model === c.model));
  if (!create) return fail(`no route creates a ${c.model} for the race to write to`);
  const idPointer = answerPointer(create.h, c.model, 'id');
  if (!idPointer) return fail(`the create route's answer (${at(create)}) has no id I could find`);
  // The record read back: a GET of one record (its one path parameter is the id), else a GET with the id as a query.
  const gets = all(routes).filter((f) => f.h.method === 'GET' && f.h.dbReads.includes(c.model));
  const names = (f: Found) => f.h.answers.some((a) => a.recordOf === c.model || a.keys.some((k) => k.toLowerCase() === c.model.toLowerCase()));
  gets.sort((a, b) => Number(names(b)) - Number(names(a)));
  const readRoute = gets.find((f) => f.route.params.length === 1 && answerPointer(f.h, c.model, c.field)) ?? gets.find((f) => f.route.params.length === 0 && !('param' in c.id!) && answerPointer(f.h, c.model, c.field));
  const value = readRoute && answerPointer(readRoute.h, c.model, c.field);
  if (!readRoute || !value) return fail(`no GET route reads one ${c.model} back in a shape I could follow`);
  const todos: string[] = [];
  const createTodos: string[] = [];
  const adjustFixed: Json = {};
  if ('field' in c.delta) adjustFixed[c.delta.field] = '{{delta}}';
  if (!('param' in c.id!)) adjustFixed[idName] = `{{capture.${idName}}}`;
  const byParam = (urlPath: string) => urlPath.replace(/\{\w+\}/, `{{capture.${idName}}}`);
  const readPath = readRoute.route.params.length ? byParam(readRoute.route.urlPath) : `${readRoute.route.urlPath}?${idName}={{capture.${idName}}}`;
  const cleanup = all(routes).find((f) => f.h.method === 'DELETE' && f.route.urlPath === readRoute.route.urlPath && f.route.params.length === 1);
  return withTodo(
    {
      mode: 'counter',
      create: withTodo({ method: 'POST', path: create.route.urlPath, json: jsonBody(create.h.body, {}, createTodos), capture: { [idName]: idPointer }, source: at(create) }, createTodos),
      adjust: { method: adjust.h.method, path: capturedPath(adjust.route.urlPath), json: jsonBody(adjust.h.body, adjustFixed, todos), source: `${adjust.route.file}:${c.line}` },
      read: { method: 'GET', path: readPath, source: at(readRoute) },
      value,
      delta: 'fixed' in c.delta ? c.delta.fixed : 1,
      ...(cleanup ? { cleanup: { method: 'DELETE', path: byParam(cleanup.route.urlPath), source: at(cleanup) } } : {}),
      source: `${adjust.route.file}:${c.line}`,
    },
    todos,
  );
}

export interface Description {
  config: Json;
  /** One line per finding, for the command's output. */
  lines: string[];
}

export function describeApp(routes: AnalysedRoute[]): Description {
  const unresolved: Json[] = [];
  const lines: string[] = [];
  const { login: loginEntry, session, found: loginFound } = login(routes, unresolved);
  if (loginFound) lines.push(`login      POST ${loginFound.route.urlPath}  (${at(loginFound)}), session: ${String(session.kind)}${session.token ? ` token at ${String(session.token)}` : ''}`);
  const readEntries = reads(routes);
  for (const r of readEntries) lines.push(`db read    GET ${String(r.path)}  (${String(r.source)})`);
  const chatEntry = chat(routes, unresolved);
  if (chatEntry) lines.push(`gemini     ${String((chatEntry.request as Json).method)} ${String((chatEntry.request as Json).path)}  (calls Gemini at ${String(chatEntry.source)}), answers ${String(chatEntry.streamFormat)}`);
  const races: Json[] = [];
  for (const f of all(routes)) {
    if (f.h.counter) {
      const race = counterRace(routes, f, f.h.counter, unresolved);
      if (race) {
        races.push(race);
        lines.push(`counter    ${f.h.method} ${f.route.urlPath}: ${f.h.counter.model}.${f.h.counter.field} read-modify-write  (${String(race.source)})`);
      }
    } else if (f.h.otherRmw) {
      const what = f.h.otherRmw.arithmetic ? 'subtracts a request value from a value it read' : 'writes a value computed from one it read (not arithmetic)';
      unresolved.push({ source: `${f.route.file}:${f.h.otherRmw.line}`, todo: `TODO: ${f.h.method} ${f.route.urlPath} ${what} on ${f.h.otherRmw.model}: a read-modify-write init cannot describe as a counter race; add a "record" race by hand if it edits text` });
    }
  }
  const target: Json = { session, ...(loginEntry ? { login: loginEntry } : {}), accounts: { from: 'file' } };
  if (readEntries.length) target.reads = readEntries;
  else unresolved.push({ source: '(no route)', todo: 'TODO: no GET route without path parameters reads the database; pool-exhaustion needs one in target.reads' });
  if (chatEntry) target.chat = chatEntry;
  else unresolved.push({ source: '(no route)', todo: 'TODO: no route calls Gemini; gemini-429 and buffer-truncation need target.chat' });
  if (races.length) target.lostUpdate = races;
  if (unresolved.length) target.unresolved = unresolved;

  // The scenarios that still read `routes` get the same paths (one source: the entries above).
  const routesSection: Json = {};
  if (loginEntry) routesSection.login = loginEntry.path;
  const readPaths = readEntries.map((r) => r.path as string);
  if (readPaths.length) [routesSection.profile, routesSection.tripsActive, routesSection.checklist] = [0, 1, 2].map((i) => readPaths[i % readPaths.length]);
  if (chatEntry) routesSection.chat = (chatEntry.request as Json).path;
  if (routes.some((r) => r.urlPath === '/api/health')) routesSection.health = '/api/health';
  for (const u of unresolved) lines.push(`unresolved ${String(u.source)}: ${String(u.todo)}`);
  return { config: { version: 1, routes: routesSection, target }, lines };
}
