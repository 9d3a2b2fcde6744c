import { loadConfig, type TargetConfig } from '../config.ts';
import { registerSecret } from '../redact.ts';
import { accountsToCredentials, loadAccountsFile } from './accounts.ts';

function fillNumber(template: string, n: number): string {
  return template.replace(/\{n(?::(\d+))?\}/g, (_, width?: string) => String(n).padStart(Number(width ?? 0), '0'));
}

/** `--config` plus `--accounts`: the accounts file replaces whatever accounts the config names. */
export async function loadTargetConfig(configFile?: string, accountsFile?: string): Promise<TargetConfig> {
  const config = await loadConfig(configFile);
  if (!accountsFile) return config;
  const override = accountsToCredentials(await loadAccountsFile(accountsFile));
  if ('list' in override) {
    for (const a of override.list) registerSecret(a.password);
    return { ...config, credentials: { ...config.credentials, list: override.list } };
  }
  const { password, first, count } = override.accounts;
  // Pattern passwords: the ones a run can use (bounded by the account count), as the config does.
  for (let i = 0; i < Math.min(count, 1000); i++) registerSecret(fillNumber(password, first + i));
  return { ...config, credentials: { ...config.credentials, list: undefined, accounts: override.accounts } };
}
