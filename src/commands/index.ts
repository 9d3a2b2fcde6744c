import type { Command } from 'commander';
import { register as diagnose } from './diagnose.ts';
import { register as apply } from './apply.ts';
import { register as compare } from './compare.ts';
import { register as lab } from './lab.ts';
import { register as demo } from './demo.ts';
import { register as mockGemini } from './mock-gemini.ts';
import { register as exportScripts } from './export.ts';
import { register as init } from './init.ts';

/** Every command, in the order `--help` lists them. */
export const commands: Array<(program: Command) => void> = [init, diagnose, apply, compare, lab, demo, mockGemini, exportScripts];
