/**
 * A scripted SPICE session for Node tests of src/session: the session under test talks to
 * FakeTransports (scripted-server.ts) for main, inputs and cursor, and to FakeDisplayWorkers that
 * run the real display worker core in-thread. Helpers link channels as a server would and build
 * the main channel's messages.
 */
import { FakeTransport, le, linkReply, miniMessage } from './scripted-server';
import { FakeDisplayWorker } from './fake-display-worker';
import { ChannelType, MsgMain } from '../../src/protocol/enums';
import type { SpiceError } from '../../src/common/errors';
import { CursorFeature, DisplayFeature, InputsFeature, MigrationFeature, Session } from '../../src/session/index';

export const tick = () => new Promise((r) => setTimeout(r, 0));
/** wait for a state, not for a time: poll `cond` on every macrotask, up to `ms` */
export async function until(cond: () => unknown, what: string, ms = 5_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** the server's side of a link: reply, then the auth result once the ticket came */
export async function serverLink(t: FakeTransport, authResult = 0, capsWord = 0): Promise<void> {
  await until(() => t.onmessage && t.sent.length >= 1, 'the link message');
  t.onmessage!(linkReply(capsWord));
  await until(() => t.sent.length >= 2, 'the ticket');
  t.onmessage!(new Uint8Array(le(authResult, 4)));
}

export function mainInit(sessionId: number, mmTime = 5_000): Uint8Array {
  // session id, display hint, supported mouse modes (server|client), current (server), agent, tokens, mm time, ram hint
  return miniMessage(MsgMain.INIT, [...le(sessionId, 4), ...le(1, 4), ...le(3, 4), ...le(1, 4), ...le(0, 4), ...le(0, 4), ...le(mmTime, 4), ...le(0, 4)]);
}
export function channelsList(list: Array<[number, number]>): Uint8Array {
  return miniMessage(MsgMain.CHANNELS_LIST, [...le(list.length, 4), ...list.flat()]);
}
/** message boundaries of a recorded mini-header data phase */
export function messageEnds(bin: Uint8Array): number[] {
  const dv = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  const ends: number[] = [];
  for (let o = 0; o < bin.length; ) ends.push((o += 6 + dv.getUint32(o + 2, true)));
  return ends;
}

export function setup(o: { password?: string } = {}) {
  /** transports the session opened, by "type:id"; display ones come from the workers */
  const transports = new Map<string, FakeTransport[]>();
  const add = (key: string) => {
    const t = new FakeTransport();
    transports.set(key, [...(transports.get(key) ?? []), t]);
    return t;
  };
  const workers: FakeDisplayWorker[] = [];
  const session = new Session({ transport: (type, id, target) => add(`${type}:${id}${target ? `@${target}` : ''}`), encrypt: async () => new Uint8Array(128), password: o.password });
  const display = session.use(
    new DisplayFeature({
      url: 'ws://proxy/ws',
      workers: (channelId) => {
        const w = new FakeDisplayWorker(channelId, (url) => {
          const target = new URL(url).searchParams.get('migrate');
          return add(`${ChannelType.DISPLAY}:${channelId}${target ? `@${target}` : ''}`);
        });
        workers.push(w);
        return w;
      },
    }),
  );
  const inputs = session.use(new InputsFeature());
  const cursor = session.use(new CursorFeature());
  const migration = session.use(new MigrationFeature());
  const errors: SpiceError[] = [];
  const log: string[] = [];
  session.ev.on('error', (e) => errors.push(e));
  session.ev.on('status', (s) => log.push(`status ${s.state}`));
  session.ev.on('connected', () => log.push('connected'));
  session.ev.on('disconnected', (d) => log.push(`disconnected clean=${d.clean}`));
  session.ev.on('credentialsrequired', () => log.push('credentialsrequired'));
  const tr = (type: number, id = 0, n = 0) => transports.get(`${type}:${id}`)?.[n];
  /** a transport the session opened to migration destination `target` */
  const trTo = (target: string, type: number, id = 0, n = 0) => transports.get(`${type}:${id}@${target}`)?.[n];
  return { session, display, inputs, cursor, migration, workers, errors, log, transports, tr, trTo };
}

/** connect, link main, INIT, list main + display 0 + inputs + cursor, link them all */
export async function connected(s: ReturnType<typeof setup>, list: Array<[number, number]> = [[2, 0], [3, 0], [4, 0]]) {
  s.session.connect();
  const main = s.tr(ChannelType.MAIN)!;
  await serverLink(main);
  main.onmessage!(mainInit(42));
  main.onmessage!(channelsList(list));
  for (const [type, id] of list) {
    await until(() => s.tr(type, id), `a transport for ${type}:${id}`);
    await serverLink(s.tr(type, id)!);
  }
  await until(() => s.session.channels.filter((c) => c.state === 'ready').length === list.length + 1, 'every channel ready');
  return main;
}

