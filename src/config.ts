/**
 * The target config (`--config <file>`, JSON). Every field has a default that fits the sample app
 * (examples/genie-app) and the Genie routes, so `diagnose --url` alone works. Unknown keys are
 * errors, so a typo is named instead of silently ignored.
 */
import { z } from 'zod';
import { readJsonFlagFile } from './json-file.ts';
import { UsageError } from './errors.ts';
import { registerSecret } from './redact.ts';
import { checkTargetVersion, targetConfigFields } from './target/section.ts';

const route = z.string().regex(/^\//, 'must start with "/"');
const level = z.enum(['off', 'warn', 'error']);

const scenarioSettings = z
  .object({
    /** Expected values by metric name, one per rule of the preset (src/report/presets/default.json). */
    thresholds: z.record(z.string(), z.union([z.number(), z.boolean()])).default({}),
    /** Level by metric name; `off` ignores a check, `warn` reports without failing. */
    levels: z.record(z.string(), level).default({}),
  })
  .strict();

const account = z.object({ email: z.string().min(3), password: z.string().min(1) }).strict();

export const targetConfigSchema = z
  .object({
    routes: z
      .object({
        login: route.default('/api/auth/login'),
        profile: route.default('/api/user/profile'),
        tripsActive: route.default('/api/trips/active'),
        trips: route.default('/api/trips'),
        checklist: route.default('/api/checklist'),
        expenses: route.default('/api/expenses'),
        chat: route.default('/api/chat/stream'),
        health: route.default('/api/health'),
        /** upload-memory: `{token}` becomes a fresh random upload token. */
        upload: route.default('/api/passport/{token}/upload'),
      })
      .strict()
      .prefault({}),
    credentials: z
      .object({
        /** Seeded accounts: `{n}` is the account number, `{n:3}` the number padded to 3 digits. */
        accounts: z
          .object({
            email: z.string().includes('{n', { message: 'must contain {n} or {n:3}' }).default('user{n:3}@genie.test'),
            password: z.string().min(1).default('genie-pass-{n:3}'),
            first: z.number().int().min(0).default(1),
            count: z.number().int().min(1).max(100_000).default(120),
          })
          .strict()
          .prefault({}),
        /** Explicit accounts; used instead of the pattern when given. */
        list: z.array(account).min(1).optional(),
        /** A pre-made `Cookie` header ("session=…") used when logging in is not possible. */
        cookie: z.string().min(3).optional(),
      })
      .strict()
      .prefault({}),
    payloads: z
      .object({
        chatMessage: z.string().min(1).default('부산항 크루즈 터미널에서 승선 수속은 몇 시에 시작하나요?'),
        longReplyChars: z.number().int().min(1000).max(50_000_000).default(2_000_000),
        longReplyStreams: z.number().int().min(1).max(50).default(3),
        longReplyConcurrency: z.number().int().min(1).max(50).default(3),
        lostUpdateWriters: z.number().int().min(2).max(500).default(50),
        lostUpdateRetries: z.number().int().min(0).max(20).default(5),
        poolRounds: z.number().int().min(1).max(100).default(3),
        bruteForceAttempts: z.number().int().min(11).max(200).default(30),
        loginConcurrency: z.number().int().min(1).max(50).default(4),
        /** session-id: ids to collect from concurrent logins. */
        sessionIdSamples: z.number().int().min(2).max(5000).default(200),
        /** session-id: longest total wait on the login limiter's Retry-After. Units: ms. */
        sessionIdMaxWaitMs: z.number().int().min(0).max(600_000).default(65_000),
        /** cache-effectiveness: chats in the burst, and how many distinct questions they cycle through. */
        cacheChats: z.number().int().min(1).max(1000).default(60),
        cacheQuestions: z.number().int().min(1).max(5).default(3),
        /** cache-effectiveness: wait for PostgreSQL to publish its counters (it does so when a backend goes idle, within ~10 s). Units: ms. */
        cacheSettleMs: z.number().int().min(0).max(60_000).default(11_000),
        /** upload-memory: concurrent uploads and the size of each. Units: MB (MiB). */
        uploads: z.number().int().min(1).max(200).default(20),
        uploadMb: z.number().min(0.1).max(100).default(8),
      })
      .strict()
      .prefault({}),
    /** Units: milliseconds. */
    timeouts: z
      .object({
        requestMs: z.number().int().min(100).default(30_000),
        chatMs: z.number().int().min(100).default(60_000),
        longChatMs: z.number().int().min(100).default(120_000),
        scenarioMs: z.number().int().min(1000).default(150_000),
      })
      .strict()
      .prefault({}),
    scenarios: z
      .object({
        'pool-exhaustion': scenarioSettings.optional(),
        'gemini-429': scenarioSettings.optional(),
        'lost-update': scenarioSettings.optional(),
        'buffer-truncation': scenarioSettings.optional(),
        'shared-ip-login': scenarioSettings.optional(),
        'cache-effectiveness': scenarioSettings.optional(),
        'session-id': scenarioSettings.optional(),
        'upload-memory': scenarioSettings.optional(),
      })
      .strict()
      .prefault({}),
    /** The target description (src/target/schema.ts): request templates, session, lost-update races. */
    ...targetConfigFields,
  })
  .strict()
  .superRefine(checkTargetVersion);

export type TargetConfig = z.output<typeof targetConfigSchema>;
export type ScenarioSettings = z.output<typeof scenarioSettings>;

export interface Account {
  email: string;
  password: string;
}

/** Validates a parsed config object; every problem is listed, one line each, under a summary line. */
export function parseConfig(raw: unknown, source = 'config'): TargetConfig {
  const parsed = targetConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
      const keys = issue.code === 'unrecognized_keys' ? `: ${issue.keys.join(', ')}` : '';
      return `  ${path}: ${issue.message}${keys}`;
    });
    const n = lines.length;
    throw new UsageError(`invalid ${source}: ${n} problem${n === 1 ? '' : 's'}\n${lines.join('\n')}`);
  }
  registerConfigSecrets(parsed.data);
  return parsed.data;
}

export async function loadConfig(file?: string): Promise<TargetConfig> {
  if (!file) return parseConfig({});
  const raw = await readJsonFlagFile(file, '--config');
  return parseConfig(raw, `--config ${file}`);
}

function fill(template: string, n: number): string {
  return template.replace(/\{n(?::(\d+))?\}/g, (_, width?: string) => String(n).padStart(Number(width ?? 0), '0'));
}

/** How many distinct accounts the config offers. */
export function accountCount(config: TargetConfig): number {
  return config.credentials.list?.length ?? config.credentials.accounts.count;
}

/** The i-th account (0-based). */
export function accountAt(config: TargetConfig, i: number): Account {
  const list = config.credentials.list;
  if (list) return list[i % list.length] as Account;
  const { email, password, first, count } = config.credentials.accounts;
  const n = first + (i % count);
  return { email: fill(email, n), password: fill(password, n) };
}

/** Passwords and cookies from the config never reach output. */
function registerConfigSecrets(config: TargetConfig): void {
  registerSecret(config.credentials.cookie);
  for (const a of config.credentials.list ?? []) registerSecret(a.password);
  const { password, first, count } = config.credentials.accounts;
  // Pattern passwords: register the ones a run can use (bounded by the account count).
  for (let i = 0; i < Math.min(count, 1000); i++) registerSecret(fill(password, first + i));
  const cookieValue = config.credentials.cookie?.split(';').map((p) => p.split('=')[1]?.trim());
  for (const v of cookieValue ?? []) registerSecret(v);
}
