/**
 * When to align the guest's Caps/Num/Scroll Lock with the local keyboard (KEY_MODIFIERS,
 * client → server; the server taps the lock keys that differ from its LEDs). A page cannot read
 * the keyboard's lock state at will: only input events carry it (`getModifierState`). So, as
 * spice-gtk does on focus-in, a sync is armed on focus (and for each new inputs channel) and made
 * with the first key or button event that follows, before that event goes out, so the key types
 * with the right case.
 *
 * A lock key's own event does not sync: browsers disagree on whether its state is the one before
 * or after the toggle. The key itself goes to the guest (both sides toggle) and the sync waits for
 * the next event. The decisions are pure; the caller reads the event and sends.
 */
import type { LockState } from './keyboard';

const LOCK_CODES = new Set(['CapsLock', 'NumLock', 'ScrollLock']);

/** what an input event says about the local locks; `getModifierState` of KeyboardEvent/MouseEvent */
export interface ModifierSource {
  getModifierState(key: string): boolean;
}

export type LockPlatform = 'mac' | 'windows' | 'other';

export function lockPlatform(platform: string): LockPlatform {
  return /Mac|iPhone|iPad/i.test(platform) ? 'mac' : /Win/i.test(platform) ? 'windows' : 'other';
}

/**
 * The local lock state an event reports, with what the platform cannot know left undefined (the
 * guest keeps its own): macOS has no Num Lock; only Windows browsers report Scroll Lock (on X11
 * and macOS it is not a modifier, so it would always read "off").
 */
export function localLocks(e: ModifierSource, platform: LockPlatform): LockState {
  return {
    capsLock: e.getModifierState('CapsLock'),
    numLock: platform === 'mac' ? undefined : e.getModifierState('NumLock'),
    scrollLock: platform === 'windows' ? e.getModifierState('ScrollLock') : undefined,
  };
}

export class LockSync {
  private armed = true;
  private channel: unknown = null;

  /** the page (re)gained focus: sync with the next event */
  focus(): void {
    this.armed = true;
  }

  /**
   * An input event on `channel` (null: not connected). Returns the lock state to sync now, or
   * null. `code` is the KeyboardEvent.code, or null for a mouse button.
   */
  onEvent(channel: unknown, code: string | null, local: LockState): LockState | null {
    if (channel !== this.channel) {
      this.channel = channel; // a new session: its guest may have any state
      this.armed = true;
    }
    if (!channel || !this.armed) return null;
    if (code !== null && LOCK_CODES.has(code)) return null;
    this.armed = false;
    return local;
  }
}
