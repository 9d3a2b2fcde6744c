import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import { poolOptionsFromUrl } from '@/lib/genie/pool-options';

const adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL, ...poolOptionsFromUrl(process.env.DATABASE_URL) });
export const prisma = new PrismaClient({ adapter });
