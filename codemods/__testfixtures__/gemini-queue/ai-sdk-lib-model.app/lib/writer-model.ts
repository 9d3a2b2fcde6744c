import { createGoogleGenerativeAI } from '@ai-sdk/google';

const provider = createGoogleGenerativeAI({ apiKey: process.env.GOOGLE_GENERATIVE_AI_API_KEY });

/** Used by the drafting and the rewriting routes. */
export const writerModel = provider('gemini-2.5-flash-lite');
