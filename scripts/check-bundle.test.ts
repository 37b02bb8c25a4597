// Tests of the client bundle-size budget (scripts/check-bundle.mjs) on assets written to a temp
// dir: within the budget passes with the headroom printed, over it fails with the fix to make.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BUDGET_FILE, checkBundle, measureAssets, readBudget } from './check-bundle.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'check-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// pseudo-random text compresses poorly, so the sizes are well above zero and differ per file
let seed = 1;
const noise = (n: number) => Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 36).toString(36)).join('');
const files: Record<string, string> = {
  'index-abc.js': `console.log(${JSON.stringify(noise(6000))});`,
  'display-worker-def.js': `self.onmessage = () => ${JSON.stringify(noise(9000))};`,
  'index-abc.css': `body { --x: "${noise(500)}"; }`,
  'index-abc.js.map': noise(50_000), // not counted
  'logo.svg': noise(10_000), // not counted
};
for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
const expected = ['display-worker-def.js', 'index-abc.css', 'index-abc.js'].reduce((s, n) => s + gzipSync(readFileSync(path.join(dir, n)), { level: 9 }).length, 0);

describe('check-bundle', () => {
  it('measures the gzipped .js and .css files only', () => {
    const assets = measureAssets(dir);
    expect(assets.map((a) => a.name)).toEqual(['display-worker-def.js', 'index-abc.css', 'index-abc.js']);
    expect(assets.reduce((s, a) => s + a.gzipBytes, 0)).toBe(expected);
    expect(expected).toBeGreaterThan(5000);
  });

  it('passes within the budget and prints the headroom', () => {
    const r = checkBundle(measureAssets(dir), { clientGzipBytes: expected + 1000 });
    expect(r.ok).toBe(true);
    expect(r.total).toBe(expected);
    expect(r.lines.at(-1)).toMatch(new RegExp(`^check-bundle: ok, client ${expected} B gzipped .* headroom 1000 B`));
    expect(r.lines.filter((l) => l.includes('index-abc.js'))).toHaveLength(1);
    expect(checkBundle(measureAssets(dir), { clientGzipBytes: expected }).ok).toBe(true);
  });

  it('fails over the budget and says to update bundle-budget.json with a reason', () => {
    const r = checkBundle(measureAssets(dir), { clientGzipBytes: expected - 1 });
    expect(r.ok).toBe(false);
    expect(r.lines.join('\n')).toMatch(/over the budget of \d+ B .* by 1 B/);
    expect(r.lines.join('\n')).toMatch(/bundle-budget\.json.*"note"/);
  });

  it('fails when there is nothing to measure, and on a broken budget', () => {
    const empty = mkdtempSync(path.join(dir, 'empty-'));
    expect(checkBundle(measureAssets(empty), { clientGzipBytes: 1000 }).ok).toBe(false);
    expect(() => checkBundle([], { clientGzipBytes: Number.NaN })).toThrow(/positive integer/);
  });

  it('has a checked-in budget with a note', () => {
    const b = readBudget(BUDGET_FILE);
    expect(Number.isInteger(b.clientGzipBytes) && b.clientGzipBytes > 0).toBe(true);
    expect(b.note?.length ?? 0).toBeGreaterThan(20);
  });
});
