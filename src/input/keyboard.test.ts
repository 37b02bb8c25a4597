import { describe, expect, it } from 'vitest';
import { KeyboardState, lockSyncMessage, wantedModifiers, type KeyInput, type KeyOp, type KeyTimer } from './keyboard';

/** a manual timer: `advance()` fires what is due */
class FakeTimer implements KeyTimer {
  now = 0;
  private seq = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();
  set(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.due.set(id, { at: this.now + ms, fn });
    return id;
  }
  clear(h: unknown): void {
    this.due.delete(h as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.due]) {
      if (t.at <= this.now) {
        this.due.delete(id);
        t.fn();
      }
    }
  }
  get armed(): number {
    return this.due.size;
  }
}

function setup(opts: { altGrFix?: boolean; capsLockToggles?: boolean } = {}) {
  const ops: KeyOp[] = [];
  const timer = new FakeTimer();
  const kb = new KeyboardState((op) => ops.push(op), { ...opts, timer });
  const feed = (ev: KeyInput): boolean => kb.handle({ timeStamp: timer.now, ...ev });
  const down = (code: string, extra: Partial<KeyInput> = {}): boolean => feed({ type: 'down', code, ...extra });
  const up = (code: string, extra: Partial<KeyInput> = {}): boolean => feed({ type: 'up', code, ...extra });
  /** the ops so far as "+1e" / "-e01d" strings, then cleared */
  const take = (): string[] => ops.splice(0).map((o) => `${o.down ? '+' : '-'}${o.sc.toString(16)}`);
  return { kb, timer, down, up, take };
}

