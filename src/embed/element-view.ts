/**
 * <spice-client>'s look: its styles and its template (toolbar with the status area, clipboard
 * panel, the screen with the password prompt and the enable-sound button, the two dialogs), kept
 * apart from element.ts, which holds the element's behaviour and public API.
 */
import { css, html, nothing } from 'lit';
import type { ClientStats, SessionStatus } from '../session/index';
import type { ConnectRequest } from '../ui/connect-dialog';
import { t } from '../ui/i18n/index';
import type { UiPrefs } from '../ui/prefs';
import { statusArea } from '../ui/status-area';
import type { SpiceToolbar } from '../ui/toolbar';
import type { StatusContext } from '../ui/status-text';
import type { SpiceClientEventDetails } from './events';
import { toolbarItems, type UiHost } from './toolbar-items';
// the elements the template uses
import '../ui/toolbar';
import '../ui/settings-dialog';
import '../ui/connect-dialog';
import '../ui/type-text-panel';
import '../ui/stats-overlay';
import '../ui/touch-keyboard';

/** the SpiceClient's events the element re-dispatches */
export const FORWARDED: Array<keyof SpiceClientEventDetails> = [
  'connect', 'disconnect', 'reconnecting', 'credentialsrequired', 'spiceerror', 'status', 'resize', 'monitors', 'firstframe', 'channel', 'mousemode', 'migration',
  'agent', 'clipboard', 'filetransfer', 'audio', 'microphone',
];

export const elementStyles = css`

    :host { display: flex; flex-direction: column; position: relative; width: 100%; height: 100%; background: #1e1e1e; color: #ddd; font: 13px system-ui, sans-serif; }
    .status-area { display: flex; align-items: center; gap: 6px; flex-wrap: wrap; flex: 1 1 14em; min-width: 10em; }
    .status { flex: 1 1 10em; min-width: 8em; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
    .status[data-state='connected'] { color: #9c9; }
    .status[data-error] { color: #ffb0b0; white-space: normal; }
    .tech { flex-basis: 100%; font: 11px monospace; color: #ccc; word-break: break-all; }
    button { background: #3a3a3a; color: #eee; border: 1px solid #5a5a5a; border-radius: 4px; padding: 3px 8px; min-height: 28px; font: inherit; cursor: pointer; }
    button:hover { background: #4a4a4a; }
    :focus-visible { outline: 2px solid #6cf; outline-offset: 1px; }
    .screen { flex: 1; }
    .screen:focus-visible { outline-offset: -2px; }
    form.pw { position: absolute; inset: 0; margin: auto; width: min(320px, calc(100% - 24px)); height: fit-content; padding: 16px; background: #2b2b2b; border: 1px solid #555; border-radius: 6px; display: flex; flex-direction: column; gap: 8px; z-index: 1; }
    form.pw input { font: inherit; padding: 6px; color: #eee; background: #1e1e1e; border: 1px solid #777; border-radius: 4px; }
    .clip { display: flex; gap: 8px; padding: 4px 8px; background: #2b2b2b; }
    .clip textarea { flex: 1; height: 4em; font: 12px monospace; }
    .stage { flex: 1; display: flex; position: relative; min-height: 0; }
    spice-touch-keyboard.osk { position: absolute; left: 12px; bottom: 12px; z-index: 1; }
    .clip spice-type-text { flex: 1; }
    button.sound { position: absolute; right: 12px; bottom: 12px; z-index: 1; padding: 6px 12px; background: #2d5a8a; border-color: #6ab; }
  `;

/** the element's state the template reads and the calls it makes */
export interface ElementState {
  readonly status: SessionStatus;
  readonly prefs: UiPrefs;
  readonly lang: string;
  readonly clipPanel: boolean;
  readonly agentOn: boolean;
  readonly askPassword: string | null;
  readonly soundBlocked: boolean;
  readonly connectError: string;
  readonly typePanel: boolean;
  readonly statsOn: boolean;
  readonly viewOnly: boolean;
  typeText(text: string): Promise<string[]>;
  stats(): Promise<ClientStats>;
  details: boolean;
  setClipboard(text: string): boolean;
  enableAudio(): Promise<void>;
  applyPrefs(p: UiPrefs, save: boolean): void;
}

/** a touch screen is the main pointer: the on-screen keyboard button shows */
const COARSE = () => !!globalThis.matchMedia?.('(pointer: coarse)').matches;

export interface ElementExtras {
  screen: HTMLElement;
  guestText: string;
  ctx: StatusContext;
  submitPassword(e: Event): void;
  connectTo(r: ConnectRequest): void;
}

export function renderElement(el: ElementState, host: UiHost, x: ElementExtras) {
  const st = el.status;
  const lang = el.lang; // the language in effect (element.ts sets it from the settings)
  return html`
    <spice-toolbar part="toolbar" lang=${lang} .items=${toolbarItems(host)} ?autohide=${el.prefs.autoHide && st.state === 'connected' && !st.error}>
      ${statusArea(st, x.ctx, el.details, () => (el.details = !el.details))}
    </spice-toolbar>
    ${el.clipPanel && el.agentOn
      ? html`<div class="clip" part="clipboard"><textarea .value=${x.guestText} aria-label=${t('clip.text')}></textarea>
          <button @click=${(e: Event) => el.setClipboard(((e.target as HTMLElement).previousElementSibling as HTMLTextAreaElement).value)} title=${t('clip.send.title')}>${t('clip.send')}</button></div>`
      : nothing}
    ${el.typePanel && st.state === 'connected'
      ? html`<div class="clip" part="type-text"><spice-type-text .target=${el}></spice-type-text></div>`
      : nothing}
    <div class="stage" @pointermove=${(e: PointerEvent) => {
      // an auto-hidden toolbar comes back when the pointer reaches the top edge
      const bar = (e.currentTarget as HTMLElement).parentNode?.querySelector('spice-toolbar') as SpiceToolbar | null;
      const y = e.clientY - (e.currentTarget as HTMLElement).getBoundingClientRect().top;
      if (!el.prefs.autoHide || !bar) return;
      if (y < 8) bar.show();
      else if (y > bar.offsetHeight + 16) bar.hideSoon();
    }}>
      ${x.screen}
      ${el.statsOn && st.state === 'connected' ? html`<spice-stats-overlay .source=${el}></spice-stats-overlay>` : nothing}
      ${COARSE() && st.state === 'connected' && !el.viewOnly ? html`<spice-touch-keyboard class="osk" .target=${el}></spice-touch-keyboard>` : nothing}
      ${el.askPassword !== null
        ? html`<form class="pw" @submit=${x.submitPassword}>
            <label for="pw">${t('pw.refused')}</label>
            <input id="pw" type="password" autocomplete="current-password" autofocus />
            <button type="submit">${t('pw.connect')}</button>
          </form>`
        : nothing}
      ${el.soundBlocked && el.prefs.sound
        ? html`<button class="sound" @click=${() => void el.enableAudio()} title=${t('sound.enable.title')}>🔇 ${t('sound.enable')}</button>`
        : nothing}
    </div>
    <spice-settings lang=${lang} @save=${(e: CustomEvent<UiPrefs>) => el.applyPrefs(e.detail, true)}></spice-settings>
    <spice-connect lang=${lang} .error=${el.connectError} @connect=${(e: CustomEvent<ConnectRequest>) => x.connectTo(e.detail)}><slot name="connect"></slot></spice-connect>
  `;
}
