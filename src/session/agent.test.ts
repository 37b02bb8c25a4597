// AgentFeature over a stand-in main channel: the monitors config is debounced, never re-sent
// unchanged (no resize loop), offered again to a restarted agent, and the clipboard reaches the
// feature's events as text.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MainChannel, MainEvents } from '../channels/main-channel';
import { Emitter } from '../common/emitter';
import type { SpiceError } from '../common/errors';
import {
  AgentStreamReader, VDAgentCap, VDAgentType, buildAnnounceCapabilities, encodeAgentMessage, parseMonitorsConfig, type AgentMessage,
} from '../protocol/agent';
import { AgentFeature } from './agent';
import type { SessionContext } from './types';

function fakeMain() {
  const ev = new Emitter<MainEvents>();
  const reader = new AgentStreamReader();
  const out: AgentMessage[] = [];
  const main = {
    ev, agentConnected: true, agentTokens: 10,
    sendAgentStart: () => undefined,
    sendAgentData: (c: Uint8Array) => out.push(...reader.push(c)),
    sendAgentToken: () => undefined,
  };
  const errors: SpiceError[] = [];
  const ctx = { main: main as unknown as MainChannel, report: (e: SpiceError) => errors.push(e) } as unknown as SessionContext;
  const caps = (list: number[]) => ev.emit('agentData', encodeAgentMessage(VDAgentType.ANNOUNCE_CAPABILITIES, buildAnnounceCapabilities(false, list)));
  const monitors = () => out.filter((m) => m.type === VDAgentType.MONITORS_CONFIG).map((m) => parseMonitorsConfig(m.data).monitors.map((x) => `${x.width}x${x.height}+${x.x}+${x.y}`).join(','));
  return { ev, ctx, out, errors, caps, monitors };
}

describe('AgentFeature', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends one monitors config per burst of sizes, and none for an unchanged size', () => {
    const m = fakeMain();
    const f = new AgentFeature({ resizeDebounceMs: 150 });
    f.start(m.ctx);
    m.caps([VDAgentCap.MONITORS_CONFIG, VDAgentCap.CLIPBOARD_BY_DEMAND]);
    expect(f.connected).toBe(true);
    for (let i = 0; i < 20; i++) {
      f.resize(800 + 8 * i, 600);
      vi.advanceTimersByTime(20);
    }
    expect(m.monitors()).toEqual([]);
    vi.advanceTimersByTime(150);
    expect(m.monitors()).toEqual(['952x600+0+0']);
    f.resize(952, 600);
    vi.advanceTimersByTime(500);
    expect(m.monitors()).toEqual(['952x600+0+0']);
    f.stop();
  });

  it('resize with two monitors lays monitor 2 out right of the new width (no overlap)', () => {
    const m = fakeMain();
    const f = new AgentFeature({ resizeDebounceMs: 10 });
    f.start(m.ctx);
    m.caps([VDAgentCap.MONITORS_CONFIG, VDAgentCap.SPARSE_MONITORS_CONFIG]);
    f.setMonitors([{ width: 1024, height: 768, x: 0, y: 0 }, { width: 800, height: 600, x: 1024, y: 0 }]);
    vi.advanceTimersByTime(20);
    f.resize(1280, 700);
    vi.advanceTimersByTime(20);
    f.resize(640, 480);
    vi.advanceTimersByTime(20);
    expect(m.monitors()).toEqual(['1024x768+0+0,800x600+1024+0', '1280x700+0+0,800x600+1280+0', '640x480+0+0,800x600+640+0']);
    f.stop();
  });

  it('offers the last layout again to a restarted agent; without SPARSE_MONITORS_CONFIG a disabled monitor is left out', () => {
    const m = fakeMain();
    const f = new AgentFeature({ resizeDebounceMs: 10 });
    const states: boolean[] = [];
    f.ev.on('agent', (a) => states.push(a.connected));
    f.start(m.ctx);
    m.caps([VDAgentCap.MONITORS_CONFIG]);
    f.setMonitors([{ width: 1024, height: 768, x: 0, y: 0 }, { width: 0, height: 0, x: 0, y: 0 }]);
    vi.advanceTimersByTime(20);
    m.ev.emit('agent', { connected: false, tokens: 0 });
    expect(f.connected).toBe(false);
    m.ev.emit('agent', { connected: true, tokens: 10 });
    m.caps([VDAgentCap.MONITORS_CONFIG, VDAgentCap.SPARSE_MONITORS_CONFIG]);
    vi.advanceTimersByTime(20);
    expect(m.monitors()).toEqual(['1024x768+0+0', '1024x768+0+0,0x0+0+0']);
    expect(states).toEqual([true, false, true]);
    f.stop();
  });

  it('guest text arrives as a clipboard event; no agent is a typed error, not a throw', () => {
    const m = fakeMain();
    const f = new AgentFeature();
    const texts: string[] = [];
    f.ev.on('clipboard', (c) => c.text !== undefined && texts.push(c.text));
    f.start(m.ctx);
    m.caps([VDAgentCap.CLIPBOARD_BY_DEMAND]);
    m.ev.emit('agentData', encodeAgentMessage(VDAgentType.CLIPBOARD_GRAB, new Uint8Array([1, 0, 0, 0])));
    expect(m.out.at(-1)!.type).toBe(VDAgentType.CLIPBOARD_REQUEST);
    m.ev.emit('agentData', encodeAgentMessage(VDAgentType.CLIPBOARD, new Uint8Array([1, 0, 0, 0, 0x68, 0xc3, 0xa9, 0])));
    expect(texts).toEqual(['hé']);
    m.ev.emit('agent', { connected: false, tokens: 0 });
    expect(f.setClipboardText('x')).toBe(false);
    expect(m.errors.map((e) => [e.type, e.details, e.fatal])).toEqual([['agentError', 'agentUnavailable', false]]);
    f.stop();
  });
});
