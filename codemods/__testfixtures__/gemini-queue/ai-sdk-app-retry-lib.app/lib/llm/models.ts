import { google } from '@ai-sdk/google';

/** Picks the model for a task; the callers add their own retry. */
export function modelFor(task: 'draft' | 'classify') {
  return task === 'draft' ? google('gemini-2.5-flash') : google('gemini-2.0-flash-lite');
}
