// Tests of the file-size check (scripts/check-sizes.mjs): a planted big file fails without a
// `Size:` reason in its opening comment and passes with one; small files need none; the real
// tree passes.
import { describe, expect, it } from 'vitest';
import { checkSizes, LIMIT_BYTES, openingComment, readSizedTree, ROOT, sizeReason } from './check-sizes.mjs';

const body = 'export const x = 1;\n'.repeat(Math.ceil((LIMIT_BYTES + 100) / 20));
const big = (header: string, path = 'src/display/big.ts') => {
  const text = header + body;
  return { path, size: Buffer.byteLength(text), text };
};
const REASON = 'one table per opcode family, kept together so lookups stay flat';

describe('check-sizes', () => {
  it('fails a big file without a reason, naming it', () => {
    const v = checkSizes([big('// Draw ops.\n')]);
    expect(v.map((x) => x.file)).toEqual(['src/display/big.ts']);
    expect(v[0].message).toMatch(/^src\/display\/big\.ts: 15\.\d KB is over 15 KB .*Size:/);
  });

  it('passes a big file whose opening comment gives a reason', () => {
    expect(checkSizes([big(`// Draw ops.\n//\n// Size: ${REASON}\n`)])).toEqual([]);
    expect(checkSizes([big(`#!/usr/bin/env node\n// Tool.\n// size:   ${REASON}\n`, 'scripts/tool.mjs')])).toEqual([]);
    expect(checkSizes([big(`/**\n * Draw ops.\n *\n * Size: ${REASON}\n */\n`)])).toEqual([]);
    expect(checkSizes([big(`/*\n * harness server\n   SIZE: ${REASON}\n */\n`, 'e2e/harness/x.c')])).toEqual([]);
    expect(checkSizes([big(`/** Size: ${REASON} */\n`)])).toEqual([]);
  });

  it('does not count a reason that is too short, misplaced or not in the opening comment', () => {
    const cases = [
      '// Size: big\n', // under 20 characters
      '// Size:\n// one table per opcode family, kept together\n', // reason not on the Size: line
      `// Draw ops.\n// The Size: ${REASON}\n`, // not at the line start
      `import { a } from './a';\n// Size: ${REASON}\n`, // not the opening comment
      `// Draw ops.\n\n// Size: ${REASON}\n`, // a second comment block
      `/* Draw ops. */\n/* Size: ${REASON} */\n`,
      `// Size (about 16 KB): ${REASON}\n`, // needs the exact marker
    ];
    for (const header of cases) expect(checkSizes([big(header)]), header).toHaveLength(1);
  });

  it('leaves files at or under the limit alone', () => {
    expect(checkSizes([{ path: 'src/a.ts', size: LIMIT_BYTES, text: '' }, { path: 'src/b.ts', size: 10, text: 'x' }])).toEqual([]);
    expect(checkSizes([{ path: 'src/a.ts', size: LIMIT_BYTES + 1, text: '' }])).toHaveLength(1);
  });

  it('reads opening comments', () => {
    expect(openingComment('#!/usr/bin/env node\n\n// a\n//   b\ncode\n// c')).toEqual(['a', '  b']);
    expect(openingComment('/**\n * a\n * b */\ncode')).toEqual(['', 'a', 'b']);
    expect(openingComment('code // a')).toEqual([]);
    expect(sizeReason(`/**\n * x\n * Size: ${REASON}\n */`)).toBe(REASON);
  });

  it('passes on the real tree', () => {
    const files = readSizedTree(ROOT);
    expect(files.some((f) => f.path === 'scripts/check-sizes.mjs')).toBe(true);
    expect(files.some((f) => /(^|\/)(node_modules|dist|build|fixtures)\//.test(f.path))).toBe(false);
    expect(checkSizes(files).map((v) => v.message)).toEqual([]);
  });
});
