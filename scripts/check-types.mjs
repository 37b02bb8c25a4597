#!/usr/bin/env node
// Type-checks what the build does not: the unit tests and the scripts they import
// (tsconfig.test.json) and the Playwright specs with their harness (e2e/tsconfig.json). vitest
// and Playwright only strip types, so without this a wrong type in a test (or an `await` in a
// non-async harness callback, a syntax error Playwright reports as "no tests found") waits for
// the run that needs that code.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
let failed = 0;
for (const project of ['tsconfig.test.json', 'e2e/tsconfig.json']) {
  const r = spawnSync(process.execPath, [tsc, '-p', project, '--noEmit'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`check-types: ${project} has type errors`);
  } else console.log(`check-types: ${project} ok`);
}
process.exit(failed ? 1 : 0);
