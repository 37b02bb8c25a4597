// Playwright globalSetup: make sure the Debian packages the harness needs are installed (a no-op
// taking milliseconds when they are). Set SPICE_WEB_SKIP_ENSURE=1 to skip.
import { ensurePackages } from '../../scripts/ensure-packages.mjs';

export default async function globalSetup() {
  if (process.env.SPICE_WEB_SKIP_ENSURE === '1') return;
  ensurePackages({ log: (m) => console.log(`[e2e setup] ${m}`) });
}
