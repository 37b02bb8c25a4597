#!/usr/bin/env node
// The import-rule check (`npm test` step "checks", `npm run check`): which folder ("layer") of
// src/ and workers/ may import which. docs/architecture.md wants the lower layers (protocol,
// codecs, channels, display) to know nothing of the ones above them, the page to use only the
// public entry src/embed/index.ts, and the Node proxy to share nothing with the browser side;
// tsconfig project references catch part of that (lib sets), this catches the rest.
//
// Scans every .ts file under src/ and workers/ (not node_modules, dist, build) for relative
// specifiers of `import … from '…'`, `import '…'`, `export … from '…'`, `import('…')` (also the
// type-level `import('…').T`) and `new URL('…', import.meta.url)`, outside comments. Type-only
// imports count the same as value imports. Every specifier is resolved to a path and then to a
// layer: the longest key of RULES.layers that is the path's folder (or, for file keys such as
// src/main.ts, the file itself). A file may import its own layer and what its layer lists;
// an entry that is a file (has an extension) allows only that module.
//  - Tests (*.test.ts) follow their layer's rule and may also import RULES.testsMayAlso
//    (test helpers in scripts/, recorded sessions in fixtures/).
//  - `new URL('…/workers/x.ts', import.meta.url)` from a RULES.workerUrls.from layer is allowed:
//    that is how the bundler finds worker entries; an `import` of the same file is not.
//  - `new URL()` of a directory or a non-code file outside src/ and workers/ is an asset path,
//    not an import (src/proxy/cli-common.ts: '../../client/' is dist/client at run time).
//  - A .ts file in a folder the table does not know is an error: add the layer to RULES.
// Output: `file:line: layer 'x' may not import 'y' (specifier)` per violation; exit 1 when any.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { walkFiles } from './lib/walk-files.mjs';

const BELOW_SESSION = ['src/protocol', 'src/codecs', 'src/channels', 'src/display', 'src/input', 'src/audio', 'src/agent', 'src/usb', 'src/common'];
const FEATURE = ['src/protocol', 'src/channels', 'src/common']; // input, audio, agent, usb

/**
 * @typedef {object} Rules
 * @property {Record<string, string[]>} layers  layer (folder, or a file with its extension) -> the
 *   layers (or single modules, with extension) it may import besides itself
 * @property {string[]} testsMayAlso  top folders *.test.ts files may import as well
 * @property {Record<string, string[]>} [testsMayAlsoByLayer]  layers the tests of one layer may import as well
 * @property {{ from: string[], to: string }} workerUrls  new URL(…, import.meta.url) worker entries
 */

/** The rule table: layer -> what it may import besides itself. Plain data. @type {Rules} */
export const RULES = {
  layers: {
    'src/common': [],
    'src/protocol': [],
    'src/codecs': [],
    'src/channels': ['src/protocol', 'src/common'],
    'src/display': ['src/protocol', 'src/codecs', 'src/channels', 'src/common'],
    'src/input': FEATURE,
    'src/audio': FEATURE,
    'src/agent': FEATURE,
    'src/usb': FEATURE,
    'src/session': BELOW_SESSION,
    'src/ui': [...BELOW_SESSION, 'src/session'],
    'src/embed': [...BELOW_SESSION, 'src/session', 'src/ui'],
    'src/main.ts': ['src/embed/index.ts'],
    'src/vite-env.d.ts': [],
    'src/proxy': [],
    workers: ['src/protocol', 'src/codecs', 'src/channels', 'src/display', 'src/audio', 'src/common'],
  },
  /** extra targets for *.test.ts files */
  testsMayAlso: ['scripts', 'fixtures'],
  /**
   * extra layers the tests of one layer may import: codec tests name image types and formats by
   * the wire enums (src/protocol/enums.ts), which the codecs themselves never need
   */
  testsMayAlsoByLayer: { 'src/codecs': ['src/protocol'] },
  /** `new URL('…', import.meta.url)` worker entries: from these layers to this one */
  workerUrls: { from: ['src/session', 'src/embed'], to: 'workers' },
};

/** @typedef {{ path: string, text: string }} SourceFile  path: repo-relative, '/'-separated */
/**
 * @typedef {object} Violation
 * @property {string} file
 * @property {number} line
 * @property {string | null} layer   null: the file's own layer is unknown
 * @property {string} target         the target's layer, or its module path for file rules
 * @property {string} specifier
 * @property {string} message        the output line
 */
/** @typedef {{ specifier: string, line: number, kind: 'import' | 'url' }} Ref */

const CODE_EXT = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SOURCE_ROOTS = ['src', 'workers'];

/**
 * Blanks out comments and the contents of strings, templates and regex literals (quotes stay;
 * newlines stay, so offsets and line numbers do): what is left is code, and a specifier is read
 * back from the original text at its quote. Regex literals are told from division by the previous
 * significant character.
 * @param {string} text
 */