describe('KeyboardState', () => {
  it('presses and releases by code', () => {
    const { kb, down, up, take } = setup();
    expect(down('KeyA', { key: 'a' })).toBe(true);
    expect(kb.isPressed('KeyA')).toBe(true);
    expect(up('KeyA', { key: 'a' })).toBe(true);
    expect(take()).toEqual(['+1e', '-1e']);
    expect(kb.pressed).toEqual([]);
  });

  it('sends auto-repeat as repeated make codes', () => {
    const { down, up, take } = setup();
    down('KeyB');
    down('KeyB', { repeat: true });
    down('KeyB', { repeat: true });
    up('KeyB');
    expect(take()).toEqual(['+30', '+30', '+30', '-30']);
  });

  it('ignores unmapped codes silently', () => {
    const { kb, down, up, take } = setup();
    expect(down('Fn')).toBe(false);
    expect(up('Fn')).toBe(false);
    expect(down('')).toBe(false);
    expect(down('Unidentified', { key: 'Unidentified' })).toBe(false);
    expect(down('NotAKey')).toBe(false);
    expect(take()).toEqual([]);
    expect(kb.pressed).toEqual([]);
  });

  it('drops the keyup of a key it never pressed', () => {
    const { up, take } = setup();
    expect(up('KeyC')).toBe(true);
    expect(take()).toEqual([]);
  });

  it('releaseAll releases every held key, latest first, once', () => {
    const { kb, timer, down, take } = setup();
    down('ShiftLeft');
    down('ControlRight');
    down('KeyX');
    down('ArrowUp');
    timer.advance(100);
    kb.releaseAll();
    expect(take()).toEqual(['+2a', '+e01d', '+2d', '+e048', '-e048', '-2d', '-e01d', '-2a']);
    expect(kb.pressed).toEqual([]);
    kb.releaseAll();
    expect(take()).toEqual([]);
  });

  it('sends Pause press+release on keydown, nothing on repeat or keyup', () => {
    const { kb, down, up, take } = setup();
    down('Pause');
    down('Pause', { repeat: true });
    up('Pause');
    expect(take()).toEqual(['+e046', '-e046']);
    kb.releaseAll();
    expect(take()).toEqual([]);
  });

  describe('AltGr', () => {
    it('sends AltRight as E0 38', () => {
      const { down, up, take } = setup({ altGrFix: false });
      down('AltRight', { key: 'AltGraph' });
      up('AltRight', { key: 'AltGraph' });
      expect(take()).toEqual(['+e038', '-e038']);
    });

    it('suppresses the synthetic ControlLeft Windows sends before AltRight', () => {
      const { kb, timer, down, up, take } = setup();
      down('ControlLeft', { key: 'Control' });
      down('AltRight', { key: 'AltGraph' }); // same timeStamp
      down('KeyQ', { key: '@' });
      up('KeyQ', { key: '@' });
      // Windows repeats both while AltGr is held, and releases both
      down('ControlLeft', { key: 'Control', repeat: true });
      down('AltRight', { key: 'AltGraph', repeat: true });
      up('ControlLeft', { key: 'Control' });
      up('AltRight', { key: 'AltGraph' });
      expect(take()).toEqual(['+e038', '+10', '-10', '+e038', '-e038']);
      expect(timer.armed).toBe(0);
      expect(kb.pressed).toEqual([]);
    });

    it('releaseAll does not release the synthetic ControlLeft', () => {
      const { kb, down, take } = setup();
      down('ControlLeft', { key: 'Control' });
      down('AltRight', { key: 'AltGraph' });
      kb.releaseAll();
      expect(take()).toEqual(['+e038', '-e038']);
    });

    it('sends a real ControlLeft once the 50 ms window passes', () => {
      const { timer, down, up, take } = setup();
      down('ControlLeft', { key: 'Control' });
      expect(take()).toEqual([]);
      timer.advance(49);
      expect(take()).toEqual([]);
      timer.advance(1);
      expect(take()).toEqual(['+1d']);
      down('AltRight', { key: 'AltGraph' }); // too late: a real Ctrl+AltGr
      up('AltRight', { key: 'AltGraph' });
      up('ControlLeft', { key: 'Control' });
      expect(take()).toEqual(['+e038', '-e038', '-1d']);
    });

    it('sends the held-back ControlLeft before any other key (Ctrl+C)', () => {
      const { timer, down, up, take } = setup();
      down('ControlLeft', { key: 'Control' });
      down('KeyC', { key: 'c' });
      up('KeyC', { key: 'c' });
      up('ControlLeft', { key: 'Control' });
      expect(take()).toEqual(['+1d', '+2e', '-2e', '-1d']);
      timer.advance(100);
      expect(take()).toEqual([]);
    });

    it('sends a quick ControlLeft tap', () => {
      const { down, up, take } = setup();
      down('ControlLeft', { key: 'Control' });
      up('ControlLeft', { key: 'Control' });
      expect(take()).toEqual(['+1d', '-1d']);
    });

    it('keeps ControlLeft when AltRight is a plain Alt (US layout)', () => {
      const { down, take } = setup();
      down('ControlLeft', { key: 'Control' });
      down('AltRight', { key: 'Alt' });
      expect(take()).toEqual(['+1d', '+e038']);
    });

    it('keeps ControlLeft when AltRight comes later than the window by timeStamp', () => {
      const { down, take } = setup();
      down('ControlLeft', { key: 'Control', timeStamp: 1000 });
      down('AltRight', { key: 'AltGraph', timeStamp: 1080 });
      expect(take()).toEqual(['+1d', '+e038']);
    });

    it('drops a pending ControlLeft on releaseAll without sending it', () => {
      const { kb, timer, down, take } = setup();
      down('ControlLeft', { key: 'Control' });
      kb.releaseAll();
      timer.advance(100);
      expect(take()).toEqual([]);
    });

    it('flushPending sends a held-back ControlLeft at once (Ctrl+click)', () => {
      const { kb, timer, down, take } = setup();
      down('ControlLeft', { key: 'Control' });
      kb.flushPending();
      expect(take()).toEqual(['+1d']);
      timer.advance(100);
      down('AltRight', { key: 'AltGraph' });
      expect(take()).toEqual(['+e038']);
      kb.flushPending();
      expect(take()).toEqual([]);
    });

    it('with altGrFix off sends ControlLeft at once', () => {
      const { down, take } = setup({ altGrFix: false });
      down('ControlLeft', { key: 'Control' });
      down('AltRight', { key: 'AltGraph' });
      expect(take()).toEqual(['+1d', '+e038']);
    });
  });

  it('treats CapsLock events as toggles when asked (macOS)', () => {
    const { kb, down, up, take } = setup({ capsLockToggles: true });
    down('CapsLock');
    up('CapsLock');
    expect(take()).toEqual(['+3a', '-3a', '+3a', '-3a']);
    expect(kb.pressed).toEqual([]);
  });

  it('maps legacy OSLeft to MetaLeft', () => {
    const { kb, down, up, take } = setup();
    down('OSLeft');
    expect(kb.isPressed('MetaLeft')).toBe(true);
    up('MetaLeft');
    expect(take()).toEqual(['+e05b', '-e05b']);
  });
});

describe('lock-key sync', () => {
  const CAPS = 4, NUM = 2, SCROLL = 1;

  it('asks for the local state when it differs', () => {
    expect(wantedModifiers(0, { capsLock: true, numLock: true, scrollLock: false })).toBe(CAPS | NUM);
    const msg = lockSyncMessage(NUM, { capsLock: true, numLock: true, scrollLock: false });
    expect(msg && Array.from(msg)).toEqual([CAPS | NUM, 0]);
  });

  it('sends nothing when guest and local agree', () => {
    expect(lockSyncMessage(CAPS | SCROLL, { capsLock: true, numLock: false, scrollLock: true })).toBeNull();
  });

  it('keeps the guest bit for locks the browser cannot read', () => {
    // macOS: no NumLock; guest has NumLock on and should keep it
    expect(lockSyncMessage(NUM, { capsLock: false })).toBeNull();
    const msg = lockSyncMessage(NUM | SCROLL, { capsLock: true, scrollLock: undefined });
    expect(msg && Array.from(msg)).toEqual([NUM | SCROLL | CAPS, 0]);
  });

  it('turns locks off', () => {
    const msg = lockSyncMessage(CAPS | NUM | SCROLL, { capsLock: false, numLock: false, scrollLock: false });
    expect(msg && Array.from(msg)).toEqual([0, 0]);
  });
});
