/**
 * The typed contract between the UI thread and a display worker (architecture.md "Threads").
 * One worker per display channel; it owns that channel's WebSocket, decoding, surfaces and the
 * OffscreenCanvas of its monitor. Pixels never come back to the UI thread except as an encoded
 * PNG Blob for screenshot().
 */
import type { ChannelError } from '../channels/channel';

export interface DisplayConnect {
  type: 'connect';
  /** WebSocket URL of the proxy (one socket per channel) */
  url: string;
  protocols?: string[];
  channelId: number;
  /** the session id from the main channel's INIT */
  connectionId: number;
  password: string;
  /** transferred from the monitor's <canvas> (transferControlToOffscreen) */
  canvas: OffscreenCanvas;
  /** SpiceImageCompression to ask for (PREFERRED_COMPRESSION), when the user chose one */
  preferredCompression?: number;
}

export type ToDisplayWorker =
  | DisplayConnect
  /** encode the primary surface's exact pixels (no scaling, no cursor) as PNG */
  | { type: 'screenshot'; id: number }
  /** counters for diagnostics and tests: messages and image types received so far */
  | { type: 'stats'; id: number }
  | { type: 'close' };

export interface DisplayStats {
  /** by MsgDisplay name */
  messages: Record<string, number>;
  /** by SpiceImageType name */
  imageTypes: Record<string, number>;
}

export type FromDisplayWorker =
  /** link and auth done */
  | { type: 'ready' }
  /** the primary surface was created or changed size; the canvas has this size now */
  | { type: 'primary'; width: number; height: number }
  /** pixels were presented on the canvas (sent once per primary surface, for timing) */
  | { type: 'first-frame'; at: number }
  | { type: 'screenshot'; id: number; blob: Blob | null; error?: string }
  | { type: 'stats'; id: number; stats: DisplayStats }
  | { type: 'closed'; clean: boolean; reason: string; error?: ChannelError };
