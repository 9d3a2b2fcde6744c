/**
 * The database-backed reads pool-exhaustion sends: the target description's `reads` (requests with {{vu}} and
 * {{run}} placeholders) when the config has a description, else GET routes.profile, routes.tripsActive and
 * routes.checklist, the sample app's shape. A description without reads names nothing to measure.
 */
import { randomBytes } from 'node:crypto';
import type { TargetConfig } from '../src/config.ts';
import type { RequestOptions } from '../src/load/http.ts';
import { fill, fillPath } from '../src/target/placeholders.ts';

export interface ReadCall {
  /** "GET /api/user/profile" as the config names it, for evidence and messages. */
  label: string;
  path: string;
  request: Pick<RequestOptions, 'method' | 'json' | 'headers'>;
}

export type ReadRequests = { calls: (vu: number) => ReadCall[]; labels: string[] } | { skip: string };

export function readRequests(config: TargetConfig): ReadRequests {
  const described = config.target;
  if (!described) {
    const routes = [config.routes.profile, config.routes.tripsActive, config.routes.checklist];
    const calls = routes.map((path) => ({ label: `GET ${path}`, path, request: {} }));
    return { calls: () => calls, labels: calls.map((c) => c.label) };
  }
  const reads = described.reads ?? [];
  if (reads.length === 0) {
    return { skip: 'the target description names no database-backed read (target.reads); genie-fix init lists the GET routes without path parameters that read the database' };
  }
  const run = randomBytes(4).toString('hex');
  return {
    labels: reads.map((r) => `${r.method} ${r.path}`),
    calls: (vu) =>
      reads.map((r) => {
        const vars = { vu, run };
        return {
          label: `${r.method} ${r.path}`,
          path: fillPath(r.path, vars),
          request: { method: r.method, json: r.json === undefined ? undefined : fill(r.json, vars), headers: r.headers ? fill(r.headers, vars) : undefined },
        };
      }),
  };
}
