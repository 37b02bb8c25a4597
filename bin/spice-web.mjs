#!/usr/bin/env node
// spice-web: the WebSocket -> SPICE proxy. The code lives in src/proxy (TypeScript) and runs
// from its build output, dist/node/proxy.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/node/proxy/cli.js');
if (!existsSync(cli)) {
  process.stderr.write(
    `spice-web: ${path.relative(process.cwd(), cli) || cli} is missing: the proxy has not been built.\n` +
      `Run \`npm run build\` (or just \`npx tsc -p src/proxy\`) in ${root} first.\n`,
  );
  process.exit(1);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
