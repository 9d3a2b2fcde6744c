/** Google's error bodies, for the Gemini queue templates' tests. */

/** Google's 429 body, as in WIRE.md. */
export function quotaBody(retryDelay: string | null, quotaId = 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier') {
  const details: object[] = [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId }],
    },
  ];
  if (retryDelay) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay });
  return { error: { code: 429, message: 'You exceeded your current quota.', status: 'RESOURCE_EXHAUSTED', details } };
}
