import type { Codemod } from './types.ts';
import { emptyResult } from './ast.ts';
export const rateLimiter: Codemod = { id: 'rate-limiter', title: 'Login attempts keyed by IP + account', prefilter: () => false, transform: () => emptyResult() };
