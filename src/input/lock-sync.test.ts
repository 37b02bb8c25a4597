import { describe, expect, it } from 'vitest';
import { LockSync, localLocks, lockPlatform } from './lock-sync';

const ev = (on: string[]) => ({ getModifierState: (k: string) => on.includes(k) });

describe('localLocks', () => {
  it('reads Caps and Num Lock, and Scroll Lock only where the browser reports it (Windows)', () => {
    expect(localLocks(ev(['CapsLock', 'NumLock', 'ScrollLock']), 'other')).toEqual({ capsLock: true, numLock: true, scrollLock: undefined });
    expect(localLocks(ev(['ScrollLock']), 'windows')).toEqual({ capsLock: false, numLock: false, scrollLock: true });
  });
  it('leaves Num Lock unknown on macOS (no such key)', () => {
    expect(localLocks(ev(['CapsLock']), 'mac')).toEqual({ capsLock: true, numLock: undefined, scrollLock: undefined });
  });
  it('tells platforms apart', () => {
    expect([lockPlatform('MacIntel'), lockPlatform('Win32'), lockPlatform('Linux x86_64'), lockPlatform('iPhone')]).toEqual(['mac', 'windows', 'other', 'mac']);
  });
});

describe('LockSync', () => {
  const ch = {};
  const caps = { capsLock: true };

  it('syncs with the first event of a session, then not again until focus comes back', () => {
    const s = new LockSync();
    expect(s.onEvent(ch, 'KeyA', caps)).toEqual(caps);
    expect(s.onEvent(ch, 'KeyB', caps)).toBeNull();
    expect(s.onEvent(ch, null, caps)).toBeNull();
    s.focus();
    expect(s.onEvent(ch, null, { capsLock: false })).toEqual({ capsLock: false });
    expect(s.onEvent(ch, 'KeyA', caps)).toBeNull();
  });

  it('a lock key itself never syncs: the sync waits for the next key', () => {
    const s = new LockSync();
    expect(s.onEvent(ch, 'CapsLock', caps)).toBeNull();
    expect(s.onEvent(ch, 'NumLock', caps)).toBeNull();
    expect(s.onEvent(ch, 'ScrollLock', caps)).toBeNull();
    expect(s.onEvent(ch, 'KeyA', caps)).toEqual(caps);
  });

  it('a new inputs channel (reconnect) arms a sync; no channel, no sync', () => {
    const s = new LockSync();
    expect(s.onEvent(null, 'KeyA', caps)).toBeNull();
    expect(s.onEvent(ch, 'KeyA', caps)).toEqual(caps);
    expect(s.onEvent(ch, 'KeyA', caps)).toBeNull();
    const other = {};
    expect(s.onEvent(other, 'KeyA', caps)).toEqual(caps);
  });
});
