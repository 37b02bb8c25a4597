#!/usr/bin/env node
// `npm test`: everything CI checks, in order, with one summary at the end.
//   1. Debian packages the e2e tests need (scripts/ensure-packages.mjs; apt-get only if missing)
//   2. npm run build
//   3. checks: scripts/check-imports.mjs (layer import rules), scripts/check-sizes.mjs (files over
//      15 KB say why), scripts/check-types.mjs (unit tests and e2e specs type-check),
//      scripts/check-bundle.mjs (gzipped client vs bundle-budget.json; only
//      after a successful build step, reported as skipped otherwise)
//   4. npx vitest run           (unit tests; e2e/ is excluded: those are Playwright specs)
//   5. npx playwright test      (e2e against real Xspice servers)
// Steps 2-5 all run even when an earlier one failed, so one run shows every problem; a failed
// package step stops everything (nothing else can work). Exit code 0 only if all passed.
// Options: --skip-build --skip-checks --skip-unit --skip-e2e; anything after `--` goes to
// playwright test.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePackages } from './ensure-packages.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const dd = argv.indexOf('--');
const own = dd >= 0 ? argv.slice(0, dd) : argv;
const playwrightExtra = dd >= 0 ? argv.slice(dd + 1) : [];
const skip = (/** @type {string} */ s) => own.includes(`--skip-${s}`);
const resultsDir = path.join(root, 'test-results');
mkdirSync(resultsDir, { recursive: true });
const vitestJson = path.join(resultsDir, 'vitest-summary.json');
const playwrightJson = path.join(resultsDir, 'playwright-summary.json');

/**
 * @typedef {{ name: string, ok: boolean | null, ms: number, passed?: number, failed?: number, skipped?: number, note?: string }} StepResult
 */
/** @type {StepResult[]} */
const results = [];

/** @param {string} cmd @param {string[]} args @param {NodeJS.ProcessEnv} [env] @returns {Promise<number>} */
function sh(cmd, args, env = {}) {
  console.log(`\n$ ${[cmd, ...args].join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    const fwd = (/** @type {NodeJS.Signals} */ sig) => child.kill(sig);
    process.on('SIGINT', fwd);
    process.on('SIGTERM', fwd);
    child.on('error', (e) => {
      console.error(`${cmd}: ${e.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', fwd);
      process.off('SIGTERM', fwd);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** @param {string} name @param {() => Promise<Omit<StepResult, 'name' | 'ms'>>} fn */
async function step(name, fn) {
  console.log(`\n===== ${name} =====`);
  const t0 = Date.now();
  let r;
  try {
    r = await fn();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    r = { ok: false };
  }
  results.push({ name, ms: Date.now() - t0, ...r });
  return r.ok;
}

/** @param {string} file */
function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

const pkgOk = await step('ensure-packages', async () => ({ ok: !!ensurePackages() }));

if (pkgOk) {
  /** @type {boolean | null} null: skipped */
  let buildOk = null;
  if (skip('build')) results.push({ name: 'build', ok: null, ms: 0, note: 'skipped' });
  else buildOk = await step('build', async () => ({ ok: (await sh('npm', ['run', 'build'])) === 0 }));

  if (skip('checks')) results.push({ name: 'checks', ok: null, ms: 0, note: 'skipped' });
  else
    await step('checks', async () => {
      /** @type {string[]} */
      const notes = [];
      let passed = 0, failed = 0, skipped = 0;
      for (const name of ['imports', 'sizes', 'types', 'bundle']) {
        if (name === 'bundle' && buildOk !== true) {
          const why = buildOk === false ? 'build failed' : 'build skipped';
          console.log(`\ncheck-bundle: not run (${why}): the budget is checked only on a fresh build`);
          notes.push(`bundle skipped: ${why}`);
          skipped++;
          continue;
        }
        const ok = (await sh('node', [`scripts/check-${name}.mjs`])) === 0;
        if (ok) passed++;
        else {
          failed++;
          notes.push(`${name} FAIL`);
        }
      }
      return { ok: failed === 0, passed, failed, skipped, note: notes.join(', ') || undefined };
    });

  if (skip('unit')) results.push({ name: 'unit (vitest)', ok: null, ms: 0, note: 'skipped' });
  else
    await step('unit (vitest)', async () => {
      rmSync(vitestJson, { force: true });
      const code = await sh('npx', ['vitest', 'run', '--passWithNoTests', '--exclude', 'e2e/**',
        '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
      const j = readJson(vitestJson);
      return {
        ok: code === 0,
        passed: j?.numPassedTests,
        failed: j?.numFailedTests,
        skipped: j ? (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0) : undefined,
      };
    });

  if (skip('e2e')) results.push({ name: 'e2e (playwright)', ok: null, ms: 0, note: 'skipped' });
  else
    await step('e2e (playwright)', async () => {
      rmSync(playwrightJson, { force: true });
      const code = await sh('npx', ['playwright', 'test', '--reporter=list,json', ...playwrightExtra], {
        PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightJson,
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
        SPICE_WEB_SKIP_ENSURE: '1', // done above
      });
      const s = readJson(playwrightJson)?.stats;
      return {
        ok: code === 0,
        passed: s ? s.expected + (s.flaky ?? 0) : undefined,
        failed: s?.unexpected,
        skipped: s?.skipped,
      };
    });
}

// ---- summary
const fmt = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(1)}s`.padStart(7);
console.log('\n===== summary =====');
let passed = 0, failed = 0, skipped = 0;
for (const r of results) {
  const status = r.ok === null ? 'SKIP' : r.ok ? 'ok' : 'FAIL';
  const counts = r.passed !== undefined ? `  ${r.passed} passed, ${r.failed ?? 0} failed, ${r.skipped ?? 0} skipped` : '';
  console.log(`  ${r.name.padEnd(18)} ${status.padEnd(4)} ${fmt(r.ms)}${counts}${r.note ? `  (${r.note})` : ''}`);
  passed += r.passed ?? 0;
  skipped += r.skipped ?? 0;
  // a failed step that reported no failing test (build error, crash) still counts as one failure
  failed += r.failed ? r.failed : r.ok === false ? 1 : 0;
}
const allOk = results.every((r) => r.ok !== false);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = allOk ? 0 : 1;
