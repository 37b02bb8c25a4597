/**
 * Cursor channel (spice-protocol.md §8): the guest's pointer shape, position and visibility.
 * In client mouse mode the UI turns 'shape' into a CSS cursor; in server mouse mode it draws
 * the shape as a sprite at the positions from 'shape' and 'move'.
 */
import { ChannelType, MsgCursor } from '../protocol/enums';
import { parseCursorInit, parseCursorInvalOne, parseCursorMove, parseCursorSet, parseCursorTrail, type SpiceCursor } from '../protocol/cursor';
import type { SpiceReader } from '../protocol/reader';
import { CursorCache, resolveCursor, type CursorOutcome, type CursorShape } from './cursor-shape';
import { SpiceChannel, type ChannelOptions } from '../channels/channel';


export interface CursorShapeEvent {
  /**
   * The shape to show, or null: with `visible` false there is no cursor to show; with
   * `visible` true the shape is unavailable (refused size, cache miss) — show a default cursor.
   */
  shape: CursorShape | null;
  visible: boolean;
  /** guest pointer position carried by INIT/SET (meaningful in server mouse mode) */
  x: number;
  y: number;
  outcome: CursorOutcome;
}

export type CursorEvents = {
  shape: CursorShapeEvent;
  move: { x: number; y: number };
  hide: void;
  /** RESET: hide the cursor; the cache is cleared */
  reset: void;
  trail: { length: number; frequency: number };
};

export class CursorChannel extends SpiceChannel<CursorEvents> {
  readonly cache: CursorCache;
  /** the last shape event (for a UI that attaches late) */
  current: CursorShapeEvent | null = null;

  constructor(opts: Omit<ChannelOptions, 'channelType' | 'channelId'> & { channelId?: number; cache?: CursorCache }) {
    super({ ...opts, channelType: ChannelType.CURSOR, channelId: opts.channelId ?? 0 });
    this.cache = opts.cache ?? new CursorCache();
  }

  protected channelCaps(): number[] {
    return [];
  }

  protected handle(type: number, r: SpiceReader): void {
    switch (type) {
      case MsgCursor.INIT: {
        const m = parseCursorInit(r);
        this.cache.clear();
        this.setShape(m.cursor, m.visible, m.position.x, m.position.y);
        return;
      }
      case MsgCursor.SET: {
        const m = parseCursorSet(r);
        this.setShape(m.cursor, m.visible, m.position.x, m.position.y);
        return;
      }
      case MsgCursor.MOVE: {
        const p = parseCursorMove(r);
        if (this.current) this.current = { ...this.current, x: p.x, y: p.y };
        this.ev.emit('move', p);
        return;
      }
      case MsgCursor.HIDE:
        if (this.current) this.current = { ...this.current, visible: false };
        this.ev.emit('hide', undefined);
        return;
      case MsgCursor.RESET:
        this.cache.clear();
        this.current = null;
        this.ev.emit('reset', undefined);
        return;
      case MsgCursor.TRAIL:
        this.ev.emit('trail', parseCursorTrail(r));
        return;
      case MsgCursor.INVAL_ONE:
        this.cache.delete(parseCursorInvalOne(r));
        return;
      case MsgCursor.INVAL_ALL:
        this.cache.clear();
        return;
      default:
        return; // unknown message: skip
    }
  }

  protected override onClosed(): void {
    this.cache.clear();
  }

  private setShape(c: SpiceCursor, visible: boolean, x: number, y: number): void {
    const { shape, outcome } = resolveCursor(c, this.cache);
    const e: CursorShapeEvent = { shape, visible: visible && outcome !== 'none', x, y, outcome };
    this.current = e;
    this.ev.emit('shape', e);
  }
}
