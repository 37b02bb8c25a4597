#!/usr/bin/env node
// The client bundle-size budget (`npm test` step "checks" after a successful build, `npm run
// check`). What a page pays to start the client is the gzipped JavaScript and CSS the build
// emits (the main bundle and the display worker); docs/architecture.md asks for a budget checked
// in CI as hls.js does, so growth is a decision written down in bundle-budget.json, not drift.
//
// Sums the gzip size (zlib level 9) of every .js and .css file in dist/client/assets (not .map)
// after `npm run build`, prints each file, and compares the total with `clientGzipBytes` in
// bundle-budget.json at the repo root. Exit 1 when over budget or when there is nothing to
// measure (no build). Options: --dir DIR (assets folder), --budget FILE.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ASSETS_DIR = path.join(ROOT, 'dist/client/assets');
export const BUDGET_FILE = path.join(ROOT, 'bundle-budget.json');

/** @typedef {{ name: string, bytes: number, gzipBytes: number }} AssetSize */
/** @typedef {{ clientGzipBytes: number, note?: string }} Budget */
/**
 * @typedef {object} BundleResult
 * @property {boolean} ok
 * @property {number} total        gzip bytes of all assets
 * @property {number} budget
 * @property {string[]} lines      the report, one line each
 */

/** Whether a file in the assets folder counts: .js and .css, not source maps. @param {string} name */
export const counts = (name) => /\.(js|css)$/.test(name);

/** The gzip (level 9) size of one file's bytes. @param {Uint8Array} bytes */
export const gzipSize = (bytes) => gzipSync(bytes, { level: 9 }).length;

/**
 * The sizes of the counted assets in `dir` (disk access; sorted by name).
 * @param {string} dir @returns {AssetSize[]}
 */
export function measureAssets(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && counts(e.name))
    .map((e) => {
      const bytes = readFileSync(path.join(dir, e.name));
      return { name: e.name, bytes: bytes.length, gzipBytes: gzipSize(bytes) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** @param {number} n */
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/**
 * Compares measured assets with the budget. Pure.
 * @param {AssetSize[]} assets @param {Budget} budget @returns {BundleResult}
 */
export function checkBundle(assets, budget) {
  const limit = budget.clientGzipBytes;
  if (!Number.isInteger(limit) || limit <= 0) throw new Error(`bundle budget: clientGzipBytes must be a positive integer, got ${JSON.stringify(limit)}`);
  const lines = assets.map((a) => `  ${a.name.padEnd(40)} ${String(a.bytes).padStart(9)} B  gzip ${String(a.gzipBytes).padStart(8)} B`);
  const total = assets.reduce((s, a) => s + a.gzipBytes, 0);
  if (assets.length === 0) {
    lines.push('check-bundle: no .js or .css files to measure: run `npm run build` first');
    return { ok: false, total, budget: limit, lines };
  }
  const ok = total <= limit;
  if (ok) {
    const head = limit - total;
    lines.push(`check-bundle: ok, client ${total} B gzipped (${kib(total)}) of ${limit} B budget (${kib(limit)}); headroom ${head} B (${((head / limit) * 100).toFixed(1)}%)`);
  } else {
    lines.push(
      `check-bundle: FAIL, client ${total} B gzipped (${kib(total)}) is over the budget of ${limit} B (${kib(limit)}) by ${total - limit} B.`,
      '  Make it smaller, or, if the growth is worth it, raise clientGzipBytes in bundle-budget.json and say why in its "note".',
    );
  }
  return { ok, total, budget: limit, lines };
}

/** @param {string} file @returns {Budget} */
export function readBudget(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? path.resolve(args[i + 1]) : dflt;
  };
  const dir = opt('--dir', ASSETS_DIR);
  const budgetFile = opt('--budget', BUDGET_FILE);
  if (!existsSync(dir)) {
    console.log(`check-bundle: ${path.relative(ROOT, dir) || dir} does not exist: run \`npm run build\` first`);
    process.exitCode = 1;
  } else {
    const r = checkBundle(measureAssets(dir), readBudget(budgetFile));
    console.log(`check-bundle: ${path.relative(ROOT, dir) || dir}`);
    for (const l of r.lines) console.log(l);
    if (!r.ok) process.exitCode = 1;
  }
}
