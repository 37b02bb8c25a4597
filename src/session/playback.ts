/**
 * The playback feature: the server's playback channel (Xspice lists it when an audio FIFO is
 * configured, QEMU when a sound card is) played through a Player (src/audio/player.ts). The
 * browser gives the sink and the Opus decoder (src/embed); Node tests give fakes. While audio
 * plays, the server stops MULTI_MEDIA_TIME (spice-protocol.md §3.4): the player's mm-time
 * estimate from the audio heard (§9.3) then keeps the session clock going.
 */
import { Emitter } from '../common/emitter';
import { realClock, type Clock } from '../common/clock';
import { PlaybackChannel } from '../audio/playback-channel';
import { Player, type AudioSink, type OpusDecoderFactory, type PlayerState } from '../audio/player';
import { ChannelType } from '../protocol/enums';
import type { ChannelId } from '../protocol/main';
import type { SessionContext, SessionFeature } from './types';

export interface PlaybackFeatureOptions {
  sink: () => AudioSink;
  /** null: no Opus decoder here, so OPUS is not advertised and the server sends raw PCM */
  opus: OpusDecoderFactory | null;
  clock?: Clock;
}

export type PlaybackFeatureEvents = {
  state: PlayerState;
};

export class PlaybackFeature implements SessionFeature {
  readonly ev = new Emitter<PlaybackFeatureEvents>();
  player: Player | null = null;
  private ctx: SessionContext | null = null;

  constructor(private readonly o: PlaybackFeatureOptions) {}

  start(ctx: SessionContext): void {
    this.ctx = ctx;
  }

  channels(list: readonly ChannelId[]): void {
    const ctx = this.ctx;
    // one playback channel (id 0) is what servers offer; a second would need a mixer
    if (!ctx || this.player || !list.some((c) => c.type === ChannelType.PLAYBACK && c.id === 0)) return;
    const ch = new PlaybackChannel({ ...ctx.channelBase(ChannelType.PLAYBACK, 0), opus: !!this.o.opus });
    const player = new Player(ch, this.o.sink(), this.o.opus, this.o.clock ?? realClock);
    this.player = player;
    player.ev.on('state', (s) => this.ev.emit('state', s));
    player.ev.on('error', (e) => ctx.report(e));
    player.ev.on('mmSync', (s) => ctx.syncMm(s));
    ctx.track(ch);
    ch.start();
  }

  stop(): void {
    this.player?.channel.close();
    this.player = null;
    this.ctx = null;
  }
}
