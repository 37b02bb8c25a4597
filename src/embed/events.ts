/**
 * The public events of SpiceClient and <spice-client> (the same names and details on both).
 * Each is a CustomEvent with a typed `detail`; addEventListener is typed by this map.
 */
import type { SpiceError } from '../common/errors';
import type { ChannelInfo, MonitorInfo, SessionStatus } from '../session/index';

export interface SpiceClientEventDetails {
  /** the session is up (main channel initialised) */
  connect: { sessionId: number };
  /** the session ended; `clean` when nobody failed; `error` says what failed */
  disconnect: { clean: boolean; reason: string; error?: SpiceError };
  /** the server refused the password: set one and connect again */
  credentialsrequired: { message: string; error: SpiceError };
  /** any problem, fatal or not, typed (error.type, error.details, error.channel) */
  spiceerror: SpiceError;
  /** the status line changed */
  status: SessionStatus;
  /** a monitor appeared or changed size */
  resize: { channelId: number; head: number; width: number; height: number };
  /** the monitor list (channel, head, place in the surface, size) */
  monitors: MonitorInfo[];
  /** the first pixels of a display channel's primary surface are on screen (epoch ms) */
  firstframe: { channelId: number; at: number };
  /** a channel changed state (linking, ready, closed) */
  channel: ChannelInfo;
  /** the server's mouse mode (1 server, 2 client) */
  mousemode: { supported: number; current: number };
  /** sound output or the playback stream changed (see AudioStatus) */
  audio: AudioStatus;
}

export interface AudioStatus {
  /** 'blocked': the browser's autoplay policy holds the sound until a click (enableAudio()) */
  output: 'idle' | 'blocked' | 'running' | 'failed';
  /** a playback stream is on (between PLAYBACK_START and STOP) */
  playing: boolean;
  mode: 'raw' | 'opus' | null;
  rate: number;
  channels: number;
  /** per channel, 0 … 1, as the server set it (PLAYBACK_VOLUME) */
  volume: number[];
  muted: boolean;
  /** queued in the jitter buffer, ms */
  bufferedMs: number;
  underruns: number;
  dropped: number;
}

export type SpiceClientEventMap = { [K in keyof SpiceClientEventDetails]: CustomEvent<SpiceClientEventDetails[K]> };

export type SpiceClientEventName = keyof SpiceClientEventDetails;
