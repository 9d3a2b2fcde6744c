import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import { Pool } from 'pg';
import { poolOptionsFromUrl } from '@/lib/genie/pool-options';

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  idleTimeoutMillis: 15_000,
  ...poolOptionsFromUrl(process.env.DATABASE_URL, { max: 8 }),
});

export const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
