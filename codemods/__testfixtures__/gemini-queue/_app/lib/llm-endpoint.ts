const ROOT = 'https://generativelanguage.googleapis.com/v1beta';

export function endpointFor(model: string): string {
  return `${ROOT}/models/${model}:generateContent?key=${process.env.GOOGLE_API_KEY}`;
}
