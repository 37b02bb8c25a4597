// One import for specs:  import { test, expect, startXspice, showPattern, ... } from './harness/index';
export { test, expect, type HarnessFixtures } from './fixtures';
export * from '../../scripts/lib/xspice.mjs';
export * from '../../scripts/lib/content.mjs';
export * from '../../scripts/lib/truth.mjs';
export * from '../../scripts/lib/faulty-relay.mjs';
export * from '../../scripts/lib/proc.mjs';
export * from './mini-spice.mjs';
export { Scenario, startTestServer, buildTestServer, bitmapStride, QXL, ROPD, BITMAP_FMT, SURFACE_FMT, STRING_FLAGS, type TestServer, type TestServerOptions, type BitmapSpec } from './test-server.mjs';
