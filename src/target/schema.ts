/**
 * The target description: how diagnose talks to an app it has never seen. Each request is a
 * template (method, path, headers, JSON body with placeholders, values to capture from the answer);
 * the session says how a logged-in user is carried; the lost-update races say what to write
 * concurrently and how to read the result back. `genie-fix init` writes it from the app's source,
 * with `source` (file:line) on each entry and `todo` where it could not tell.
 *
 * Credentials never live here: accounts come from `diagnose --accounts <file>`, a pre-made session
 * header from an environment variable.
 */
import { z } from 'zod';
import { STREAM_FORMATS as READABLE_STREAM_FORMATS } from '../load/formats/parts.ts';
import { JSON_POINTER } from './json-pointer.ts';
import { placeholderProblem, placeholdersIn, type PlaceholderRoot } from './placeholders.ts';

export const TARGET_VERSION = 1;

const pointer = z.string().regex(JSON_POINTER, 'must be a JSON pointer such as "/token" or "/tally/points"');
const captureName = z.string().regex(/^[A-Za-z_]\w*$/, 'capture names are letters, digits and "_"');
/** Where init found it (file:line), and what it could not tell. */
const origin = { source: z.string().optional(), todo: z.string().optional() };

export const requestSchema = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    /** May hold placeholders: "/api/v1/tallies/{{capture.tallyId}}/points". */
    path: z.string().regex(/^\//, 'must start with "/"'),
    headers: z.record(z.string(), z.string()).optional(),
    /** The JSON body, with placeholders in its strings. */
    json: z.unknown().optional(),
    /** Values to keep from the JSON answer, by JSON pointer: { "tallyId": "/tally/id" }. */
    capture: z.record(captureName, pointer).optional(),
    ...origin,
  })
  .strict();

export const sessionSchema = z.discriminatedUnion('kind', [
  /** The app has no login: requests go without a session. */
  z.object({ kind: z.literal('none'), ...origin }).strict(),
  /** The login answer sets a cookie; the cookie jar carries it. */
  z.object({ kind: z.literal('cookie'), ...origin }).strict(),
  /** The login answer carries a token in its JSON; requests send `<header>: <scheme> <token>`. */
  z
    .object({
      kind: z.literal('bearer'),
      token: pointer,
      header: z.string().min(1).default('authorization'),
      scheme: z.string().default('Bearer'),
      ...origin,
    })
    .strict(),
  /** No login: a pre-made header whose value is read from an environment variable (never stored here). */
  z
    .object({
      kind: z.literal('header'),
      name: z.string().min(1),
      fromEnv: z.string().regex(/^[A-Za-z_]\w*$/, 'must be an environment variable name'),
      ...origin,
    })
    .strict(),
]);

export const accountsSchema = z.discriminatedUnion('from', [
  /** `diagnose --accounts <file>` (a pattern or a list); without it, credentials in the config. */
  z.object({ from: z.literal('file'), ...origin }).strict(),
  /** Accounts made for the run through the app's own sign-up route ({{account.id}}, {{account.password}} generated). */
  z.object({ from: z.literal('signup'), request: requestSchema, ...origin }).strict(),
]);

/** `auto`: detect from the response; otherwise one of the formats the chat reader knows (one list, src/load/formats/parts.ts). */
export const STREAM_FORMATS = ['auto', ...READABLE_STREAM_FORMATS] as const;

export const chatSchema = z
  .object({
    request: requestSchema,
    streamFormat: z.enum(STREAM_FORMATS).default('auto'),
    /** Reply texts that mean the AI failed even with HTTP 200 (regular expressions). */
    fallbackPatterns: z.array(z.string().min(1)).default([]),
    ...origin,
  })
  .strict();

const counterRace = z
  .object({
    mode: z.literal('counter'),
    /** Makes the counter the race writes to (its answer's captures feed the other requests). */
    create: requestSchema.optional(),
    /** One concurrent write: sends {{delta}}, or (a route that adds a fixed amount) sends none and delta says the amount. */
    adjust: requestSchema,
    /** Reads the counter back. */
    read: requestSchema,
    /** Where the counter's value is in the read answer. */
    value: pointer,
    delta: z.number().int().refine((d) => d !== 0, 'must not be 0').default(1),
    /** Removes what create made. */
    cleanup: requestSchema.optional(),
    ...origin,
  })
  .strict();

const recordRace = z
  .object({
    mode: z.literal('record'),
    create: requestSchema,
    /** Reads the record (its captures, e.g. a version, feed update). */
    read: requestSchema,
    /** Where the record's text is in the read answer. */
    text: pointer,
    /** Writes {{edit}} (the text as read plus this writer's marker). */
    update: requestSchema,
    cleanup: requestSchema.optional(),
    ...origin,
  })
  .strict();

export const raceSchema = z.discriminatedUnion('mode', [counterRace, recordRace]);

