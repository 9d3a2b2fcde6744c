/** JSON files named on the command line (--config, --accounts), read with the errors a user can act on. */
import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.ts';

/** The parsed JSON of `file`, given on the command line as `flag`; a UsageError names the flag and the cause. */
export async function readJsonFlagFile(file: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    // Editors on Windows save "UTF-8 with BOM"; JSON.parse rejects the invisible U+FEFF.
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError(`${flag} ${file} is not valid JSON: ${(err as Error).message}`);
  }
}
