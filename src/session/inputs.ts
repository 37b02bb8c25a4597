/**
 * The inputs feature: the inputs channel (keyboard, mouse) once the main channel lists it. The
 * UI's input controller sends through `channel`; keys pressed while it links are held by the
 * channel and sent once linked (channels/channel.ts send()).
 */
import { InputsChannel } from '../input/inputs-channel';
import { ChannelType } from '../protocol/enums';
import type { ChannelId } from '../protocol/main';
import type { Migratable, SessionContext, SessionFeature } from './types';

export class InputsFeature implements SessionFeature {
  channel: InputsChannel | null = null;
  private ctx: SessionContext | null = null;

  start(ctx: SessionContext): void {
    this.ctx = ctx;
  }

  channels(list: readonly ChannelId[]): void {
    const ctx = this.ctx;
    if (!ctx || this.channel || !list.some((c) => c.type === ChannelType.INPUTS && c.id === 0)) return;
    const ch = new InputsChannel(ctx.channelBase(ChannelType.INPUTS, 0));
    this.channel = ch;
    ctx.track(ch);
    ch.start();
  }

  migratables(): Migratable[] {
    const ch = this.channel, ctx = this.ctx;
    if (!ch || !ctx) return [];
    return [{ label: ch.name, prepare: (target, cid) => ch.prepareMigration(ctx.transportTo(ChannelType.INPUTS, 0, target), cid), cancel: () => ch.cancelMigration() }];
  }

  /** linked and usable */
  get ready(): boolean {
    return !!this.channel?.isLinked;
  }

  stop(): void {
    this.channel?.close();
    this.channel = null;
    this.ctx = null;
  }
}
