/**
 * The packages each template imports, at the versions its tests ran against. The codemod runner adds them to
 * the target app's package.json when it adds the template. Keys are template file names without `.ts`.
 */
export const templateDependencies: Record<string, Record<string, string>> = {
  cache: {},
  // `apply --store redis` variants: copied under the base name (cache.ts, login-limiter.ts).
  'cache.redis': {},
  'login-limiter.redis': { 'rate-limiter-flexible': '^11.4.0' },
  // Modules the cache and login-limiter variants share; copied beside the template that imports them.
  'cache-key': {},
  'cache-local': { 'lru-cache': '^11.5.3' },
  'env-int': {},
  'login-limiter-shared': {},
  'redis-connection': { ioredis: '^5.11.1' },
  // The Gemini queue's modules: gemini-queue.ts (retrying) and gemini-limit-only.ts share the bounded queue.
  'gemini-bounded-queue': { 'p-queue': '^9.3.5' },
  'gemini-limit-only': {},
  'gemini-queue': {},
  'gemini-retry-info': {},
  'gemini-stream-release': {},
  // Never added in practice: gemini-queue only copies these templates into apps that already depend on `ai`.
  'gemini-queue-ai-sdk': { ai: '^6.0.0' },
  'gemini-limit-only-ai-sdk': { ai: '^6.0.0' },
  'gemini-ai-sdk-middleware': { ai: '^6.0.0' },
  'login-limiter': { 'rate-limiter-flexible': '^11.4.0' },
  'line-splitter': { 'eventsource-parser': '^3.1.1' },
  'optimistic-lock': {},
  'pool-options': {},
  'upload-stream': { 'p-queue': '^9.3.5' },
  // busboy ships no types: the app's type-check needs @types/busboy too.
  'multipart-stream': { busboy: '^1.6.0', '@types/busboy': '^1.5.5' },
};
