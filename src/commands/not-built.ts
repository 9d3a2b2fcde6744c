import { UsageError } from '../errors.ts';

/** Placeholder action for a command whose implementation has not landed yet: exit 2, say so. */
export function notBuilt(name: string): () => never {
  return () => {
    throw new UsageError(`the "${name}" command is not built yet in this version`);
  };
}
