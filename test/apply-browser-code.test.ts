import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { browserOnlySources, hasDirective } from '../src/apply/browser-code.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

describe('hasDirective', () => {
  it('finds a directive after comments, not one inside code', () => {
    expect(hasDirective("// header\n/* x */\n'use client';\nexport {}", 'use client')).toBe(true);
    expect(hasDirective('"use server"\n', 'use server')).toBe(true);
    expect(hasDirective("import x from 'y';\n'use client';\n", 'use client')).toBe(false);
  });
});

describe('browserOnlySources', () => {
  it('marks client components and what only they import; shared and server modules stay editable', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'genie-browser-'));
    made.push(root);
    fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./*'] } } }));
    const sources = [
      { rel: 'app/page.tsx', text: "import Chat from '@/components/chat';\nexport default function P() { return <Chat />; }\n" },
      { rel: 'components/chat.tsx', text: "'use client';\nimport { ask } from '../lib/client-api';\nimport { fmt } from '@/lib/format';\n" },
      { rel: 'lib/client-api.ts', text: "import { modelUrl } from './providers/gemini';\nexport const ask = () => fetch(modelUrl);\n" },
      { rel: 'lib/providers/gemini.ts', text: 'export const modelUrl = "https://generativelanguage.googleapis.com";\n' },
      { rel: 'lib/format.ts', text: 'export const fmt = (s: string) => s;\n' },
      { rel: 'app/api/chat/route.ts', text: "import { fmt } from '@/lib/format';\nexport async function POST() {}\n" },
      { rel: 'pages/legacy.tsx', text: "import { widget } from '../lib/widget';\n" },
      { rel: 'lib/widget.ts', text: 'export const widget = 1;\n' },
      { rel: 'scripts/seed.ts', text: 'export {};\n' },
      // Reached from a server page through a shared config, but client code by its folder / its globals.
      { rel: 'app/settings/page.tsx', text: "import { models } from '@/lib/models';\n" },
      { rel: 'lib/models.ts', text: "import { api } from '@/app/client/api';\nimport { saved } from '@/lib/prefs';\nexport const models = [];\n" },
      { rel: 'app/client/api.ts', text: 'export const api = {};\n' },
      { rel: 'lib/prefs.ts', text: "export const saved = () => localStorage.getItem('prefs');\n" },
      { rel: 'components/prefs-panel.tsx', text: "'use client';\nimport { saved } from '@/lib/prefs';\nimport { api } from '@/app/client/api';\nimport { models } from '@/lib/models';\n" },
    ];
    expect([...browserOnlySources(root, sources)].sort()).toEqual([
      'app/client/api.ts',
      'components/chat.tsx',
      'components/prefs-panel.tsx',
      'lib/client-api.ts',
      'lib/prefs.ts',
      'lib/providers/gemini.ts',
      'lib/widget.ts',
      'pages/legacy.tsx',
    ]);
  });
});
