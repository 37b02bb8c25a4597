/**
 * The browser side of the guest agent for SpiceClient: the system clipboard (the async Clipboard
 * API, when the page is focused and allowed) both ways, the guest following the element's size
 * (resizeSession, through a ResizeObserver) and files dropped on the screen. The agent protocol
 * itself is src/agent and src/session/agent.ts; this is only DOM.
 */
import type { AgentFeature } from '../session/index';

/** smaller elements (hidden, collapsed) do not resize the guest */
const MIN_SIZE = 64;

export class AgentGlue {
  #resizeObserver: ResizeObserver | null = null;
  #resizeSession = false;
  /** the last text that went between guest and system clipboard (either way), so it does not bounce back */
  #clipSeen = '';

  constructor(
    private readonly target: HTMLElement,
    private readonly agent: () => AgentFeature | null,
    private readonly clipboardSync: () => boolean,
    sendFile: (f: File) => Promise<void>,
    /** HiDPI device pixels: one guest pixel per device pixel, so the guest gets the size in device pixels */
    private readonly devicePixels: () => boolean = () => false,
  ) {
    // the page's clipboard goes to the guest when the screen gets focus (if the browser lets us read it)
    target.addEventListener('focusin', () => this.pullPageClipboard());
    // files dropped on the screen go to the guest (its agent's download folder)
    target.addEventListener('dragover', (e) => {
      if (this.agent()?.connected && e.dataTransfer?.types.includes('Files')) e.preventDefault();
    });
    target.addEventListener('drop', (e) => {
      const files = [...(e.dataTransfer?.files ?? [])];
      if (!files.length || !this.agent()?.connected) return;
      e.preventDefault();
      void (async () => {
        for (const f of files) await sendFile(f).catch(() => undefined); // failures arrive as events
      })();
    });
  }

  get resizeSession(): boolean {
    return this.#resizeSession;
  }
  set resizeSession(v: boolean) {
    this.#resizeSession = v;
    this.#resizeObserver?.disconnect();
    this.#resizeObserver = null;
    if (!v) return;
    this.#resizeObserver = new ResizeObserver(() => this.followSize());
    this.#resizeObserver.observe(this.target);
  }

  /** with resizeSession: ask the guest for the element's size (the agent debounces) */
  followSize(): void {
    const agent = this.agent();
    if (!this.#resizeSession || !agent) return;
    // widths go in multiples of 8: spice-vdagent's X11 side rounds them down (1100 → 1096 seen on
    // Xspice), and asking for what the guest can give keeps us from chasing a size it never takes
    const k = this.devicePixels() ? globalThis.devicePixelRatio || 1 : 1;
    const w = Math.floor((this.target.clientWidth * k) / 8) * 8, h = Math.floor(this.target.clientHeight * k);
    if (w >= MIN_SIZE && h >= MIN_SIZE) agent.resize(w, h);
  }

  /**
   * The guest copied: the system clipboard only takes writes from a focused page (and a secure
   * context); only the guest's CLIPBOARD selection goes there, not PRIMARY (every text
   * selection in an X guest).
   */
  guestCopied(c: { selection: number; text?: string; data?: Uint8Array }): void {
    if (c.selection !== 0 || !this.clipboardSync()) return;
    if (c.text !== undefined && document.hasFocus() && navigator.clipboard?.writeText) {
      this.#clipSeen = c.text;
      navigator.clipboard.writeText(c.text).catch(() => undefined);
    } else if (c.data && document.hasFocus() && navigator.clipboard?.write && typeof ClipboardItem !== 'undefined') {
      navigator.clipboard.write([new ClipboardItem({ 'image/png': new Blob([c.data as Uint8Array<ArrayBuffer>], { type: 'image/png' }) })]).catch(() => undefined);
    }
  }

  /** the system clipboard's text → the guest, unless it is what the guest itself copied last */
  pullPageClipboard(): void {
    const agent = this.agent();
    if (!this.clipboardSync() || !agent?.connected || !navigator.clipboard?.readText) return;
    navigator.clipboard.readText().then((t) => {
      if (t && t !== this.#clipSeen) {
        this.#clipSeen = t;
        this.agent()?.setClipboardText(t);
      }
    }, () => undefined); // not allowed (no permission, insecure context): the panel is the way
  }

  dispose(): void {
    this.#resizeObserver?.disconnect();
    this.#resizeObserver = null;
  }
}
