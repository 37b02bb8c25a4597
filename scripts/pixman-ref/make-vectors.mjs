#!/usr/bin/env node
/**
 * Regenerate fixtures/pixman/composite.json: DRAW_COMPOSITE reference results computed by the
 * system's libpixman (the library spice-common's sw canvas and Xorg composite with), for
 * src/display/ops/composite.test.ts. The cases are drawn from a seeded xorshift32 generator
 * that the test replays; see composite-ref.c.
 *   node scripts/pixman-ref/make-vectors.mjs [seed] [count]
 * Needs gcc and libpixman-1.so.0 (no headers).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const seed = process.argv[2] ?? '20261124';
const count = process.argv[3] ?? '1200';
const exe = join(mkdtempSync(join(tmpdir(), 'pixmanref-')), 'composite-ref');
execFileSync('gcc', ['-O2', '-Wall', '-o', exe, join(here, 'composite-ref.c'), '-l:libpixman-1.so.0'], { stdio: 'inherit' });
const out = join(here, '../../fixtures/pixman/composite.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, execFileSync(exe, [seed, count], { maxBuffer: 1 << 26 }));
console.log('wrote', out);
