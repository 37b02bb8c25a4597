/**
 * <spice-monitor-menu>: one button per monitor that opens it in its own window
 * (openMonitorWindow, embed/monitor-window.ts). The button's click is the user activation the
 * popup needs, so the window must be opened from here, not later. Hidden with fewer than two
 * monitors. Not mounted by <spice-client> itself; a toolbar mounts it with
 *   html`<spice-monitor-menu .client=${this}></spice-monitor-menu>`
 * (or a page next to a SpiceClient / <spice-client>: `menu.client = el`).
 */
import { LitElement, css, html, nothing } from 'lit';
import type { MonitorInfo } from '../session/index';
import type { MonitorWindowInfo } from './monitor-window';

const STRINGS = {
  label: 'Monitors',
  open: (n: number) => `Monitor ${n} ↗`,
  title: (n: number, w: number, h: number) => `Show monitor ${n} (${w}×${h}) in its own window, on another screen when the browser allows`,
};

/** what the menu needs: SpiceClient and <spice-client> both have it */
export interface MonitorWindowHost extends EventTarget {
  readonly monitors: MonitorInfo[];
  openMonitorWindow(index: number): Promise<MonitorWindowInfo>;
}

export class SpiceMonitorMenu extends LitElement {
  static override properties = {
    client: { attribute: false },
    monitors: { state: true },
    error: { state: true },
  };

  declare client: MonitorWindowHost | null;
  declare monitors: MonitorInfo[];
  declare error: string;
  #watched: MonitorWindowHost | null = null;
  #onMonitors = () => (this.monitors = this.client?.monitors ?? []);

  static override styles = css`
    :host { display: inline-flex; gap: 4px; align-items: center; }
    :host([hidden]) { display: none; }
    .error { color: #f99; }
  `;

  constructor() {
    super();
    this.client = null;
    this.monitors = [];
    this.error = '';
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (!changed.has('client') || this.client === this.#watched) return;
    this.#watched?.removeEventListener('monitors', this.#onMonitors);
    this.#watched = this.client;
    this.#watched?.addEventListener('monitors', this.#onMonitors);
    this.monitors = this.client?.monitors ?? [];
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#watched?.removeEventListener('monitors', this.#onMonitors);
    this.#watched = null;
  }

  override render() {
    if (this.monitors.length < 2) return nothing;
    return html`<span>${STRINGS.label}:</span>
      ${this.monitors.map((m, i) => html`<button data-monitor=${i} title=${STRINGS.title(i + 1, m.width, m.height)} @click=${() => this.#open(i)}>${STRINGS.open(i + 1)}</button>`)}
      ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}`;
  }

  #open(i: number): void {
    this.error = '';
    this.client?.openMonitorWindow(i).catch((e: unknown) => (this.error = e instanceof Error ? e.message : String(e)));
  }
}

if (!customElements.get('spice-monitor-menu')) customElements.define('spice-monitor-menu', SpiceMonitorMenu);
