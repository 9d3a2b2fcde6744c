import { PrismaNeon } from '@prisma/adapter-neon';
import { PrismaClient } from '@/generated/prisma/client';
import { poolOptionsFromUrl } from '@/lib/genie/pool-options';

// Neon's serverless driver: each function instance opens its own WebSocket pool.
const adapter = new PrismaNeon({ connectionString: process.env.DATABASE_URL!, ...poolOptionsFromUrl(process.env.DATABASE_URL!, { max: 3 }) });

export const db = new PrismaClient({ adapter });
