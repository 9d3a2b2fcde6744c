/**
 * Writes a synthetic Next.js app in the shapes of a real one: route handlers (CRUD on Prisma, some calling
 * Gemini with the sample app's defects), React components, lib modules, login routes. Deterministic by index.
 */
import fs from 'node:fs';
import path from 'node:path';

const route = (i: number) => `import { NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';

export async function GET(request: Request) {
  const url = new URL(request.url);
  const page = Number(url.searchParams.get('page') ?? '1');
  const rows = await prisma.entity${i % 40}.findMany({ skip: (page - 1) * 20, take: 20, orderBy: { id: 'desc' } });
  return NextResponse.json({ rows, page });
}

export async function POST(request: Request) {
  const body = await request.json();
  const row = await prisma.entity${i % 40}.create({ data: { name: String(body.name ?? ''), note: String(body.note ?? '').slice(0, 100) } });
  return NextResponse.json({ row }, { status: 201 });
}
`;

const component = (i: number) => `'use client';
import { useState } from 'react';

export function Card${i}({ title, items }: { title: string; items: string[] }) {
  const [open, setOpen] = useState(false);
  const short = title.length > 40 ? title.slice(0, 40) + '…' : title;
  return (
    <section className="card">
      <h2 onClick={() => setOpen(!open)}>{short}</h2>
      {open && <ul>{items.map((item) => <li key={item}>{item}</li>)}</ul>}
    </section>
  );
}
`;

const lib = (i: number) => `export interface Thing${i} { id: number; label: string; tags: string[] }

export function format${i}(thing: Thing${i}): string {
  return \`\${thing.id}: \${thing.label} [\${thing.tags.join(', ')}]\`;
}

export function parse${i}(raw: unknown): Thing${i} | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  return typeof r.id === 'number' && typeof r.label === 'string' ? { id: r.id, label: r.label, tags: [] } : null;
}
`;

const chat = (i: number) => `import { prisma } from '@/lib/prisma';
import { searchDocs } from '@/lib/search';

export async function POST(request: Request) {
  const { message } = await request.json();
  const docs = await searchDocs(message, 3);
  const top = await prisma.product.findMany({ orderBy: { sold: 'desc' }, take: 5 });
  const url = \`\${process.env.GEMINI_BASE_URL}/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse\`;
  const res = await fetch(url, { method: 'POST', body: JSON.stringify({ docs, top, message, n: ${i} }) });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const parts: string[] = [];
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    if (buffer.length > 1000000) buffer = buffer.substring(buffer.length - 500000);
    const lines = buffer.split('\\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('data:')) parts.push(line.slice(5));
  }
  return Response.json({ parts });
}
`;

const login = () => `import { verifyPassword } from '@/lib/password';
import { prisma } from '@/lib/prisma';
import { checkRateLimit } from '@/lib/rate-limiter';

export async function POST(request: Request) {
  const ip = request.headers.get('x-forwarded-for') ?? 'unknown';
  const limit = checkRateLimit(\`login:\${ip}\`, { limit: 10, windowMs: 60_000 });
  if (!limit.allowed) return Response.json({ error: 'slow down' }, { status: 429 });
  const { email, password } = await request.json();
  const user = await prisma.user.findUnique({ where: { email } });
  if (!user || !(await verifyPassword(password, user.passwordHash))) {
    return Response.json({ error: 'invalid' }, { status: 401 });
  }
  return Response.json({ id: user.id });
}
`;

export function generateTree(root: string, files: number): number {
  const write = (rel: string, text: string) => {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  };
  write('package.json', '{\n  "dependencies": {\n    "next": "16.0.0"\n  }\n}\n');
  write('tsconfig.json', JSON.stringify({ compilerOptions: { strict: true, jsx: 'react-jsx', moduleResolution: 'bundler', module: 'esnext', paths: { '@/*': ['./*'] } } }, null, 2));
  write('lib/search.ts', "import { prisma } from '@/lib/prisma';\nexport async function searchDocs(q: string, n: number) {\n  return prisma.doc.findMany({ where: { body: { contains: q } }, take: n });\n}\n");
  let count = 1;
  for (let i = 0; count < files; i++) {
    const kind = i % 10;
    if (kind < 4) write(`app/api/area${i % 50}/r${i}/route.ts`, route(i));
    else if (kind < 7) write(`components/group${i % 30}/Card${i}.tsx`, component(i));
    else if (kind < 9) write(`lib/util${i % 20}/thing${i}.ts`, lib(i));
    else if (i % 20 === 9) write(`app/api/chat${i}/route.ts`, chat(i));
    else write(`app/api/auth${i}/login/route.ts`, login());
    count++;
  }
  return count;
}
