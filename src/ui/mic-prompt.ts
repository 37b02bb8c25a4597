/**
 * The microphone's small UI in the corner of the screen (plain DOM, no framework: it is a few
 * nodes): the consent question when the guest starts recording and the user has not decided,
 * a red "recording" indicator while sound goes to the guest, and the browser's refusal shown
 * in words (never swallowed). It renders the record feature's state; decisions go back through
 * the callbacks.
 */
import type { MicrophoneStatus } from '../session/index';

const STRINGS = {
  ask: 'The guest wants to use your microphone.',
  allow: 'Allow',
  deny: 'Deny',
  recording: 'Microphone on: the guest hears you',
  stop: 'Stop',
  opening: 'Opening the microphone…',
  declined: 'The guest asks for the microphone (you said no).',
  denied: 'The browser blocked the microphone. Allow it for this page (the icon in the address bar), then retry.',
  failed: 'The microphone could not be used',
  retry: 'Retry',
};

export class MicPrompt {
  readonly root: HTMLDivElement;
  #answer: ((yes: boolean) => void) | null = null;
  #status: MicrophoneStatus | null = null;

  constructor(
    host: HTMLElement,
    private readonly act: { allow(): void; deny(): void },
  ) {
    const root = document.createElement('div');
    root.className = 'spice-mic';
    root.setAttribute('role', 'status');
    root.setAttribute('aria-live', 'polite');
    Object.assign(root.style, {
      position: 'absolute', top: '8px', right: '8px', zIndex: '2', display: 'none', alignItems: 'center', gap: '8px',
      padding: '6px 10px', borderRadius: '6px', background: 'rgba(20,24,30,0.92)', color: '#eee', font: '13px system-ui, sans-serif',
      maxWidth: '60%', boxShadow: '0 1px 6px rgba(0,0,0,0.4)',
    });
    host.appendChild(root);
    this.root = root;
  }

  /** show the question; resolves with the user's answer (or false when cancel() comes first) */
  ask(): Promise<boolean> {
    this.#answer?.(false);
    return new Promise((resolve) => {
      this.#answer = resolve;
      this.render();
    });
  }

  /** the question is moot (the server stopped asking, or the API decided) */
  settle(yes: boolean): void {
    const a = this.#answer;
    this.#answer = null;
    a?.(yes);
    this.render();
  }

  show(s: MicrophoneStatus | null): void {
    this.#status = s;
    if (s?.state === 'idle' && this.#answer) this.settle(false);
    this.render();
  }

  dispose(): void {
    this.settle(false);
    this.root.remove();
  }

  private render(): void {
    const r = this.root;
    r.replaceChildren();
    r.dataset.state = this.#answer ? 'asking' : (this.#status?.state ?? 'idle');
    const text = (t: string) => {
      const s = document.createElement('span');
      s.textContent = t;
      r.appendChild(s);
    };
    const button = (label: string, fn: () => void, name: string) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.dataset.action = name;
      Object.assign(b.style, { font: 'inherit', padding: '2px 10px', cursor: 'pointer' });
      b.addEventListener('click', fn);
      r.appendChild(b);
    };
    const st = this.#status?.state ?? 'idle';
    if (this.#answer) {
      text(STRINGS.ask);
      button(STRINGS.allow, () => this.act.allow(), 'allow');
      button(STRINGS.deny, () => this.act.deny(), 'deny');
    } else if (st === 'recording') {
      const dot = document.createElement('span');
      Object.assign(dot.style, { width: '10px', height: '10px', borderRadius: '50%', background: '#e33', display: 'inline-block' });
      r.appendChild(dot);
      text(STRINGS.recording);
      button(STRINGS.stop, () => this.act.deny(), 'stop');
    } else if (st === 'opening') {
      text(STRINGS.opening);
    } else if (st === 'declined') {
      text(STRINGS.declined);
      button(STRINGS.allow, () => this.act.allow(), 'allow');
    } else if (st === 'denied' || st === 'failed') {
      text(st === 'denied' ? STRINGS.denied : `${STRINGS.failed}: ${this.#status?.error?.message ?? ''}`);
      button(STRINGS.retry, () => this.act.allow(), 'retry');
    }
    r.style.display = r.childElementCount ? 'flex' : 'none';
  }
}
