/**
 * Optimistic concurrency for read-modify-write routes (checklist, expenses): a guarded `updateMany` whose
 * `count === 0` means someone else wrote first, a bounded retry of the whole read-modify-write, and a 409.
 * The memo's fix was wrong: reading `updatedAt` and writing in the same request only narrows the window; the guard
 * must be the version the client or the read-modify-write started from, then retry or answer 409.
 */

/**
 * Thrown when the guarded row changed (or vanished) since it was read. Route handlers answer it with
 * `conflictResponse`; other code lets it reach its callers, who can retry (`retryOnConflict`) or report it.
 */
export class ConflictError extends Error {
  readonly code = 'CONFLICT';
  constructor(message = 'The record was changed by someone else. Reload and try again.') {
    super(message);
    this.name = 'ConflictError';
  }
}

/**
 * The part of a Prisma model delegate this needs. Method syntax on purpose: it lets Prisma's generic
 * `updateMany<T extends …>(args: SelectSubset<T, …>)` fit without `any` reaching the caller.
 */
export interface UpdateManyDelegate<W, D> {
  updateMany(args: { where: W; data: D }): PromiseLike<{ count: number }>;
}

export interface VersionedUpdateArgs {
  /** Identifies the row, e.g. `{ id }` (add the owner, e.g. `{ id, userId }`, so nobody updates another's row). */
  where: Record<string, unknown>;
  /** The values read before modifying, e.g. `{ version: 3 }` or `{ updatedAt }`: the write happens only if they still hold. */
  expected: Record<string, unknown>;
  data: Record<string, unknown>;
  /** An integer column incremented by every write (recommended: `updatedAt` can repeat within a millisecond). */
  versionField?: string;
}

/** Writes `data` only if the row still matches `expected`; otherwise throws ConflictError. */
export async function versionedUpdate<W, D>(delegate: UpdateManyDelegate<W, D>, args: VersionedUpdateArgs): Promise<void> {
  const { where, expected, data, versionField } = args;
  if (Object.keys(expected).length === 0) {
    // Without a guard this would be the plain last-write-wins update it is meant to replace.
    throw new TypeError('versionedUpdate: `expected` must name the field(s) read before the update, e.g. { version }');
  }
  // An update refuses an undefined key; updateMany drops it from the filter and would write every other match.
  for (const [name, value] of [...Object.entries(where), ...Object.entries(expected)]) {
    if (value === undefined) throw new TypeError(`versionedUpdate: \`${name}\` is undefined, which would match every row`);
  }
  const nextData = versionField ? { ...data, [versionField]: { increment: 1 } } : { ...data };
  // Through unknown: TypeScript before 4.8 rejects a direct cast of a record to an unconstrained type parameter.
  const result = await delegate.updateMany({ where: { ...where, ...expected } as unknown as W, data: nextData as unknown as D });
  if (result.count === 0) throw new ConflictError();
}

/**
 * For `.catch` on a `$transaction` whose update carries the value it read in its `where` (a compare-and-set):
 * Prisma answers "record to update not found" (P2025) when the row changed since the read, the transaction is
 * rolled back, and this turns that into ConflictError. Any other error is rethrown unchanged.
 */
export function conflictOnMissingRow(error: unknown): never {
  if (error !== null && typeof error === 'object' && (error as { code?: unknown }).code === 'P2025') throw new ConflictError();
  throw error;
}

export interface RetryOnConflictOptions {
  /** Total runs of `fn`, the first included. Default 5. */
  attempts?: number;
  /** Full-jitter backoff base. Units: milliseconds. Default 20. */
  baseDelayMs?: number;
}

/**
 * Re-runs the whole read-modify-write `fn` when it throws ConflictError, so each retry reads fresh data.
 * Bounded: after `attempts` runs the ConflictError is rethrown (answer it with `conflictResponse`).
 */
export async function retryOnConflict<T>(fn: () => Promise<T>, opts: RetryOnConflictOptions = {}): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? 5);
  const baseDelayMs = Math.max(0, opts.baseDelayMs ?? 20);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= attempts) throw error;
      // Jitter spreads the writers that collided, so they do not collide again in lockstep.
      const delay = Math.random() * Math.min(1000, baseDelayMs * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** A field of a parsed request body (JSON object or FormData), whatever the body's declared type. */
function bodyField(body: unknown, field: string): unknown {
  if (body === null || typeof body !== 'object') return undefined;
  if (typeof (body as { get?: unknown }).get === 'function' && typeof FormData !== 'undefined' && body instanceof FormData) return body.get(field) ?? undefined;
  return (body as Record<string, unknown>)[field];
}

/** The `version` the client read, sent back in the body (a number, or a numeric string from a form); else undefined. */
export function clientVersionOf(body: unknown): number | undefined {
  const value = bodyField(body, 'version');
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

/** The `updatedAt` the client read (an ISO string or epoch milliseconds); else undefined. */
export function clientUpdatedAtOf(body: unknown): Date | undefined {
  const value = bodyField(body, 'updatedAt');
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** HTTP 409 for a route's catch: `{ error, code: "CONFLICT" }`. */
export function conflictResponse(error?: unknown): Response {
  const message = error instanceof ConflictError ? error.message : new ConflictError().message;
  return new Response(JSON.stringify({ error: message, code: 'CONFLICT' }), {
    status: 409,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}
