import { describe, expect, it } from 'vitest';
import { le, linked } from '../../scripts/lib/scripted-server';
import { planarToS16 } from '../protocol/record';
import { RecordChannel } from './record-channel';

const START = 101, STOP = 102, VOLUME = 103, MUTE = 104;
const DATA = 101, MODE = 102, START_MARK = 103;
const RAW = 1, OPUS = 3;
const start = (ch: number, rate: number, fmt = 1): number[] => [...le(ch, 4), ...le(fmt, 2), ...le(rate, 4)];

async function setup(opus: boolean, serverCaps: number) {
  const s = await linked((o) => new RecordChannel({ ...o, opus }), serverCaps);
  const log: string[] = [];
  s.ch.ev.on('start', (e) => log.push(`start ${e.frequency}/${e.channels} mode ${e.mode}`));
  s.ch.ev.on('stop', () => log.push('stop'));
  s.ch.ev.on('volume', (v) => log.push(`volume ${v.join(',')}`));
  s.ch.ev.on('mute', (m) => log.push(`mute ${m}`));
  let closed: { error?: { details: string } } | undefined;
  s.ch.ev.on('closed', (c) => (closed = c));
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return { ...s, log, flush, closed: () => closed };
}

describe('RecordChannel', () => {
  it('links as channel type 6 with caps VOLUME (+ OPUS with an encoder), never CELT', async () => {
    const capsWord = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(16 + 18 + 4, true);
    const a = await setup(true, 0);
    expect(a.t.sent[0]![20]).toBe(6);
    expect(capsWord(a.t.sent[0]!)).toBe((1 << 1) | (1 << 2));
    const b = await setup(false, 0);
    expect(capsWord(b.t.sent[0]!)).toBe(1 << 1);
  });

  it('sends nothing before START; then MODE and START_MARK before the first DATA; nothing after STOP', async () => {
    const r = await setup(false, 0);
    expect(r.ch.sendAudio(new Uint8Array([1, 2, 3, 4]))).toBe(false);
    expect(r.frames()).toEqual([]);
    r.recv(START, start(2, 48000));
    await r.flush();
    expect(r.ch.sendAudio(new Uint8Array([1, 2, 3, 4]), 7)).toBe(true);
    expect(r.ch.sendAudio(new Uint8Array([5, 6, 7, 8]), 8)).toBe(true);
    expect(r.frames()).toEqual([
      { type: MODE, body: [...le(7, 4), ...le(RAW, 2)] },
      { type: START_MARK, body: le(7, 4) },
      { type: DATA, body: [...le(7, 4), 1, 2, 3, 4] },
      { type: DATA, body: [...le(8, 4), 5, 6, 7, 8] },
    ]);
    r.recv(STOP);
    await r.flush();
    expect(r.ch.sendAudio(new Uint8Array([9, 9, 9, 9]))).toBe(false);
    expect(r.frames()).toEqual([]);
    // a new recording marks again
    r.recv(START, start(2, 48000));
    await r.flush();
    r.ch.sendAudio(new Uint8Array([1, 1, 1, 1]));
    expect(r.frames().map((f) => f.type)).toEqual([MODE, START_MARK, DATA]);
    expect(r.log).toEqual(['start 48000/2 mode 1', 'stop', 'start 48000/2 mode 1']);
  });

  it('chooses OPUS only when the server offers it and we can encode', async () => {
    const both = await setup(true, 1 << 2);
    both.recv(START, start(2, 48000));
    await both.flush();
    expect(both.log).toEqual([`start 48000/2 mode ${OPUS}`]);
    const serverRawOnly = await setup(true, 0);
    serverRawOnly.recv(START, start(2, 48000));
    await serverRawOnly.flush();
    expect(serverRawOnly.log).toEqual([`start 48000/2 mode ${RAW}`]);
  });

  it('VOLUME and MUTE are events; a bad START closes only this channel with a typed error', async () => {
    const r = await setup(false, 0);
    r.recv(VOLUME, [2, ...le(100, 2), ...le(200, 2)]);
    r.recv(MUTE, [1]);
    r.recv(START, start(2, 48000, 7));
    await r.flush();
    expect(r.log).toEqual(['volume 100,200', 'mute true']);
    expect(r.closed()?.error).toMatchObject({ details: 'unsupportedFeature' });
  });

  it('float planar → interleaved S16LE, clamped', () => {
    const b = planarToS16([Float32Array.from([0.5, -2]), Float32Array.from([1, 0])], 2);
    expect(Array.from(new Int16Array(b.buffer))).toEqual([16384, 32767, -32768, 0]);
  });
});