export const targetSchema = z
  .object({
    session: sessionSchema,
    /** Required unless the session is a pre-made header or none. */
    login: requestSchema.optional(),
    accounts: accountsSchema.prefault({ from: 'file' }),
    /** pool-exhaustion: database-backed reads, sent with a session. */
    reads: z.array(requestSchema).min(1).optional(),
    /** gemini-429 and buffer-truncation. */
    chat: chatSchema.optional(),
    lostUpdate: z.array(raceSchema).min(1).optional(),
    /** What init found but could not describe (file:line and why); diagnose ignores these. */
    unresolved: z.array(z.object({ source: z.string(), todo: z.string() }).strict()).optional(),
  })
  .strict()
  // Runs even when other fields are malformed, so one pass names every problem (checkTemplates reads defensively).
  .superRefine((t, ctx) => checkTemplates(t as unknown as Loose, ctx), { when: (payload) => isObject(payload.value) });

export type RequestTemplate = z.output<typeof requestSchema>;
export type SessionSpec = z.output<typeof sessionSchema>;
export type ChatSpec = z.output<typeof chatSchema>;
export type Race = z.output<typeof raceSchema>;
export type CounterRace = Extract<Race, { mode: 'counter' }>;
export type RecordRace = Extract<Race, { mode: 'record' }>;
export type TargetDescription = z.output<typeof targetSchema>;

type Ctx = z.RefinementCtx;
const ACCOUNT: PlaceholderRoot[] = ['account.id', 'account.password', 'run', 'vu'];

type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const asRequest = (v: unknown): RequestTemplate | undefined => (isObject(v) && typeof v.path === 'string' ? (v as RequestTemplate) : undefined);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Checks one request's placeholders and records the names it captures. */
function checkRequest(ctx: Ctx, value: unknown, at: Array<string | number>, allowed: PlaceholderRoot[], captured: Set<string>, needs?: string): void {
  const req = asRequest(value);
  if (!req) return;
  const uses = [
    ...placeholdersIn(req.path).map((u) => ({ ...u, at: 'path' })),
    ...placeholdersIn(req.headers ?? {}, 'headers'),
    ...placeholdersIn(req.json, 'json'),
  ];
  for (const use of uses) {
    const problem = placeholderProblem(use.name, allowed, captured);
    if (problem) ctx.addIssue({ code: 'custom', path: [...at, ...use.at.split('.').filter(Boolean)], message: problem });
  }
  if (needs && !uses.some((u) => u.name === needs)) {
    ctx.addIssue({ code: 'custom', path: at, message: `must use {{${needs}}} somewhere (path or json)` });
  }
  for (const name of Object.keys(isObject(req.capture) ? req.capture : {})) captured.add(name);
}

function checkTemplates(t: Loose, ctx: Ctx): void {
  const session = isObject(t.session) ? t.session : {};
  if (typeof session.kind === 'string' && session.kind !== 'header' && session.kind !== 'none' && t.login === undefined) {
    ctx.addIssue({ code: 'custom', path: ['login'], message: `required with a ${session.kind} session (the request that logs an account in)` });
  }
  checkRequest(ctx, t.login, ['login'], ACCOUNT, new Set(), 'account.id');
  const accounts = isObject(t.accounts) ? t.accounts : {};
  if (accounts.from === 'signup') checkRequest(ctx, accounts.request, ['accounts', 'request'], ACCOUNT, new Set(), 'account.id');
  asArray(t.reads).forEach((r, i) => checkRequest(ctx, r, ['reads', i], ['run', 'vu'], new Set()));
  const chat = isObject(t.chat) ? t.chat : {};
  checkRequest(ctx, chat.request, ['chat', 'request'], ['message', 'run', 'vu'], new Set(), 'message');
  asArray(chat.fallbackPatterns).forEach((p, i) => {
    if (typeof p !== 'string') return;
    try {
      new RegExp(p);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['chat', 'fallbackPatterns', i], message: `not a regular expression: ${(err as Error).message}` });
    }
  });
  asArray(t.lostUpdate).forEach((value, i) => {
    if (!isObject(value)) return;
    const race = value;
    const captured = new Set<string>();
    const base: PlaceholderRoot[] = ['run', 'capture'];
    checkRequest(ctx, race.create, ['lostUpdate', i, 'create'], ['run'], captured);
    checkRequest(ctx, race.read, ['lostUpdate', i, 'read'], base, captured);
    if (race.mode === 'counter') checkRequest(ctx, race.adjust, ['lostUpdate', i, 'adjust'], [...base, 'vu', 'delta'], captured);
    if (race.mode === 'record') checkRequest(ctx, race.update, ['lostUpdate', i, 'update'], [...base, 'vu', 'edit'], captured, 'edit');
    checkRequest(ctx, race.cleanup, ['lostUpdate', i, 'cleanup'], base, captured);
  });
}
