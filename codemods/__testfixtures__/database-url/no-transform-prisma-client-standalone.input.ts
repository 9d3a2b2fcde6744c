import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/generated/prisma/client';

// One long-running server: a pool of 20 serves every request in the process.
const adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: 20 });

export const db = new PrismaClient({ adapter });
