// The file walk the checks share (check-imports, check-sizes): every file under `dirs` of `root`
// whose name `keep` accepts, skipping the named directories, as repo-relative '/'-separated paths,
// sorted. A missing directory is simply empty.
import { readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * @param {string} root @param {string[]} dirs
 * @param {{ skipDirs: Set<string>, keep: (name: string) => boolean }} o
 * @returns {string[]}
 */
export function walkFiles(root, dirs, o) {
  /** @type {string[]} */
  const out = [];
  /** @param {string} rel */
  const walk = (rel) => {
    let entries;
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!o.skipDirs.has(e.name)) walk(p);
      } else if (e.isFile() && o.keep(e.name)) out.push(p);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort((a, b) => a.localeCompare(b));
}
