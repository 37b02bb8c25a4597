/**
 * <spice-vv-open>: a button that opens a remote-viewer connection file (.vv) with a file picker,
 * and a drop target for .vv files on the whole window while it is shown. It only reads the file:
 * it dispatches `vvfile {name, text}` (bubbling, composed) and whoever mounted it opens the file
 * (page.ts: openConnectionFile on <spice-client>). A .vv dropped on the screen never goes to the
 * guest as a file transfer (the capture-phase drop handler takes it first).
 *
 * After an open it shows what the file asked for that does not apply (unknown keys, keys that
 * are the proxy's business, delete-this-file) in one line.
 */
import { LitElement, css, html, nothing } from 'lit';
import { MAX_VV_BYTES } from './vv-file';

const STRINGS = {
  open: 'Open .vv file…',
  openTitle: 'Connect with a remote-viewer connection file (.vv), or drop one on the window',
  dropHere: 'Drop the connection file to connect',
  tooLarge: 'this file is too large to be a connection file',
  ignored: 'Ignored in the file:',
  cannotDelete: 'delete-this-file (a web page cannot delete your file: delete it yourself)',
};

export function isVvName(name: string): boolean {
  return /\.vv$/i.test(name);
}

export class VvOpenElement extends LitElement {
  static override properties = { note: { state: true }, dragging: { state: true } };
  declare note: string;
  declare dragging: boolean;
  #input: HTMLInputElement | null = null;

  constructor() {
    super();
    this.note = '';
    this.dragging = false;
  }

  static override styles = css`
    :host { display: inline-flex; flex-direction: column; gap: 4px; font: 13px system-ui, sans-serif; color: #ddd; }
    :host([hidden]) { display: none; }
    button { background: #3a3a3a; color: #ddd; border: 1px solid #555; border-radius: 3px; padding: 4px 10px; font: inherit; cursor: pointer; }
    button:hover, button:focus-visible { background: #4a4a4a; outline: 2px solid #6ab; }
    .note { max-width: 40em; color: #cc9; }
    .drop { position: fixed; inset: 0; display: flex; align-items: center; justify-content: center; background: rgba(30, 60, 90, 0.6); font-size: 20px; z-index: 2147483646; pointer-events: none; }
    input { display: none; }
  `;

  readonly #dragover = (e: DragEvent) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    e.stopPropagation();
    this.dragging = true;
  };
  readonly #dragleave = (e: DragEvent) => {
    if (e.relatedTarget === null) this.dragging = false;
  };
  readonly #drop = (e: DragEvent) => {
    this.dragging = false;
    const f = [...(e.dataTransfer?.files ?? [])].find((x) => isVvName(x.name));
    if (!f) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    void this.read(f);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('dragover', this.#dragover, true);
    window.addEventListener('dragleave', this.#dragleave, true);
    window.addEventListener('drop', this.#drop, true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('dragover', this.#dragover, true);
    window.removeEventListener('dragleave', this.#dragleave, true);
    window.removeEventListener('drop', this.#drop, true);
  }

  /** read a picked or dropped file and dispatch `vvfile` */
  async read(f: File): Promise<void> {
    if (f.size > MAX_VV_BYTES) {
      this.note = STRINGS.tooLarge;
      return;
    }
    const text = await f.text();
    this.dispatchEvent(new CustomEvent('vvfile', { detail: { name: f.name, text }, bubbles: true, composed: true }));
  }

  /** say what the opened file asked for that does not apply here */
  showIgnored(info: { unknownKeys: string[]; notApplied: Array<{ key: string }>; deleteThisFile: boolean }): void {
    const items = [...info.unknownKeys, ...info.notApplied.map((n) => n.key), ...(info.deleteThisFile ? [STRINGS.cannotDelete] : [])];
    this.note = items.length ? `${STRINGS.ignored} ${items.join(', ')}` : '';
  }

  showError(message: string): void {
    this.note = message;
  }

  protected override render() {
    return html`
      <button part="button" title=${STRINGS.openTitle} @click=${() => this.#input?.click()}>${STRINGS.open}</button>
      <input type="file" accept=".vv,application/x-virt-viewer" aria-label=${STRINGS.open}
        @change=${(e: Event) => {
          const input = e.target as HTMLInputElement;
          const f = input.files?.[0];
          input.value = '';
          if (f) void this.read(f);
        }} />
      ${this.note ? html`<span class="note" part="note" role="status">${this.note}</span>` : nothing}
      ${this.dragging ? html`<div class="drop">${STRINGS.dropHere}</div>` : nothing}
    `;
  }

  protected override firstUpdated(): void {
    this.#input = this.renderRoot.querySelector('input');
  }
}

if (!customElements.get('spice-vv-open')) customElements.define('spice-vv-open', VvOpenElement);

declare global {
  interface HTMLElementTagNameMap {
    'spice-vv-open': VvOpenElement;
  }
}
