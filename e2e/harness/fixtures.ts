// Playwright fixtures over the harness. Usage in a spec:
//
//   import { test, expect } from './harness/fixtures';
//   test.use({ xspiceOptions: { imageCompression: 'off' } });
//   test('shows the pattern', async ({ page, xspice }) => {
//     const pattern = await showPattern(xspice);
//     ...connect the client to xspice.port (through the proxy), compare with grabFramebuffer(xspice)
//   });
//
// `xspice` is a fresh Xspice server per test, stopped afterwards (with everything started through
// it). When a test fails, the server's framebuffer and logs are attached to the report.
import { test as base, expect } from '@playwright/test';
import { startXspice, type XspiceOptions, type XspiceServer } from '../../scripts/lib/xspice.mjs';
import { encodePng, grabFramebuffer } from '../../scripts/lib/truth.mjs';

export type HarnessFixtures = {
  /** Options for the `xspice` fixture; override with test.use({ xspiceOptions: {...} }). */
  xspiceOptions: XspiceOptions;
  /** A running Xspice server (loopback), stopped after the test. */
  xspice: XspiceServer;
};

export const test = base.extend<HarnessFixtures>({
  xspiceOptions: [{}, { option: true }],
  xspice: async ({ xspiceOptions }, use, testInfo) => {
    const server = await startXspice(xspiceOptions);
    try {
      await use(server);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) {
        try {
          const img = await grabFramebuffer(server);
          await testInfo.attach('xspice-framebuffer.png', {
            body: encodePng(img.width, img.height, img.rgba),
            contentType: 'image/png',
          });
        } catch {
          /* server may be gone */
        }
        await testInfo.attach('xspice-logs.txt', { body: server.logs(), contentType: 'text/plain' });
      }
      await server.stop();
    }
  },
});

export { expect };
