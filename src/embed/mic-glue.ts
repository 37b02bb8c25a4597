/**
 * The microphone for SpiceClient: the record feature (src/session/record.ts) on each session,
 * the browser's capture and Opus encoder (src/audio/web/microphone.ts), the user's decision
 * (asked once, in the MicPrompt, when the guest first starts recording; enableMicrophone() /
 * disableMicrophone() decide from the API) and the 'microphone' status.
 */
import { webCodecsOpusEncoder, type MicOptions, WebMicCapture } from '../audio/web/microphone';
import type { RecordOpusEncoderFactory } from '../audio/mic';
import { RecordFeature, type MicrophoneStatus, type Session } from '../session/index';
import { MicPrompt } from '../ui/mic-prompt';

export interface MicSettings {
  /** 'ask' (default): link the record channel and ask the user when the guest records; 'off': no microphone at all */
  microphone?: 'ask' | 'off';
  /** false: never encode Opus (raw PCM only; the OPUS cap is not advertised) */
  microphoneOpus?: boolean;
  /** the browser's echo cancellation / noise suppression / gain (default true) */
  microphoneProcessing?: boolean;
}

const IDLE: MicrophoneStatus = { state: 'idle', mode: null, rate: 0, channels: 0, volume: [], muted: false, packets: 0, frames: 0 };

export class MicGlue {
  #decision: 'ask' | 'allow' | 'deny' = 'ask';
  #feature: RecordFeature | null = null;
  #prompt: MicPrompt;
  #opus: Promise<RecordOpusEncoderFactory | null> | null = null;

  constructor(
    target: HTMLElement,
    private readonly settings: () => MicSettings,
    private readonly changed: (s: MicrophoneStatus) => void,
  ) {
    this.#prompt = new MicPrompt(target, { allow: () => this.enable(), deny: () => this.disable() });
  }

  attach(session: Session, live: () => boolean): void {
    this.#feature = null;
    this.#prompt.show(null);
    const s = this.settings();
    if (s.microphone === 'off') return;
    // probed once per client: isConfigSupported is async and the answer does not change
    const opus = s.microphoneOpus === false ? null : (this.#opus ??= webCodecsOpusEncoder());
    const mic: MicOptions = { processing: s.microphoneProcessing ?? true };
    const f = session.use(new RecordFeature({ capture: () => new WebMicCapture(mic), opus, consent: () => this.consent() }));
    this.#feature = f;
    f.ev.on('state', (st) => {
      if (!live()) return;
      this.#prompt.show(st);
      this.changed(st);
    });
  }

  get status(): MicrophoneStatus {
    return this.#feature?.status ?? IDLE;
  }

  /** the user agrees (from a click: the microphone's context may need the gesture) */
  enable(): void {
    this.#decision = 'allow';
    this.#prompt.settle(true);
    this.#feature?.retry();
  }

  /** the user says no: the microphone closes and stays closed until enable() */
  disable(): void {
    this.#decision = 'deny';
    this.#prompt.settle(false);
    this.#feature?.decline();
  }

  dispose(): void {
    this.#prompt.dispose();
  }

  private consent(): Promise<boolean> {
    if (this.#decision !== 'ask') return Promise.resolve(this.#decision === 'allow');
    return this.#prompt.ask();
  }
}
