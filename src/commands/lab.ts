import type { Command } from 'commander';
import { notBuilt } from './not-built.ts';

export function register(program: Command): void {
  program.command('lab').description('(not built yet)').allowUnknownOption().allowExcessArguments().action(notBuilt('lab'));
}
