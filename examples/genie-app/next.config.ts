import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // pg and the Prisma runtime load native/wasm pieces at runtime; keep them out of the bundle.
  serverExternalPackages: ['pg', '@prisma/adapter-pg'],
};

export default nextConfig;
