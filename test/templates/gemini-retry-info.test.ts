/** Reading Google's 429 answers (codemods/templates/gemini-retry-info.ts): RetryInfo delays and per-day quotas. */
import { describe, expect, it } from 'vitest';
import { isPerDayQuota, parseRetryDelayMs } from '../../codemods/templates/gemini-retry-info.ts';
import { quotaBody } from './gemini-test-kit.ts';

describe('parsing Google error bodies', () => {
  it('reads retryDelay from objects, JSON text, SDK errors and prose, taking the longest', () => {
    expect(parseRetryDelayMs(quotaBody('1s'))).toBe(1000);
    expect(parseRetryDelayMs(quotaBody('1.68s'))).toBe(1680);
    expect(parseRetryDelayMs(JSON.stringify(quotaBody('2s')))).toBe(2000);
    expect(parseRetryDelayMs([quotaBody('3s')])).toBe(3000);
    expect(parseRetryDelayMs(new Error(`got status 429: ${JSON.stringify(quotaBody('4s'))}`))).toBe(4000);
    expect(parseRetryDelayMs({ errorDetails: quotaBody('5s').error.details })).toBe(5000);
    expect(parseRetryDelayMs({ error: { message: 'Please retry in 1.68s.', details: quotaBody('1s').error.details } })).toBe(1680);
    expect(parseRetryDelayMs({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).' } })).toBeNull();
    expect(parseRetryDelayMs(null)).toBeNull();
  });

  it('recognises PerDay quotas only', () => {
    expect(isPerDayQuota(quotaBody('1s', 'GenerateRequestsPerDayPerProjectPerModel-FreeTier'))).toBe(true);
    expect(isPerDayQuota(JSON.stringify(quotaBody('1s', 'GenerateRequestsPerDayPerProjectPerModel-FreeTier')))).toBe(true);
    expect(isPerDayQuota(quotaBody('1s'))).toBe(false);
    expect(isPerDayQuota('Resource has been exhausted')).toBe(false);
  });
});
