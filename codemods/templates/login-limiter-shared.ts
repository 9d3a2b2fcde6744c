/**
 * What both login limiters of lib/genie (in process and `--store redis`) share: their options and decisions,
 * and the keys attempts are counted under.
 */
import { createHash } from 'node:crypto';

/** What the limiter needs from a store; RateLimiterMemory and RateLimiterRedis both fit. */
export interface FailureCounter {
  penalty(key: string, points?: number): Promise<{ consumedPoints: number; msBeforeNext: number }>;
  get(key: string): Promise<{ consumedPoints: number; msBeforeNext: number } | null>;
  delete(key: string): Promise<boolean>;
}

export interface CounterOptions {
  keyPrefix: string;
  /** Failures allowed per window. */
  points: number;
  /** Window length. Units: seconds. */
  duration: number;
}

export interface LoginLimiterOptions {
  /** Consecutive failures allowed per IP + account in one window (env LOGIN_MAX_FAILURES_PER_ACCOUNT). */
  maxFailuresPerAccount: number;
  /** Failures allowed per IP across all accounts in one window (env LOGIN_MAX_FAILURES_PER_IP). */
  maxFailuresPerIp: number;
  /** Units: seconds (env LOGIN_FAILURE_WINDOW_SEC). */
  windowSec: number;
  /** Builds a counter: RateLimiterMemory (in process) or RateLimiterRedis (shared by every instance). */
  createCounter: (options: CounterOptions) => FailureCounter;
}

export interface LoginDecision {
  allowed: boolean;
  /** 0 when allowed. Units: milliseconds. */
  retryAfterMs: number;
  reason?: 'account' | 'ip';
}

export const UNKNOWN_IP = 'unknown';
const MAX_PART_LENGTH = 128;

export function bounded(text: string): string {
  // A 1 MB "email" must not become a 1 MB key.
  return text.length > MAX_PART_LENGTH ? `#${createHash('sha256').update(text).digest('base64url')}` : text;
}

export function accountKey(ip: string, account: string): string {
  return `${bounded(ip)}|${bounded(account.trim().toLowerCase())}`;
}

/**
 * The client IP: the first `x-forwarded-for` entry (set by Vercel / the trusted proxy in front of the app),
 * else `x-real-ip`, else 'unknown'.
 */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  const ip = forwarded || headers.get('x-real-ip')?.trim() || UNKNOWN_IP;
  return ip.slice(0, 64);
}
