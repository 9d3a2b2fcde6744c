/** The app's Prisma schema, where Prisma itself looks for it, and what its datasource says. */
import type { CodemodContext } from '../types.ts';

/** The app's Prisma schema: package.json's `prisma.schema`, the usual places, or a `prisma/schema/` folder of files. */
export function readSchema(ctx: CodemodContext): string | undefined {
  let configured: string | undefined;
  try {
    const pkg = JSON.parse(ctx.readText('package.json') ?? '{}') as { prisma?: { schema?: unknown } };
    if (typeof pkg.prisma?.schema === 'string') configured = pkg.prisma.schema.replace(/^\.\//, '');
  } catch {
    // An unreadable package.json is someone else's error to report.
  }
  for (const rel of [configured, 'prisma/schema.prisma', 'schema.prisma', 'src/prisma/schema.prisma']) {
    const text = rel && ctx.readText(rel);
    if (text) return text;
  }
  const folder = ctx.listFiles('prisma/schema').filter((f) => f.endsWith('.prisma'));
  return folder.length ? folder.map((f) => ctx.readText(f) ?? '').join('\n') : undefined;
}

/** The datasource's provider (`postgresql`, `mysql`, `sqlite` …), or undefined without a schema. */
export function schemaProvider(schema: string | undefined): string | undefined {
  return schema ? /datasource\s+\w+\s*\{[^}]*?\bprovider\s*=\s*"(\w+)"/.exec(schema)?.[1] : undefined;
}
