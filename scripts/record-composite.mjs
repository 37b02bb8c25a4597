// Tries to record an Xspice display session that carries DRAW_COMPOSITE (for fixtures of
// src/display/ops/composite.ts): the recorder advertises COMPOSITE and A8_SURFACE, and RENDER
// clients (anti-aliased Xft xterms, one with sub-pixel/component-alpha glyphs, xclock -render
// analog and digital) start only after it is connected, so the driver would create their glyph
// and mask pixmaps as 8_A surfaces and accelerate their Composite requests.
//
// Result with Debian's xserver-xspice 0.1.5+git20200331: NO DRAW_COMPOSITE and no 8_A surface.
// In the driver's XSPICE build qxl_has_composite() and qxl_has_a8_surfaces() end in
// "#else /* FIXME */ return FALSE" (xf86-video-qxl's UXA glue), so RENDER falls back to
// software and reaches the client as DRAW_COPY of ARGB surfaces. Only a QEMU guest with
// the UMS xf86-video-qxl driver (QXL revision >= 4, not KMS) sends DRAW_COMPOSITE. The script
// prints the message counts so the claim can be re-checked:
//   node scripts/record-composite.mjs [out]     (default /tmp/composite-attempt/composite)
import { spawn } from 'node:child_process';
import { startXspice } from './lib/xspice.mjs';
import { setRootSolid, startXterm, xsync } from './lib/content.mjs';

const out = process.argv[2] ?? '/tmp/composite-attempt/composite';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const xs = await startXspice({ geometry: '320x240', imageCompression: 'lz' });
try {
  await setRootSolid(xs, '#203040');
  const child = spawn('npx', ['tsx', 'scripts/record-display.ts', '--port', String(xs.port), '--out', out,
    '--compression', 'lz', '--display', xs.display, '--idle-ms', '3000', '--max-ms', '60000', '--caps', 'composite,a8'],
  { env: { ...process.env, DISPLAY: xs.display }, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d) => { stdout += d; });
  const done = new Promise((r) => child.on('exit', r));
  await sleep(2500); // linked and caps seen by the driver
  // grayscale anti-aliased glyphs: OVER with a solid source and an A8 glyph mask
  const term = await startXterm(xs, { x: 4, y: 4, cols: 30, rows: 5, fontSize: 9, banner: 'Xft AA: composite glyphs\n' });
  await term.typeWithXdotool('the quick brown fox\n', 5);
  // sub-pixel glyphs: component-alpha masks (Xft reads Xft.rgba from the resource database)
  xs.spawnClient('xterm', ['-display', xs.display, '-geometry', '28x3+4+110', '-fa', 'DejaVu Sans Mono', '-fs', '9',
    '-fg', 'yellow', '-bg', '#402020', '-bw', '0', '+sb', '-xrm', 'Xft.rgba: rgb', '-xrm', 'Xft.antialias: true',
    '-T', 'subpixel', '-e', 'sh', '-c', 'printf "subpixel RGB glyphs\\nComponent alpha"; exec sleep 600'], { name: 'xterm-rgba' });
  // anti-aliased clock hands and face: RENDER trapezoids/polygons through A8 masks
  xs.spawnClient('xclock', ['-display', xs.display, '-geometry', '100x100+210+120', '-render', '-update', '3600',
    '-bw', '0', '-title', 'clock'], { name: 'xclock' });
  xs.spawnClient('xclock', ['-display', xs.display, '-geometry', '110x30+200+10', '-digital', '-render', '-face', 'DejaVu Sans-10',
    '-strftime', '%H:%M', '-update', '3600', '-bw', '0', '-title', 'dclock'], { name: 'xclock-digital' });
  await sleep(1500);
  await xsync(xs);
  await term.typeWithXdotool('jumps over the lazy dog\n', 5);
  await done;
  const meta = JSON.parse(stdout.trim().split('\n').pop());
  console.log(meta.bytes, JSON.stringify(meta.messages));
  console.log(meta.messages.DRAW_COMPOSITE ? `DRAW_COMPOSITE: ${meta.messages.DRAW_COMPOSITE}` : 'no DRAW_COMPOSITE in this recording');
} finally {
  await xs.stop();
}
