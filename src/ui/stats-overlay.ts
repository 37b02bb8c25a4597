/**
 * <spice-stats-overlay>: the live figures of issue 8 (fps shown / received / dropped, codec,
 * bit rate, decode time, frame timing and, with sound, the audio-to-video offset, audio buffer
 * and latency, round trip) over the
 * screen, refreshed once a second from `source.stats()` (a SpiceClient or <spice-client>).
 * It polls only while it is in the document and `source` is set; the numbers are the ones
 * SpiceClient.stats() returns, which the benchmarks and e2e tests print.
 *
 * Mount: `<spice-stats-overlay .source=${client}></spice-stats-overlay>` inside a positioned
 * container (it places itself top-left, absolutely); removing it stops the polling.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { ClientStats } from '../session/media-stats';

/** user-visible strings (to move into the i18n catalogue) */
const STRINGS = {
  title: 'Statistics',
  monitor: (ids: number[]) => `Monitor ${ids.join(', ')}`,
  noVideo: 'no video stream',
  video: (shown: string, received: string, dropped: string) => `${shown} fps shown · ${received} received · ${dropped} dropped`,
  codec: 'codec',
  bitrate: 'bit rate',
  decode: 'decode',
  timing: 'frame timing p50 / p95',
  sync: 'A/V offset p50 / p95',
  audio: 'sound',
  audioOff: 'off',
  audioLine: (buffered: string, latency: string, underruns: number) => `buffer ${buffered} ms · latency ${latency} ms · ${underruns} underruns`,
  roundTrip: 'round trip',
  unknown: '—',
  failed: 'no figures (not connected)',
} as const;

export interface StatsSource {
  stats(): Promise<ClientStats>;
}

const f1 = (n: number) => n.toFixed(1);
const f0 = (n: number) => n.toFixed(0);

export class SpiceStatsOverlay extends LitElement {
  static override properties = {
    source: { attribute: false },
    figures: { state: true },
    failed: { state: true },
  };

  declare source: StatsSource | null;
  declare figures: ClientStats | null;
  declare failed: boolean;
  #timer: ReturnType<typeof setInterval> | null = null;

  static override styles = css`
    :host {
      position: absolute;
      top: 8px;
      left: 8px;
      z-index: 5;
      pointer-events: none;
      font: 12px/1.4 ui-monospace, monospace;
      color: #e8f0e8;
      background: rgb(0 0 0 / 0.7);
      padding: 6px 8px;
      border-radius: 4px;
      /* on a narrow screen the values wrap inside the view instead of running off it */
      box-sizing: border-box;
      max-width: calc(100% - 16px);
    }
    h2 { font-size: 12px; margin: 0 0 2px; }
    /* one grid for every monitor and the sound, so all values line up in one column */
    .grid { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0 8px; }
    .row { grid-column: 1 / -1; }
    dl { display: contents; }
    dt { opacity: 0.75; white-space: nowrap; }
    dd { margin: 0; }
  `;

  constructor() {
    super();
    this.source = null;
    this.figures = null;
    this.failed = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** ask the source now (the timer does it once a second) */
  async refresh(): Promise<void> {
    const src = this.source;
    if (!src) return;
    try {
      this.figures = await src.stats();
      this.failed = false;
    } catch {
      this.failed = true;
    }
  }

  override render() {
    const s = this.figures;
    if (this.failed || !s) return html`<h2>${STRINGS.title}</h2><div>${this.failed ? STRINGS.failed : STRINGS.unknown}</div>`;
    const a = s.audio;
    return html`<h2>${STRINGS.title}</h2>
      <div class="grid">
      ${s.video.map((v) => html`
        <div class="row" part="monitor">${STRINGS.monitor(v.monitors)}</div>
        <div class="row">${v.codec ? STRINGS.video(f1(v.fpsShown), f1(v.fpsReceived), f1(v.fpsDropped)) : STRINGS.noVideo}</div>
        ${v.codec ? html`<dl>
          <dt>${STRINGS.codec}</dt><dd>${v.codec}</dd>
          <dt>${STRINGS.bitrate}</dt><dd>${f0(v.kbps)} kbit/s</dd>
          <dt>${STRINGS.decode}</dt><dd>${v.decodeMs === null ? STRINGS.unknown : `${f1(v.decodeMs)} ms`}</dd>
          <dt>${STRINGS.timing}</dt><dd>${v.offsetP50 === null ? STRINGS.unknown : `${f0(v.offsetP50)} / ${f0(v.offsetP95 ?? 0)} ms`}</dd>
          ${v.avP50 === null ? nothing : html`<dt>${STRINGS.sync}</dt><dd>${f0(v.avP50)} / ${f0(v.avP95 ?? 0)} ms</dd>`}
        </dl>` : nothing}`)}
      <dl>
        <dt>${STRINGS.audio}</dt><dd>${a?.playing ? `${a.mode} · ${STRINGS.audioLine(f0(a.bufferedMs), f0(a.latencyMs), a.underruns)}` : STRINGS.audioOff}</dd>
        <dt>${STRINGS.roundTrip}</dt><dd>${s.roundTripMs === null ? STRINGS.unknown : `${f1(s.roundTripMs)} ms`}</dd>
      </dl>
      </div>`;
  }
}

if (!customElements.get('spice-stats-overlay')) customElements.define('spice-stats-overlay', SpiceStatsOverlay);

declare global {
  interface HTMLElementTagNameMap {
    'spice-stats-overlay': SpiceStatsOverlay;
  }
}
