import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  plugins: [sveltekit()],
  // the pure packages (engine, sla, calendar, billing) run in the browser for Simulate and the previews
  resolve: { alias: { 'node:crypto': fileURLToPath(new URL('./src/lib/shims/node-crypto.ts', import.meta.url)) } },
  server: {
    proxy: { '/api': { target: process.env.API_ORIGIN ?? 'http://127.0.0.1:3000', changeOrigin: false } },
  },
  build: { chunkSizeWarningLimit: 2000 },
});
