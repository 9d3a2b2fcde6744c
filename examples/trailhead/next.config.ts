import type { NextConfig } from 'next';

// The pg driver and Prisma's adapter load native pieces at run time, so the bundler must leave them alone.
export default {
  serverExternalPackages: ['pg', '@prisma/adapter-pg'],
} satisfies NextConfig;
