#!/usr/bin/env node
// The file-size check (`npm test` step "checks", `npm run check`). docs/architecture.md asks for
// files mostly under 15 KB with the outliers named and justified (xterm.js's rule): a big file is
// usually several responsibilities that want splitting, and when it is not, the reason should be
// written where the next reader sees it.
//
// Every .ts/.mjs/.js/.c file over 15 KB (15 * 1024 bytes) under src/, workers/, e2e/ and scripts/
// (not node_modules, dist, build, fixtures) must say why in its opening comment: the first
// comment block at the top (after an optional shebang and blank lines), either `//` lines or one
// `/* … */` / `/** … */`, must hold a line that starts, after the comment markers, with `Size:`
// (any case) followed on that line by a reason of at least 20 characters, e.g.
//   // Size: one spec per server scenario family, so the harness starts the test server once.
// Output: one line per file without a reason; exit 1 when any.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { walkFiles } from './lib/walk-files.mjs';

export const LIMIT_BYTES = 15 * 1024;
export const MIN_REASON = 20;
export const DIRS = ['src', 'workers', 'e2e', 'scripts'];
export const EXTENSIONS = ['.ts', '.mjs', '.js', '.c'];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', 'fixtures', 'test-results']);

/** @typedef {{ path: string, size: number, text: string }} SizedFile  path: repo-relative */
/** @typedef {{ file: string, size: number, message: string }} SizeViolation */

/**
 * The lines of the opening comment block, without their comment markers; [] when the file does
 * not open with a comment.
 * @param {string} text @returns {string[]}
 */
export function openingComment(text) {
  const lines = text.split(/\r?\n/);
  let i = 0;
  if (lines[0]?.startsWith('#!')) i++;
  while (i < lines.length && lines[i].trim() === '') i++;
  const first = lines[i]?.trim() ?? '';
  /** @type {string[]} */
  const out = [];
  if (first.startsWith('//')) {
    for (; i < lines.length && lines[i].trim().startsWith('//'); i++) out.push(lines[i].trim().replace(/^\/\/+\s?/, ''));
  } else if (first.startsWith('/*')) {
    for (let j = i; j < lines.length; j++) {
      const line = j === i ? lines[j].trim().replace(/^\/\*+/, '') : lines[j].trim();
      const end = line.indexOf('*/');
      out.push((end >= 0 ? line.slice(0, end) : line).replace(/^\*+\s?/, '').trim());
      if (end >= 0) break;
    }
  }
  return out;
}

/**
 * The reason a file gives for its size, or null when its opening comment has none that counts.
 * @param {string} text @returns {string | null}
 */
export function sizeReason(text) {
  for (const line of openingComment(text)) {
    const m = /^size:\s*(.*)$/i.exec(line.trim());
    if (m && m[1].trim().length >= MIN_REASON) return m[1].trim();
  }
  return null;
}

/**
 * Files over the limit without a reason. Pure: no disk access.
 * @param {SizedFile[]} files @param {number} [limit] @returns {SizeViolation[]}
 */
export function checkSizes(files, limit = LIMIT_BYTES) {
  /** @type {SizeViolation[]} */
  const out = [];
  for (const f of files) {
    if (f.size <= limit || sizeReason(f.text) !== null) continue;
    const kb = (f.size / 1024).toFixed(1);
    out.push({
      file: f.path,
      size: f.size,
      message: `${f.path}: ${kb} KB is over ${limit / 1024} KB and its opening comment gives no reason: split it, or add a line "Size: <why it stays one file, ${MIN_REASON}+ characters>"`,
    });
  }
  return out;
}

/**
 * The checked files under `dirs` of `root`, with sizes (text read only for big ones).
 * @param {string} root @param {string[]} [dirs] @returns {SizedFile[]}
 */
export function readSizedTree(root, dirs = DIRS) {
  return walkFiles(root, dirs, { skipDirs: SKIP_DIRS, keep: (n) => EXTENSIONS.includes(path.extname(n)) }).map((p) => {
    const buf = readFileSync(path.join(root, p));
    return { path: p, size: buf.length, text: buf.length > LIMIT_BYTES ? buf.toString('utf8') : '' };
  });
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const files = readSizedTree(ROOT);
  const violations = checkSizes(files);
  for (const v of violations) console.log(v.message);
  const big = files.filter((f) => f.size > LIMIT_BYTES);
  if (violations.length) {
    console.log(`check-sizes: ${violations.length} of ${big.length} files over 15 KB give no reason`);
    process.exitCode = 1;
  } else console.log(`check-sizes: ok (${files.length} files; ${big.length} over 15 KB, each with a Size: reason)`);
}
