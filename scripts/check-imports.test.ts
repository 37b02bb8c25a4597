// Tests of the import-rule check (scripts/check-imports.mjs): the real tree must pass, and
// wrong-way imports planted into an in-memory copy of it must each be reported at the right
// file and line, so the check cannot silently stop checking.
import { describe, expect, it } from 'vitest';
import { checkImports, findRefs, layerOf, readSourceTree, ROOT, RULES, type SourceFile } from './check-imports.mjs';

const tree = readSourceTree(ROOT);

/** The violation lines for `planted` files when they are added to (or replace files in) the real tree. */
function plant(planted: SourceFile[]): { lines: string[]; others: string[] } {
  const paths = new Set(planted.map((f) => f.path));
  const files = [...tree.filter((f) => !paths.has(f.path)), ...planted];
  const all = checkImports(files, RULES);
  return {
    lines: all.filter((v) => paths.has(v.file)).map((v) => v.message),
    others: all.filter((v) => !paths.has(v.file)).map((v) => v.message),
  };
}
const baseline = checkImports(tree, RULES).map((v) => v.message);

describe('check-imports on the real tree', () => {
  it('reads the tree', () => {
    expect(tree.some((f) => f.path === 'src/main.ts')).toBe(true);
    expect(tree.some((f) => f.path.startsWith('workers/'))).toBe(true);
    expect(tree.some((f) => f.path.includes('node_modules') || f.path.startsWith('dist/'))).toBe(false);
  });

  it('finds no violations', () => {
    expect(baseline).toEqual([]);
  });

  it('knows the layer of every file', () => {
    expect(tree.filter((f) => layerOf(f.path, RULES) === null).map((f) => f.path)).toEqual([]);
  });
});

