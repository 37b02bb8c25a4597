// The AudioWorkletGlobalScope as far as our processor uses it (Web Audio API §AudioWorkletGlobalScope).
// TypeScript's lib files have no AudioWorklet scope; these declarations are the part we need.
declare abstract class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor();
  abstract process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean;
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;
declare const sampleRate: number;
declare const currentTime: number;
declare const currentFrame: number;
interface MessageEvent<T = unknown> {
  readonly data: T;
}
interface MessagePort {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}
type Transferable = ArrayBuffer | MessagePort;
