import type { NextConfig } from 'next';

// Shipped as one node process in a container: .next/standalone/server.js.
const config: NextConfig = { output: 'standalone' };

export default config;
