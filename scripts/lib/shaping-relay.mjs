// A TCP relay on 127.0.0.1 that shapes and breaks the link between our proxy and a SPICE server,
// for the "faults on the wire" tests (issue 11): added latency with jitter, a bandwidth cap,
// dropping one connection (chosen by the SPICE channel type its link message names), freezing
// (a server that stops answering: nothing forwarded either way, sockets left open) and a partial
// message followed by silence (freeze after the next N bytes toward the client). Faults can be
// switched on and off while connections live; order is kept in each direction.
import net from 'node:net';

/**
 * @typedef {object} ShapedConnection
 * @property {number} index
 * @property {number | null} channelType   from the client's link message (byte 20 of SpiceLinkMess)
 * @property {net.Socket} client
 * @property {net.Socket} server
 * @property {boolean} open
 * @property {() => void} [thaw]           deliver what a freeze held, in order
 */

/**
 * @param {{ target: { host?: string, port: number } }} opts
 */
export async function startShapingRelay(opts) {
  /** @type {ShapedConnection[]} */
  const connections = [];
  const shape = { latencyMs: 0, jitterMs: 0, bytesPerSec: 0, frozen: false, cutAfter: -1 };
  /** per direction queues: chunks wait until their release time; order is kept */
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: opts.target.host ?? '127.0.0.1', port: opts.target.port });
    /** @type {ShapedConnection} */
    const c = { index: connections.length, channelType: null, client, server: upstream, open: true };
    connections.push(c);
    let linkHead = Buffer.alloc(0);
    const close = () => {
      if (!c.open) return;
      c.open = false;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    const pipe = (/** @type {net.Socket} */ from, /** @type {net.Socket} */ to, /** @type {boolean} */ toClient) => {
      let releaseAt = 0;
      /** @type {Buffer[]} */
      const held = [];
      /**
       * Chunks waiting for their release time, in arrival order, sent by one timer for the head:
       * a timer per chunk would reorder chunks whose fractional delays round to the same ms.
       * @type {Array<{ d: Buffer, at: number }>}
       */
      const line = [];
      /** @type {NodeJS.Timeout | null} */
      let timer = null;
      const pump = () => {
        timer = null;
        const now = Date.now();
        while (line.length && line[0].at <= now) {
          const head = /** @type {{ d: Buffer, at: number }} */ (line.shift());
          if (c.open) to.write(head.d);
        }
        if (line.length) timer = setTimeout(pump, Math.max(1, Math.ceil(line[0].at - now)));
      };
      from.on('data', (d) => {
        if (!toClient && c.channelType === null) {
          linkHead = Buffer.concat([linkHead, d]);
          if (linkHead.length >= 21) c.channelType = linkHead[20];
        }
        if (shape.frozen) {
          held.push(d); // a frozen server: the bytes go nowhere until thaw()
          return;
        }
        if (toClient && shape.cutAfter >= 0) {
          const n = Math.min(shape.cutAfter, d.length);
          shape.cutAfter -= n;
          if (n) to.write(d.subarray(0, n));
          if (shape.cutAfter === 0) {
            shape.frozen = true; // the rest of this message, and everything after, is silence
            shape.cutAfter = -1;
            held.push(d.subarray(n));
          }
          return;
        }
        const now = Date.now();
        const delay = shape.latencyMs + (shape.jitterMs ? Math.random() * shape.jitterMs : 0);
        const wire = shape.bytesPerSec ? (d.length * 1000) / shape.bytesPerSec : 0;
        releaseAt = Math.max(releaseAt + wire, now + delay + wire);
        if (releaseAt <= now && !line.length) {
          to.write(d);
          return;
        }
        line.push({ d, at: releaseAt });
        if (!timer) timer = setTimeout(pump, Math.max(1, Math.ceil(line[0].at - now)));
      });
      thawers.push(() => {
        for (const d of held.splice(0)) if (c.open) to.write(d);
      });
    };
    /** @type {Array<() => void>} */
    const thawers = [];
    pipe(client, upstream, false);
    pipe(upstream, client, true);
    c.thaw = () => thawers.forEach((f) => f());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const port = /** @type {net.AddressInfo} */ (server.address()).port;
  return {
    host: '127.0.0.1',
    port,
    connections,
    /** @param {{ latencyMs?: number, jitterMs?: number, bytesPerSec?: number }} s */
    shape(s) {
      Object.assign(shape, { latencyMs: 0, jitterMs: 0, bytesPerSec: 0 }, s);
    },
    /** drop (RST) the open connections of one SPICE channel type */
    drop(/** @type {number} */ channelType) {
      let n = 0;
      for (const c of connections) if (c.open && c.channelType === channelType) (n++, c.client.resetAndDestroy?.() ?? c.client.destroy(), c.server.destroy());
      return n;
    },
    /** the server stops answering: nothing is forwarded, sockets stay open */
    freeze() {
      shape.frozen = true;
    },
    /** forward the next `bytes` toward the client, then freeze (a partial message, then silence) */
    cutAfter(/** @type {number} */ bytes) {
      shape.cutAfter = bytes;
    },
    /** end a freeze: what was held is delivered, in order */
    thaw() {
      shape.frozen = false;
      for (const c of connections) c.thaw?.();
    },
    /** drop every connection (a broken network) */
    dropAll() {
      for (const c of connections) if (c.open) (c.client.destroy(), c.server.destroy());
    },
    async stop() {
      this.dropAll();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
