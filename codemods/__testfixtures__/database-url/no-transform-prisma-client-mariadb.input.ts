import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaClient } from '@/generated/prisma/client';

const adapter = new PrismaMariaDb({ host: 'db', user: 'app', database: 'app', connectionLimit: 5 });
export const prisma = new PrismaClient({ adapter });