describe('check-imports catches wrong-way imports', () => {
  it('reports each planted import with its file and line', () => {
    const { lines, others } = plant([
      { path: 'src/protocol/x.ts', text: "// a protocol module\nimport { DisplayCore } from '../display/core';\nexport const x = 1;\n" },
      { path: 'src/channels/y.ts', text: "import { Reader } from '../protocol/reader';\n\nimport { Keyboard } from '../input/keyboard';\n" },
      { path: 'src/main.ts', text: "import { SpiceClient } from './embed/index';\nimport './ui/spice-client';\nimport { a } from './embed';\nimport { b } from './embed/settings';\n" },
      { path: 'workers/w.ts', text: "import { Core } from '../src/display/core';\nimport { SpiceClient } from '../src/embed/index';\nimport { Session } from '../src/session/session';\n" },
    ]);
    expect(lines.sort()).toEqual([
      "src/channels/y.ts:3: layer 'src/channels' may not import 'src/input' (../input/keyboard)",
      "src/main.ts:2: layer 'src/main.ts' may not import 'src/ui' (./ui/spice-client)",
      "src/main.ts:4: layer 'src/main.ts' may not import 'src/embed/settings' (./embed/settings)",
      "src/protocol/x.ts:2: layer 'src/protocol' may not import 'src/display' (../display/core)",
      "workers/w.ts:2: layer 'workers' may not import 'src/embed' (../src/embed/index)",
      "workers/w.ts:3: layer 'workers' may not import 'src/session' (../src/session/session)",
    ]);
    expect(others).toEqual(baseline.filter((l) => !l.startsWith('src/main.ts:')));
  });

  it('catches type-only imports like value imports', () => {
    const { lines } = plant([
      {
        path: 'src/codecs/t.ts',
        text: [
          "import type { Surface } from '../display/surface';",
          "import { type Rect } from '../protocol/display-types';",
          "export type Stats = import('../display/worker-messages').DisplayStats;",
          "export type { Clock } from '../common/clock';",
        ].join('\n'),
      },
    ]);
    expect(lines).toEqual([
      "src/codecs/t.ts:1: layer 'src/codecs' may not import 'src/display' (../display/surface)",
      "src/codecs/t.ts:2: layer 'src/codecs' may not import 'src/protocol' (../protocol/display-types)",
      "src/codecs/t.ts:3: layer 'src/codecs' may not import 'src/display' (../display/worker-messages)",
      "src/codecs/t.ts:4: layer 'src/codecs' may not import 'src/common' (../common/clock)",
    ]);
  });

  it('reads multi-line, re-export and dynamic forms and ignores comments and strings', () => {
    const text = [
      '/* import { a } from "../ui/x"; */',
      "const re = /['\"]/; // import b from '../ui/y'",
      "const url = 'http://example/'; const s = \"import c from '../ui/z'\";",
      'import {',
      '  A,',
      '  B,',
      "} from '../session/a';",
      "export * from '../embed/b';",
      "const m = await import('../ui/c');",
      'const t = `${1 / 2} // not a comment`; /** @see ../ui/d */',
      "import './side-effect';",
    ].join('\n');
    expect(findRefs(text).map((r) => `${r.line} ${r.specifier}`)).toEqual(['7 ../session/a', '8 ../embed/b', '9 ../ui/c', '11 ./side-effect']);
    const { lines } = plant([{ path: 'src/display/m.ts', text }]);
    expect(lines).toEqual([
      "src/display/m.ts:7: layer 'src/display' may not import 'src/session' (../session/a)",
      "src/display/m.ts:8: layer 'src/display' may not import 'src/embed' (../embed/b)",
      "src/display/m.ts:9: layer 'src/display' may not import 'src/ui' (../ui/c)",
    ]);
  });

  it('allows worker URLs only from session/embed and only as new URL(…, import.meta.url)', () => {
    const worker = "new Worker(new URL('../../workers/display-worker.ts', import.meta.url), { type: 'module' });";
    const { lines } = plant([
      { path: 'src/session/display-client.ts', text: `export const w = () => ${worker}\n` },
      { path: 'src/embed/w.ts', text: `export const w = () => ${worker}\n` },
      { path: 'src/ui/w.ts', text: `export const w = () => ${worker}\n` },
      { path: 'src/session/i.ts', text: "import '../../workers/display-worker';\n" },
      { path: 'src/proxy/dir.ts', text: "export const web = new URL('../../client/', import.meta.url);\nexport const p = new URL('../protocol/enums.ts', import.meta.url);\n" },
    ]);
    expect(lines.sort()).toEqual([
      "src/proxy/dir.ts:2: layer 'src/proxy' may not import 'src/protocol' (../protocol/enums.ts)",
      "src/session/i.ts:1: layer 'src/session' may not import 'workers' (../../workers/display-worker)",
      "src/ui/w.ts:1: layer 'src/ui' may not import 'workers' (../../workers/display-worker.ts)",
    ]);
  });

  it('lets tests import scripts/ and fixtures/, but not the wrong layers', () => {
    const { lines } = plant([
      {
        path: 'src/protocol/z.test.ts',
        text: [
          "import { ScriptedServer } from '../../scripts/lib/scripted-server';",
          "const dir = new URL('../../fixtures/test-server/', import.meta.url);",
          "import { DisplayCore } from '../display/core';",
        ].join('\n'),
      },
      { path: 'workers/w.test.ts', text: "import { fixtureImages } from '../scripts/lib/fixture-images';\n" },
      { path: 'src/protocol/not-a-test.ts', text: "import { ScriptedServer } from '../../scripts/lib/scripted-server';\n" },
      { path: 'src/protocol/e.test.ts', text: "import { x } from '../../e2e/harness/client';\n" },
    ]);
    expect(lines.sort()).toEqual([
      "src/protocol/e.test.ts:1: layer 'src/protocol' may not import 'e2e' (../../e2e/harness/client)",
      "src/protocol/not-a-test.ts:1: layer 'src/protocol' may not import 'scripts' (../../scripts/lib/scripted-server)",
      "src/protocol/z.test.ts:3: layer 'src/protocol' may not import 'src/display' (../display/core)",
    ]);
  });

  it('keeps the proxy apart from the browser side', () => {
    const { lines } = plant([
      { path: 'src/proxy/p.ts', text: "import { MsgDisplay } from '../protocol/enums';\nimport { x } from './config/jwt.js';\n" },
      { path: 'src/ui/u.ts', text: "import { startProxy } from '../proxy/server.js';\n" },
    ]);
    expect(lines.sort()).toEqual([
      "src/proxy/p.ts:1: layer 'src/proxy' may not import 'src/protocol' (../protocol/enums)",
      "src/ui/u.ts:1: layer 'src/ui' may not import 'src/proxy' (../proxy/server.js)",
    ]);
  });

  it('reports files and targets in a folder the rule table does not know', () => {
    const { lines } = plant([
      { path: 'src/newthing/n.ts', text: "export const n = 1;\n" },
      { path: 'src/display/n.ts', text: "import { n } from '../newthing/n';\n" },
    ]);
    expect(lines.sort()).toEqual([
      "src/display/n.ts:1: layer 'src/display' may not import 'src/newthing' (../newthing/n, an unknown layer: add it to the rule table)",
      "src/newthing/n.ts:1: unknown layer 'src/newthing', add it to the rule table (scripts/check-imports.mjs RULES)",
    ]);
  });

  it('rejects a rule table that names a layer it does not define', () => {
    const rules = { ...RULES, layers: { ...RULES.layers, 'src/codecs': ['src/protcol'] } };
    expect(() => checkImports([], rules)).toThrow(/unknown layer 'src\/protcol'/);
  });
});
