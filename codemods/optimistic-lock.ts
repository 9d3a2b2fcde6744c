import type { Codemod } from './types.ts';
import { emptyResult } from './ast.ts';
export const optimisticLock: Codemod = { id: 'optimistic-lock', title: 'x', prefilter: () => false, transform: () => emptyResult() };
