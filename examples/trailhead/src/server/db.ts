import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/generated/db/client';

declare global {
  // Reused across hot reloads in development.
  var trailheadDb: PrismaClient | undefined;
}

function connect(): PrismaClient {
  const adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL, max: 5, connectionTimeoutMillis: 8_000 });
  return new PrismaClient({ adapter });
}

export const db = globalThis.trailheadDb ?? connect();
if (process.env.NODE_ENV !== 'production') globalThis.trailheadDb = db;
