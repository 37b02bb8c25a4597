/**
 * Records a display channel session from a real SPICE server, for replay fixtures.
 *
 *   npx tsx scripts/record-display.ts --port 5901 --out fixtures/xspice/quic \
 *     [--compression quic|lz|glz|off|auto_glz|auto_lz|lz4] [--caps composite,a8,lz4] \
 *     [--idle-ms 1500] [--max-ms 15000] [--display :1] [--password pw]
 *
 * Links main + display channels like our client (same caps and DISPLAY_INIT), asks for the image
 * compression with PREFERRED_COMPRESSION, and writes:
 *   <out>.bin        the display channel's data-phase bytes from the server, i.e. a stream of
 *                    mini-header messages (u16 type, u32 size, body) exactly as received
 *   <out>.json       metadata: server, compression, caps, message counts by type, image types
 *   <out>.truth.png  the X server framebuffer (xwd -root) at the end, when --display is given
 * The recording stops once the server has been quiet for --idle-ms.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';
import { SpiceChannel } from '../src/channels/channel';
import { MainChannel } from '../src/channels/main-channel';
import { ChannelType, DisplayCap, ImageCompression, MsgDisplay, MsgcDisplay } from '../src/protocol/enums';
import { buildDisplayInit, buildPreferredCompression } from '../src/protocol/display';
import { hasCap } from '../src/protocol/caps';
import type { SpiceReader } from '../src/protocol/reader';
import { MessageFramer } from '../src/protocol/framing';
import { TcpTransport, webCryptoEncrypt } from './lib/tcp-transport';
import { imageTypesInStream } from './lib/stream-stats';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const host = args.get('host') ?? '127.0.0.1';
const port = Number(args.get('port') ?? 5900);
const out = args.get('out') ?? 'fixtures/recording';
const compression = args.get('compression');
const caps = (args.get('caps') ?? '').split(',').filter(Boolean);
const idleMs = Number(args.get('idle-ms') ?? 1500);
const maxMs = Number(args.get('max-ms') ?? 15000);
const password = args.get('password') ?? '';

class RecordingDisplay extends SpiceChannel {
  counts = new Map<number, number>();
  protected channelCaps(): number[] {
    const c: number[] = [DisplayCap.SIZED_STREAM, DisplayCap.MONITORS_CONFIG, DisplayCap.STREAM_REPORT, DisplayCap.MULTI_CODEC, DisplayCap.CODEC_MJPEG];
    if (caps.includes('composite')) c.push(DisplayCap.COMPOSITE);
    if (caps.includes('a8')) c.push(DisplayCap.A8_SURFACE);
    if (caps.includes('lz4') || compression === 'lz4') c.push(DisplayCap.LZ4_COMPRESSION);
    return c;
  }
  protected override onLinked(): void {
    this.send(MsgcDisplay.INIT, buildDisplayInit({ pixmapCacheId: 1, pixmapCacheSize: BigInt((80 << 20) / 4), glzDictionaryId: 1, glzDictionaryWindowSize: (16 << 20) / 4 }));
    if (compression && hasCap(this.serverChannelCaps, DisplayCap.PREF_COMPRESSION)) {
      const v = ImageCompression[compression.toUpperCase() as keyof typeof ImageCompression];
      if (!v) throw new Error(`unknown compression ${compression}`);
      this.send(MsgcDisplay.PREFERRED_COMPRESSION, buildPreferredCompression(v));
    }
  }
  protected handle(type: number, _r: SpiceReader): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
  }
}

const chunks: Uint8Array[] = [];
let last = Date.now();
const t0 = Date.now();
const main = new MainChannel({ transport: new TcpTransport(host, port), password, encrypt: webCryptoEncrypt });
let display: RecordingDisplay | null = null;
main.ev.on('closed', (c) => {
  if (c.error) {
    console.error('main channel:', c.error.message);
    process.exit(1);
  }
});
main.ev.on('channels', (list) => {
  const d = list.find((c) => c.type === ChannelType.DISPLAY && c.id === 0);
  if (!d) throw new Error('no display channel');
  display = new RecordingDisplay({
    transport: new TcpTransport(host, port), channelType: ChannelType.DISPLAY, channelId: 0, connectionId: main.sessionId,
    password, encrypt: webCryptoEncrypt,
    tap: (b) => {
      chunks.push(b.slice());
      last = Date.now();
    },
  });
  display.ev.on('closed', (c) => c.error && console.error('display channel:', c.error.message));
  display.start();
});
main.start();

const timer = setInterval(() => {
  const now = Date.now();
  if ((chunks.length && now - last > idleMs) || now - t0 > maxMs) {
    clearInterval(timer);
    finish();
  }
}, 100);

function finish(): void {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const bin = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    bin.set(c, o);
    o += c.length;
  }
  mkdirSync(dirname(out), { recursive: true });
  // keep only whole messages (a chunk may end mid-message when we stop)
  const framer = new MessageFramer();
  framer.push(bin);
  let whole = 0;
  const counts: Record<string, number> = {};
  for (let m = framer.next(); m; m = framer.next()) {
    whole += 6 + m.body.length;
    const name = Object.entries(MsgDisplay).find(([, v]) => v === m!.type)?.[0] ?? String(m.type);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  writeFileSync(`${out}.bin`, bin.subarray(0, whole));
  const meta = {
    recorded: new Date().toISOString(),
    server: args.get('server') ?? 'xspice',
    compression: compression ?? 'server default',
    clientCaps: caps,
    bytes: whole,
    messages: counts,
    imageTypes: imageTypesInStream(bin.subarray(0, whole)),
    howRecorded: `npx tsx scripts/record-display.ts ${process.argv.slice(2).join(' ')}`,
  };
  writeFileSync(`${out}.json`, JSON.stringify(meta, null, 2) + '\n');
  const disp = args.get('display');
  if (disp) {
    const raw = execFileSync('sh', ['-c', `xwd -silent -root -display ${disp} | /usr/bin/convert xwd:- -alpha off -depth 8 rgba:-`], { maxBuffer: 1 << 28 });
    const geo = execFileSync('sh', ['-c', `xdpyinfo -display ${disp} | awk '/dimensions:/{print $2}'`]).toString().trim();
    const [w, h] = geo.split('x').map(Number) as [number, number];
    const png = new PNG({ width: w, height: h });
    png.data = Buffer.from(raw.subarray(0, w * h * 4));
    writeFileSync(`${out}.truth.png`, PNG.sync.write(png));
  }
  console.log(JSON.stringify(meta));
  display?.close();
  main.close();
  setTimeout(() => process.exit(0), 100);
}
