/**
 * The microphone seams of the record feature (src/session/record.ts): the browser implements
 * them in ./web/microphone.ts (getUserMedia + an AudioWorklet, WebCodecs AudioEncoder), Node
 * tests with fakes.
 */

/** the microphone: planar float frames at the rate open() reports, until close() */
export interface MicCapture {
  /**
   * Ask the browser for the microphone and start delivering frames. Rejects with an error whose
   * `name` is the DOMException's ('NotAllowedError' when the user or the browser refused).
   */
  open(onFrames: (planes: Float32Array[]) => void): Promise<{ rate: number; channels: number }>;
  /** stop the tracks and everything behind them; also when open() has not settled yet */
  close(): void;
}

export interface RecordOpusEncoder {
  /** one packet of RECORD_PACKET_FRAMES frames at the configured rate */
  encode(planes: Float32Array[]): void;
  close(): void;
}

/** `onPacket` gets one Opus packet per 10 ms (480 frames): what spice-server's decoder takes */
export type RecordOpusEncoderFactory = (f: { rate: number; channels: number }, onPacket: (data: Uint8Array) => void, onError: (msg: string) => void) => RecordOpusEncoder;
