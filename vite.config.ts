import { defineConfig } from 'vitest/config';

// The client is a static bundle served by our proxy (`spice-web serve`) from dist/client.
// Display workers are ES module workers (OffscreenCanvas, WebCodecs live there).
export default defineConfig({
  base: './',
  publicDir: 'public',
  build: {
    outDir: 'dist/client',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  worker: { format: 'es' },
  test: {
    // e2e specs are Playwright's, run by scripts/test-all.mjs after the unit tests
    exclude: ['e2e/**', 'node_modules/**', 'dist/**', 'build/**'],
  },
});
