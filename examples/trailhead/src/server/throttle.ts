// Sign-in throttle: a sliding log of attempt times per caller, in this process's memory.

const attemptLog = new Map<string, number[]>();

export const SIGN_IN_LIMIT = { attempts: 10, perMs: 60_000 };

/** Records an attempt by `caller`; returns how many seconds to wait, or 0 when it may go ahead. */
export function throttleSignIn(caller: string, now = Date.now()): number {
  const recent = (attemptLog.get(caller) ?? []).filter((t) => now - t < SIGN_IN_LIMIT.perMs);
  if (recent.length >= SIGN_IN_LIMIT.attempts) {
    attemptLog.set(caller, recent);
    return Math.ceil((recent[0]! + SIGN_IN_LIMIT.perMs - now) / 1000);
  }
  recent.push(now);
  attemptLog.set(caller, recent);
  return 0;
}

/** The caller's address as the edge proxy reports it. */
export function callerAddress(req: Request): string {
  return req.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || req.headers.get('x-real-ip') || 'local';
}
