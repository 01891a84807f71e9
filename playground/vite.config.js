// Builds the playground into dist/, which the router embeds at compile
// time and serves at `/` (the page) and `/playground/…` (its assets).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  base: '/playground/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // One file per entry and worker: the router embeds what is here.
    chunkSizeWarningLimit: 8000,
    sourcemap: false,
    assetsInlineLimit: 0,
  },
  worker: { format: 'es' },
  // `npm run dev`: the page with hot reload, its requests sent to a running
  // graph (`cargo run` at the repository root).
  server: {
    proxy: { '/graphql': { target: process.env.BACKBONE_URL || 'http://127.0.0.1:4000', ws: true } },
  },
});
