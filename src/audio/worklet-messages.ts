/**
 * Messages between the main thread's audio sink and the playback worklet processor, as
 * discriminated unions (like display/worker-messages.ts). Sample arrays are transferred.
 */
import type { JitterStats } from './jitter-ring';

export type ToPlaybackWorklet =
  /** a new stream: ring of `capacity` frames, `target` frames of cushion, `rate` frames/s */
  | { type: 'start'; channels: number; capacity: number; target: number; rate?: number }
  /** frames; `mmTime`: the u32 mm_time of the first one (PLAYBACK_DATA's stamp), when known */
  | { type: 'data'; planes: Float32Array[]; mmTime?: number | null }
  | { type: 'target'; frames: number }
  /** linear gain applied to what is played (volume × mute) */
  | { type: 'gain'; gain: number }
  | { type: 'stop' }
  /** copy the next `frames` frames of the output (after gain) back: a test and diagnostics hook */
  | { type: 'tap'; id: number; frames: number };

export type FromPlaybackWorklet =
  /** every ~50 ms while a stream is on */
  | { type: 'stats'; stats: JitterStats }
  /**
   * the audio clock from what is played: the sample stamped `mm` left the processor at context
   * time `time` (s). Every ~50 ms while stamped sound plays, at once when it (re)starts; `mm`
   * null when the output turned to silence (filling, underrun, stop): the clock stands still.
   */
  | { type: 'clock'; mm: number | null; time: number }
  | { type: 'tap'; id: number; planes: Float32Array[] };

/** the capture processor's only message: a block of the microphone's frames, planar */
export type FromCaptureWorklet = { type: 'frames'; planes: Float32Array[] };
