// Builds the dashboard page into dist/dashboard/web (served by dashboard/server/static.ts).
// Everything is bundled: no CDN at run time (labs are offline).
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [preact()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/dashboard/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 500, // cytoscape (~430 kB) is its own lazily loaded chunk
  },
});
