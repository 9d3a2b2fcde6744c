import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import { sharedPool } from './pool';

// The pool is built in another module and shared with a job runner.
export const prisma = new PrismaClient({ adapter: new PrismaPg(sharedPool) });
