// A TCP relay in front of a SPICE server that hands the client one channel's first data in a
// single write: after that channel's link reply and auth result it holds the server's bytes until
// they hold `messages` whole messages (or `maxHoldMs` passed), then writes them at once
// (everything later passes straight through). The client then
// reads the SET_ACK and the burst behind it in one chunk, as it does on a loaded machine or a
// slow link where the server's first screen piles up. The held bytes are framed with the mini
// header (type u16, size u32) to report how many messages the burst held and their types.
import net from 'node:net';

export interface BurstRelay {
  port: number;
  /** the bursts written so far: channel type, messages held (in order) */
  bursts: Array<{ channelType: number; messages: number; types: number[]; bytes: number }>;
  close(): Promise<void>;
}

/** link header: magic u32, major u32, minor u32, size u32; the client's link message then has
 * connection_id u32, channel_type u8 (offset 20) */
const LINK_HEADER = 16;

export async function startBurstRelay(target: { port: number }, opts: { channelType: number; messages: number; maxHoldMs: number }): Promise<BurstRelay> {
  const bursts: BurstRelay['bursts'] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let channelType = -1;
    let clientHead = Buffer.alloc(0);
    client.on('data', (b) => {
      if (channelType < 0) {
        clientHead = Buffer.concat([clientHead, b]);
        if (clientHead.length > LINK_HEADER + 4) channelType = clientHead[LINK_HEADER + 4]!;
      }
      upstream.write(b);
    });
    // server -> client: link reply (16 + size bytes), auth result (4 bytes), then data
    let seen = Buffer.alloc(0);
    let linkEnd = -1;
    let holding: Buffer[] | null = null;
    let release: (() => void) | null = null;
    const whole = (all: Buffer) => {
      const types: number[] = [];
      for (let o = 0; o + 6 <= all.length && o + 6 + all.readUInt32LE(o + 2) <= all.length; o += 6 + all.readUInt32LE(o + 2)) types.push(all.readUInt16LE(o));
      return types;
    };
    upstream.on('data', (b) => {
      if (holding) {
        holding.push(b);
        if (whole(Buffer.concat(holding)).length >= opts.messages) release?.();
        return;
      }
      if (linkEnd < 0 || seen.length < linkEnd) {
        seen = Buffer.concat([seen, b]);
        if (linkEnd < 0 && seen.length >= LINK_HEADER) linkEnd = LINK_HEADER + seen.readUInt32LE(12) + 4;
        if (linkEnd < 0 || seen.length < linkEnd || channelType !== opts.channelType) {
          client.write(b);
          return;
        }
        // this read completes the auth result: pass that on, hold what follows it
        const rest = seen.subarray(linkEnd);
        client.write(b.subarray(0, b.length - rest.length));
        holding = rest.length ? [Buffer.from(rest)] : [];
        const held = holding;
        const timer = setTimeout(() => release?.(), opts.maxHoldMs);
        release = () => {
          release = null;
          clearTimeout(timer);
          const all = Buffer.concat(held);
          const types = whole(all);
          bursts.push({ channelType, messages: types.length, types, bytes: all.length });
          holding = null;
          if (!client.destroyed) client.write(all);
        };
        if (whole(Buffer.concat(held)).length >= opts.messages) release();
        return;
      }
      client.write(b);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    bursts,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
