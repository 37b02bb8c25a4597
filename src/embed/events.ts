/**
 * The public events of SpiceClient and <spice-client> (the same names and details on both).
 * Each is a CustomEvent with a typed `detail`; addEventListener is typed by this map.
 */
import type { SpiceError } from '../common/errors';
import type { ChannelInfo, MicrophoneStatus, MonitorInfo, SessionStatus } from '../session/index';

export type { MicrophoneStatus };

export interface SpiceClientEventDetails {
  /** the session is up (main channel initialised) */
  connect: { sessionId: number };
  /** the session ended and no reconnect follows; `clean` when nobody failed; `error` says what failed */
  disconnect: { clean: boolean; reason: string; error?: SpiceError };
  /** the session was lost; attempt `attempt` to connect again starts at `at` (epoch ms) */
  reconnecting: { attempt: number; delayMs: number; at: number; error?: SpiceError };
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
  /**
   * Live migration of the VM: `begin` (channels link to `target`), `connected`, `completed` (now
   * on the destination, nothing else changed), `failed` / `cancelled` (still on the source),
   * `switch-host` (connecting to `target` from scratch, the picture stays meanwhile)
   */
  migration: { phase: 'begin' | 'connected' | 'completed' | 'failed' | 'cancelled' | 'switch-host'; target: string; reason?: string };
  /** the server's mouse mode (1 server, 2 client) */
  mousemode: { supported: number; current: number };
  /** the guest agent came (with its VD_AGENT_CAP_* numbers) or went */
  agent: { connected: boolean; caps: number[] };
  /** the guest copied: text (UTF-8 decoded) or a PNG image; selection 0 CLIPBOARD, 1 PRIMARY */
  clipboard: { selection: number; type: 'text' | 'image/png'; text?: string; data?: Uint8Array };
  /** a file transfer to the guest progressed, finished, failed or was cancelled */
  filetransfer: { id: number; name: string; size: number; sent: number; state: 'progress' | 'done' | 'failed' | 'cancelled'; error?: SpiceError };
  /** sound output or the playback stream changed (see AudioStatus) */
  audio: AudioStatus;
  /** the microphone's state changed: asked, recording, declined, denied by the browser (see MicrophoneStatus) */
  microphone: MicrophoneStatus;
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
