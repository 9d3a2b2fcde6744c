/** Sends one request template: placeholders filled, the session carried by the jar, captures taken from the JSON answer. */
import type { CookieJar } from '../load/cookies.ts';
import { parseJson, type HttpClient, type HttpResult } from '../load/http.ts';
import { getPointer } from './json-pointer.ts';
import { fill, fillPath, type Vars } from './placeholders.ts';
import type { RequestTemplate } from './schema.ts';

export interface Sent {
  res: HttpResult;
  /** The parsed JSON answer, when it was JSON. */
  json: unknown;
  /** Values the template's `capture` asked for (missing ones are absent). */
  captured: Record<string, unknown>;
  /** "POST /api/v1/tallies" as sent, for messages. */
  label: string;
}

export async function sendTemplate(client: HttpClient, req: RequestTemplate, vars: Vars, jar: CookieJar | undefined, timeoutMs: number): Promise<Sent> {
  const path = fillPath(req.path, vars);
  const res = await client.request(path, {
    method: req.method,
    json: req.json === undefined ? undefined : fill(req.json, vars),
    headers: req.headers ? fill(req.headers, vars) : undefined,
    jar,
    timeoutMs,
  });
  const parsed = res.text ? parseJson(res) : undefined;
  const json = parsed?.ok ? parsed.value : undefined;
  const captured: Record<string, unknown> = {};
  for (const [name, pointer] of Object.entries(req.capture ?? {})) {
    const v = getPointer(json, pointer);
    if (v !== undefined) captured[name] = v;
  }
  return { res, json, captured, label: `${req.method} ${path}` };
}

/** Throws with what the answer was when a setup request (create, read) did not succeed. */
export function mustSucceed(sent: Sent, what: string): Sent {
  const { res } = sent;
  if (res.status === 0) throw new Error(`${what} ${sent.label}: ${res.errorClass} (${res.errorMessage ?? ''})`);
  if (res.status < 200 || res.status >= 300) throw new Error(`${what} ${sent.label} answered HTTP ${res.status}: ${res.text.slice(0, 160)}`);
  if (sent.json === undefined) throw new Error(`${what} ${sent.label} answered non-JSON (${res.contentType || 'no content-type'}): ${res.text.slice(0, 120)}`);
  return sent;
}
