/**
 * The cursor feature: every cursor channel the server lists (QEMU gives one per display
 * channel, with the same id; its positions are in that display channel's surface). Events carry
 * the channel id, so the UI places a server-mode cursor over the right monitor.
 */
import { Emitter } from '../common/emitter';
import { CursorChannel, type CursorShapeEvent } from '../input/cursor-channel';
import { ChannelType } from '../protocol/enums';
import type { ChannelId } from '../protocol/main';
import type { Migratable, SessionContext, SessionFeature } from './types';

export type CursorFeatureEvents = {
  shape: CursorShapeEvent & { channelId: number };
  move: { channelId: number; x: number; y: number };
  /** hidden, or RESET */
  hide: { channelId: number };
};

export class CursorFeature implements SessionFeature {
  readonly ev = new Emitter<CursorFeatureEvents>();
  readonly channels_ = new Map<number, CursorChannel>();
  private ctx: SessionContext | null = null;

  start(ctx: SessionContext): void {
    this.ctx = ctx;
  }

  channels(list: readonly ChannelId[]): void {
    const ctx = this.ctx;
    if (!ctx) return;
    for (const c of list) {
      if (c.type !== ChannelType.CURSOR || this.channels_.has(c.id)) continue;
      const ch = new CursorChannel({ ...ctx.channelBase(ChannelType.CURSOR, c.id), channelId: c.id });
      this.channels_.set(c.id, ch);
      const channelId = c.id;
      ch.ev.on('shape', (s) => this.ev.emit('shape', { ...s, channelId }));
      ch.ev.on('move', (p) => this.ev.emit('move', { channelId, x: p.x, y: p.y }));
      ch.ev.on('hide', () => this.ev.emit('hide', { channelId }));
      ch.ev.on('reset', () => this.ev.emit('hide', { channelId }));
      ctx.track(ch);
      ch.start();
    }
  }

  migratables(): Migratable[] {
    const ctx = this.ctx;
    if (!ctx) return [];
    return [...this.channels_.values()].map((ch) => ({
      label: ch.name,
      prepare: (target: string, cid: number) => ch.prepareMigration(ctx.transportTo(ChannelType.CURSOR, ch.channelId, target), cid),
      cancel: () => ch.cancelMigration(),
    }));
  }

  /** the last shape event of cursor channel `channelId` (for a UI that attaches late) */
  current(channelId = 0): CursorShapeEvent | null {
    return this.channels_.get(channelId)?.current ?? null;
  }

  stop(): void {
    for (const ch of this.channels_.values()) ch.close();
    this.channels_.clear();
    this.ctx = null;
  }
}
