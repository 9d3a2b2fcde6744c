import type { z } from 'zod';

/** One line per problem, each naming its field, under a summary line (the config's error format). */
export function formatIssues(issues: readonly z.core.$ZodIssue[], source: string): string {
  const lines = issues.map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
    const keys = issue.code === 'unrecognized_keys' ? `: ${issue.keys.join(', ')}` : '';
    return `  ${path}: ${issue.message}${keys}`;
  });
  const n = lines.length;
  return `invalid ${source}: ${n} problem${n === 1 ? '' : 's'}\n${lines.join('\n')}`;
}
