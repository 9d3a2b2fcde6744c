import type { Command } from 'commander';
import { notBuilt } from './not-built.ts';

export function register(program: Command): void {
  program.command('compare').description('(not built yet)').allowUnknownOption().allowExcessArguments().action(notBuilt('compare'));
}
