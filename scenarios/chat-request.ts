/**
 * Where and how the chat scenarios send a message: the target description's chat request (a
 * template with {{message}}, {{vu}}, {{run}}) when the config has one, else POST {message} to
 * routes.chat, the sample app's shape. The session (cookie or bearer header) rides in the jar.
 */
import { randomBytes } from 'node:crypto';
import type { TargetConfig } from '../src/config.ts';
import type { ChatOptions } from '../src/load/stream.ts';
import { fill, fillPath } from '../src/target/placeholders.ts';
import type { ScenarioOutcome } from './types.ts';

export interface ChatCall {
  path: string;
  request?: ChatOptions['request'];
}

export interface ChatCaller {
  /** "POST /api/chat/stream" as the config names it, for messages. */
  label: string;
  /** Where to change it when the route is wrong. */
  configKey: string;
  call(message: string, vu: number): ChatCall;
}

/**
 * The chat scenarios skip on a target description that names no chat request: genie-fix does not know the app's
 * chat (or it has none), and the sample app's route would only measure 404s.
 */
export function skippedWithoutChat(config: TargetConfig): ScenarioOutcome | undefined {
  if (!config.target || config.target.chat) return undefined;
  const reason = 'the target description names no chat request (target.chat): genie-fix init found no route that calls Gemini; describe one to measure it';
  return { metrics: {}, evidence: [], unmeasured: { verdict: 'skip', reason } };
}

export function chatCaller(config: TargetConfig): ChatCaller {
  const template = config.target?.chat?.request;
  if (!template) {
    return { label: `POST ${config.routes.chat}`, configKey: 'routes.chat', call: () => ({ path: config.routes.chat }) };
  }
  const run = randomBytes(4).toString('hex');
  return {
    label: `${template.method} ${template.path}`,
    configKey: 'target.chat.request',
    call: (message, vu) => {
      const vars = { message, vu, run };
      return {
        path: fillPath(template.path, vars),
        request: {
          method: template.method,
          json: template.json === undefined ? undefined : fill(template.json, vars),
          headers: template.headers ? fill(template.headers, vars) : undefined,
        },
      };
    },
  };
}
