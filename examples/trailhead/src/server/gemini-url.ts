const MODEL = process.env.GEMINI_MODEL ?? 'gemini-2.0-flash';

/** Streaming endpoint of the configured Gemini host (GEMINI_BASE_URL lets staging point elsewhere). */
export function geminiStreamUrl(): string {
  const base = (process.env.GEMINI_BASE_URL ?? 'https://generativelanguage.googleapis.com').replace(/\/+$/, '');
  return `${base}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`;
}
