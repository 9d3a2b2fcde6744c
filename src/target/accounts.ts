/**
 * `diagnose --accounts <file>`: the accounts to log in with, kept out of the committed target
 * description. `{ "pattern": { "id": "user{n:3}", "password": "pass-{n:3}", "first": 1, "count": 120 } }`
 * or `{ "list": [{ "id": "…", "password": "…" }] }`; `id` fills whatever login field the app reads.
 */
import { z } from 'zod';
import { readJsonFlagFile } from '../json-file.ts';
import { UsageError } from '../errors.ts';
import { formatIssues } from './issues.ts';

const pattern = z
  .object({
    id: z.string().includes('{n', { message: 'must contain {n} or {n:3} (the account number)' }),
    password: z.string().min(1),
    first: z.number().int().min(0).default(1),
    count: z.number().int().min(1).max(100_000),
  })
  .strict();

const entry = z.object({ id: z.string().min(1), password: z.string().min(1) }).strict();

export const accountsFileSchema = z
  .object({ pattern: pattern.optional(), list: z.array(entry).min(1).optional() })
  .strict()
  .superRefine((v, ctx) => {
    if (!v.pattern === !v.list) ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of "pattern" or "list"' });
  });

export type AccountsFile = z.output<typeof accountsFileSchema>;

/** The config's `credentials` section equivalent to an accounts file (the config names the id `email`). */
export type CredentialsOverride =
  | { accounts: { email: string; password: string; first: number; count: number } }
  | { list: Array<{ email: string; password: string }> };

export function accountsToCredentials(file: AccountsFile): CredentialsOverride {
  if (file.pattern) {
    const { id, password, first, count } = file.pattern;
    return { accounts: { email: id, password, first, count } };
  }
  return { list: file.list!.map((a) => ({ email: a.id, password: a.password })) };
}

export function parseAccounts(raw: unknown, source: string): AccountsFile {
  const parsed = accountsFileSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(formatIssues(parsed.error.issues, source));
  return parsed.data;
}

export async function loadAccountsFile(file: string): Promise<AccountsFile> {
  const raw = await readJsonFlagFile(file, '--accounts');
  return parseAccounts(raw, `--accounts ${file}`);
}
