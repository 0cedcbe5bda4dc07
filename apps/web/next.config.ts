import type { NextConfig } from 'next';

const config: NextConfig = {
  // Workspace packages ship TypeScript source.
  transpilePackages: ['@segmenta/contracts', '@segmenta/db', '@segmenta/coco', '@segmenta/imaging', '@segmenta/maskrcnn'],
  // Native/wasm or Node-only dependencies stay out of the server bundle and load from node_modules.
  serverExternalPackages: ['sharp', '@node-rs/argon2', 'pg', '@prisma/adapter-pg', '@prisma/client', 'bullmq', 'ioredis', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs', 'fflate'],
  poweredByHeader: false,
  // `npm test` type-checks every package with tsc; doing it again inside `next build` only costs time.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ];
  },
};

export default config;