export function maskNonCode(text) {
  const out = text.split('');
  const n = text.length;
  let i = 0;
  let prev = ''; // last significant character or word end outside comments/strings
  /** @param {number} from @param {number} to */
  const blank = (from, to) => {
    for (let k = from; k < to && k < n; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  /** @param {string} q @returns {void} */
  const skipString = (q) => {
    const from = ++i;
    while (i < n && text[i] !== q && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
    blank(from, i);
    i++;
  };
  /** Skips a template literal from its backtick, with nested ${ … } code. @returns {void} */
  const skipTemplate = () => {
    i++;
    while (i < n && text[i] !== '`') {
      if (text[i] === '$' && text[i + 1] === '{') {
        i += 2;
        code(1);
      } else {
        const step = text[i] === '\\' ? 2 : 1;
        blank(i, i + step);
        i += step;
      }
    }
    i++;
  };
  /** Scans code until the brace depth drops below `depth` (0: to the end). @param {number} depth */
  function code(depth) {
    let d = depth;
    while (i < n) {
      const c = text[i];
      if (c === '/' && text[i + 1] === '/') {
        const end = text.indexOf('\n', i);
        blank(i, end < 0 ? n : end);
        i = end < 0 ? n : end;
      } else if (c === '/' && text[i + 1] === '*') {
        const end = text.indexOf('*/', i + 2);
        blank(i, end < 0 ? n : end + 2);
        i = end < 0 ? n : end + 2;
      } else if (c === '"' || c === "'") {
        skipString(c);
        prev = 'a';
      } else if (c === '`') {
        skipTemplate();
        prev = 'a';
      } else if (c === '/' && (prev === '' || /[(,=:[!&|?{};+\-*%<>~^]/.test(prev) || /\b(return|typeof|case|do|else|in|of|void|yield|await)$/.test(text.slice(Math.max(0, i - 8), i).trimEnd()))) {
        // regex literal: skip to the closing slash (outside a character class)
        const from = ++i;
        let cls = false;
        while (i < n && text[i] !== '\n' && (cls || text[i] !== '/')) {
          if (text[i] === '\\') i++;
          else if (text[i] === '[') cls = true;
          else if (text[i] === ']') cls = false;
          i++;
        }
        blank(from, i);
        i++;
        prev = 'a';
      } else {
        if (c === '{') d++;
        else if (c === '}' && --d < depth && depth > 0) {
          i++;
          return;
        }
        if (!/\s/.test(c)) prev = c;
        i++;
      }
    }
  }
  code(0);
  return out.join('');
}

const PATTERNS = /** @type {const} */ ([
  // import x from '…', import type { X } from '…', export * from '…', export { a } from '…'
  [/(?<![.\w$])(?:import|export)\b[\w$\s{},*]*?\bfrom\s*(['"])([^'"\n]*)\1/g, 'import'],
  // import '…' (side effects only)
  [/(?<![.\w$])import\s*(['"])([^'"\n]*)\1/g, 'import'],
  // import('…'), as a value or a type
  [/(?<![.\w$])import\s*\(\s*(['"])([^'"\n]*)\1/g, 'import'],
  [/(?<![.\w$])new\s+URL\s*\(\s*(['"])([^'"\n]*)\1\s*,\s*import\.meta\.url\s*\)/g, 'url'],
]);

/**
 * The relative specifiers of one file, with the line each specifier string is on.
 * @param {string} text @returns {Ref[]}
 */
export function findRefs(text) {
  const code = maskNonCode(text);
  /** @type {Ref[]} */
  const refs = [];
  for (const [re, kind] of PATTERNS) {
    for (const m of code.matchAll(re)) {
      // the string's quote: the last quote of the match's opening pair (blanked contents, same length)
      const at = (m.index ?? 0) + m[0].lastIndexOf(m[1] + m[2] + m[1]);
      const specifier = text.slice(at + 1, at + 1 + m[2].length);
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) continue;
      refs.push({ specifier, line: code.slice(0, at).split('\n').length, kind });
    }
  }
  return refs.sort((a, b) => a.line - b.line);
}

/** 'src/embed/index.ts', 'src/embed/index', 'src/embed' -> 'src/embed'. @param {string} p */
const canonical = (p) => p.replace(/\/$/, '').replace(/(\.d)?\.(ts|tsx|mts|cts|js|mjs|cjs)$/, '').replace(/\/index$/, '');
/** @param {string} key */
const isFileKey = (key) => /\.[a-z]+$/.test(key);

/**
 * The layer a repo-relative path belongs to, or null when no rule covers it.
 * @param {string} p @param {Rules} rules
 */
export function layerOf(p, rules) {
  let best = null;
  for (const key of Object.keys(rules.layers)) {
    const hit = isFileKey(key) ? canonical(p) === canonical(key) : p === key || p.startsWith(key + '/');
    if (hit && (best === null || key.length > best.length)) best = key;
  }
  return best;
}

/** Where a path outside the layers points: its top folder ('scripts', 'fixtures', …) or '..'. @param {string} p */
const outsideName = (p) => (p.startsWith('../') || p === '..' ? '..' : p.split('/')[0]);
/** @param {string} p */
const inSourceRoots = (p) => SOURCE_ROOTS.some((r) => p === r || p.startsWith(r + '/'));

/**
 * Checks files against the rule table. Pure: no disk access.
 * @param {SourceFile[]} files @param {Rules} [rules] @returns {Violation[]}
 */
export function checkImports(files, rules = RULES) {
  validateRules(rules);
  /** @type {Violation[]} */
  const out = [];
  for (const f of files) {
    const file = f.path.replace(/\\/g, '/');
    const layer = layerOf(file, rules);
    if (layer === null) {
      const folder = file.split('/').slice(0, 2).join('/');
      out.push({ file, line: 1, layer: null, target: folder, specifier: '', message: `${file}:1: unknown layer '${folder}', add it to the rule table (scripts/check-imports.mjs RULES)` });
      continue;
    }
    const allowed = rules.layers[layer];
    const isTest = /\.test\.ts$/.test(file);
    for (const ref of findRefs(f.text)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), ref.specifier));
      const targetLayer = layerOf(target, rules);
      if (ref.kind === 'url') {
        if (!inSourceRoots(target) && !CODE_EXT.test(target)) continue; // an asset path, not an import
        if (targetLayer === rules.workerUrls.to && rules.workerUrls.from.includes(layer) && CODE_EXT.test(target)) continue;
      }
      if (targetLayer === layer) continue;
      if (targetLayer !== null && allowed.includes(targetLayer)) continue;
      const fileRule = allowed.find((a) => isFileKey(a) && canonical(a) === canonical(target));
      if (fileRule) continue;
      const outside = targetLayer === null && !inSourceRoots(target);
      if (isTest && outside && rules.testsMayAlso.includes(outsideName(target))) continue;
      if (isTest && targetLayer !== null && (rules.testsMayAlsoByLayer?.[layer] ?? []).includes(targetLayer)) continue;
      const named = targetLayer === null
        ? outside ? outsideName(target) : target.split('/').slice(0, 2).join('/')
        : allowed.some((a) => isFileKey(a) && layerOf(a, rules) === targetLayer) ? canonical(target) : targetLayer;
      const why = targetLayer === null && !outside ? ', an unknown layer: add it to the rule table' : '';
      out.push({
        file, line: ref.line, layer, target: named, specifier: ref.specifier,
        message: `${file}:${ref.line}: layer '${layer}' may not import '${named}' (${ref.specifier}${why})`,
      });
    }
  }
  return out;
}

/** Every layer a rule names must exist, so a typo cannot silently allow nothing. @param {Rules} rules */
function validateRules(rules) {
  const layers = rules.layers;
  for (const [layer, allowed] of Object.entries(layers)) {
    for (const a of allowed) {
      if (!isFileKey(a) && !(a in layers)) throw new Error(`check-imports: rule for '${layer}' names unknown layer '${a}'`);
      if (isFileKey(a) && layerOf(a, rules) === null) throw new Error(`check-imports: rule for '${layer}' names '${a}' in no layer`);
    }
  }
  for (const l of [...rules.workerUrls.from, rules.workerUrls.to]) if (!(l in layers)) throw new Error(`check-imports: workerUrls names unknown layer '${l}'`);
}

const SKIP_DIRS = new Set(['node_modules', 'dist', 'build']);

/**
 * The .ts files under `dirs` of `root`, read from disk.
 * @param {string} root @param {string[]} [dirs] @returns {SourceFile[]}
 */
export function readSourceTree(root, dirs = SOURCE_ROOTS) {
  return walkFiles(root, dirs, { skipDirs: SKIP_DIRS, keep: (n) => n.endsWith('.ts') })
    .map((p) => ({ path: p, text: readFileSync(path.join(root, p), 'utf8') }));
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const files = readSourceTree(ROOT);
  const violations = checkImports(files);
  for (const v of violations) console.log(v.message);
  const refs = files.reduce((s, f) => s + findRefs(f.text).length, 0);
  if (violations.length) {
    console.log(`check-imports: ${violations.length} violation(s) in ${files.length} files; fix the import or, if the design changed, the rule table in scripts/check-imports.mjs (and docs/architecture.md)`);
    process.exitCode = 1;
  } else console.log(`check-imports: ok (${files.length} files, ${refs} relative specifiers)`);
}
