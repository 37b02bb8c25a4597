import { defineConfig } from 'vite';

// The library build: src/embed/index.ts (SpiceClient, <spice-client>, typed events) as one ES
// module a portal loads from its own origin, beside the page build in dist/client (so the proxy
// serves it at /lib/spice-web.js). The display worker becomes its own file next to it.
export default defineConfig({
  base: './',
  publicDir: false,
  build: {
    outDir: 'dist/client/lib',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: { entry: 'src/embed/index.ts', formats: ['es'], fileName: () => 'spice-web.js' },
  },
  worker: { format: 'es' },
});
