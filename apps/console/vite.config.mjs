// The web console's build: Preact through Vite, served by the API under /console (docs/console.md).
import path from 'node:path';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [preact()],
  resolve: {
    // The typed client from its source, as tsconfig.base.json's paths have it (its package.json points at
    // a CommonJS build for Node; the browser bundle takes the ES modules).
    alias: { '@sanksi/client': path.resolve(import.meta.dirname, '../../libs/client/src/index.ts') },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // elkjs is large; it is loaded only on the case page.
    chunkSizeWarningLimit: 2000,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
