// Records the replay fixtures in fixtures/xspice/: one Xspice (surfaces + image cache on) at a
// small geometry so fixtures stay small, known content (photo background, 8-bit palette window,
// xterm), then one recording per image-compression mode while an xterm types and scrolls.
//   node scripts/record-fixtures.mjs [modes...]     (default: off quic lz glz auto_glz auto_lz lz4)
import { execFileSync, spawn } from 'node:child_process';
import { startXspice } from './lib/xspice.mjs';
import { showPhoto, showPalette8, startXterm } from './lib/content.mjs';

const modes = process.argv.slice(2).length ? process.argv.slice(2) : ['off', 'quic', 'lz', 'glz', 'auto_glz', 'auto_lz', 'lz4'];
const out = process.env.OUT ?? 'fixtures/xspice';
const xs = await startXspice({ geometry: process.env.GEOMETRY ?? '400x300', imageCompression: 'auto_glz' });
try {
  await showPhoto(xs, { seed: 3 });
  await showPalette8(xs, { x: 250, y: 10, width: 120, height: 80, colors: 200 });
  const term = await startXterm(xs, { x: 10, y: 120, cols: 40, rows: 8, fontSize: 10 });
  for (const m of modes) {
    // the recorder runs asynchronously: the activity must happen while it is connected
    const child = spawn('npx', ['tsx', 'scripts/record-display.ts', '--port', String(xs.port), '--out', `${out}/${m}`,
      '--compression', m, '--display', xs.display, '--idle-ms', '3000', ...(m === 'lz4' ? ['--caps', 'lz4'] : [])],
      { env: { ...process.env, DISPLAY: xs.display }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    const done = new Promise((r) => child.on('exit', r));
    const activity = (async () => {
      await new Promise((r) => setTimeout(r, 2000));
      await term.typeWithXdotool(`${m} mode: the quick brown fox\n`, 5);
      await new Promise((r) => setTimeout(r, 300));
      await term.typeWithXdotool('a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n', 5);
      await new Promise((r) => setTimeout(r, 300));
      execFileSync('xdotool', ['search', '--name', term.title, 'windowmove', '%@', '30', '140'], { env: xs.env });
      await new Promise((r) => setTimeout(r, 300));
      execFileSync('xdotool', ['search', '--name', term.title, 'windowmove', '%@', '10', '120'], { env: xs.env });
    })();
    await activity;
    await done;
    const meta = JSON.parse(stdout.trim().split('\n').pop());
    console.log(m, meta.bytes, JSON.stringify(meta.imageTypes));
  }
} finally {
  await xs.stop();
}
