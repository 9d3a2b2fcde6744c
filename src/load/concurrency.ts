/**
 * Runs `fn` for every item with at most `concurrency` in flight. Stops starting new work when the
 * signal aborts; work already running sees the same signal.
 */
export async function forEachConcurrent<T>(
  items: readonly T[],
  concurrency: number,
  signal: AbortSignal,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (!signal.aborted) {
      const i = next++;
      if (i >= items.length) return;
      await fn(items[i] as T, i);
    }
  };
  const n = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: n }, worker));
}

/** `count` virtual users started together; each runs `fn` once (fn owns its own bounded loop). */
export async function runVirtualUsers(count: number, signal: AbortSignal, fn: (vu: number) => Promise<void>): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => i);
  await forEachConcurrent(ids, count, signal, (vu) => fn(vu));
}
