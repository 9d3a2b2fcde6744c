/** Retries a call while Gemini answers 429, waiting longer each time. */
export async function withBackoff<T>(call: () => Promise<T>, tries = 5): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await call();
    } catch (err) {
      if (n >= tries || !/429|quota/i.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 250 * 2 ** n));
    }
  }
}
