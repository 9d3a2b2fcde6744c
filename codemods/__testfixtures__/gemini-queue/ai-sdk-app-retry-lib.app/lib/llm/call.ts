import { generateText } from 'ai';
import pRetry from 'p-retry';
import { modelFor } from './models';

/** Every LLM call of the app: rate-limit errors are retried with the provider's advertised delay. */
async function retryOnRateLimit<T>(work: () => Promise<T>): Promise<T> {
  return pRetry(work, {
    retries: 4,
    onFailedAttempt: (error) => {
      if (!/429|rate.?limit/i.test(String(error))) throw error;
    },
  });
}

export async function complete(task: 'draft' | 'classify', prompt: string): Promise<string> {
  const run = () => generateText({ model: modelFor(task), prompt });
  return (await retryOnRateLimit(run)).text;
}
