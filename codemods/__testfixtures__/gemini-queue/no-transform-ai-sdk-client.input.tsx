'use client';

import { google } from '@ai-sdk/google';
import { generateText } from 'ai';
import { useState } from 'react';

export default function Suggest() {
  const [idea, setIdea] = useState('');
  async function ask() {
    const { text } = await generateText({ model: google('gemini-2.0-flash'), prompt: 'Suggest a name for a cat.' });
    setIdea(text);
  }
  return <button onClick={ask}>{idea || 'Suggest'}</button>;
}
