import { defineConfig } from '@playwright/test';

// E2E tests run against real SPICE servers (Xspice) that each spec starts itself through the
// harness in e2e/harness and scripts/lib; there is no webServer here. The browser is Debian's
// Chromium (never a downloaded one): CHROMIUM_PATH overrides /usr/bin/chromium.
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // installs missing Debian packages (Xspice, xterm, chromium, ...) unless SPICE_WEB_SKIP_ENSURE=1
  globalSetup: './e2e/harness/global-setup.mjs',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: 'list',
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
