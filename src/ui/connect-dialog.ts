/**
 * <spice-connect>: the dialog shown when nothing is configured (`?autoconnect=0`, a page without
 * connection parameters, or parameters that could not be read). It asks for what ConnectSettings
 * takes: the proxy's WebSocket URL, an optional token (the proxy maps it to a server) and the
 * password, and dispatches 'connect' with { url, password } — the token already in the URL.
 */
import { LitElement, html } from 'lit';
import { t } from './i18n/index';
import { dialogStyles } from './dialog-styles';

export interface ConnectRequest {
  url: string;
  password: string;
}

/** the WebSocket URL for the fields (http(s) is taken as ws(s)); null when it is not one */
export function connectUrl(address: string, token: string): string | null {
  let u: URL;
  try {
    u = new URL(address.trim());
  } catch {
    return null;
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') u = new URL(u.href.replace(/^http/, 'ws'));
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return null;
  if (token.trim()) u.searchParams.set('token', token.trim());
  return u.toString();
}

/** the words for what went wrong before the dialog: a page parameter (SettingsError: param, value), or any error */
export function connectErrorText(e: unknown): string {
  const o = e as { param?: string; value?: string; message?: string } | null | undefined;
  if (!o) return '';
  return o.param ? t('connect.badParam', { param: o.param, value: o.value ?? '' }) : String(o.message ?? o);
}

export class SpiceConnectDialog extends LitElement {
  static override properties = { url: { type: String }, error: { type: String }, lang: { type: String } };
  declare url: string;
  /** shown at the top of the dialog (a bad page parameter, a URL that is not one) */
  declare error: string;
  static override styles = dialogStyles;

  constructor() {
    super();
    this.url = '';
    this.error = '';
  }

  get isOpen(): boolean {
    return !!this.renderRoot.querySelector('dialog')?.open;
  }

  async open(): Promise<void> {
    await this.updateComplete;
    const d = this.renderRoot.querySelector('dialog')!;
    if (!d.open) d.showModal();
  }

  close(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  #submit(e: Event): void {
    e.preventDefault();
    const f = e.target as HTMLFormElement;
    const v = (n: string) => (f.elements.namedItem(n) as HTMLInputElement).value;
    const url = connectUrl(v('url'), v('token'));
    if (!url) {
      this.error = t('connect.badUrl', { url: v('url') });
      return;
    }
    this.error = '';
    this.close();
    this.dispatchEvent(new CustomEvent<ConnectRequest>('connect', { detail: { url, password: v('password') } }));
  }

  protected override render() {
    return html`<dialog aria-labelledby="cd-title">
      <form method="dialog" @submit=${this.#submit}>
        <h2 id="cd-title">${t('connect.title')}</h2>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
        <label>${t('connect.url')}<input name="url" type="url" required .value=${this.url} autocomplete="url" spellcheck="false" /></label>
        <label>${t('connect.token')}<input name="token" type="text" autocomplete="off" spellcheck="false" /></label>
        <label>${t('connect.password')}<input name="password" type="password" autocomplete="current-password" /></label>
        <slot></slot>
        <div class="buttons">
          <button type="button" @click=${() => this.close()}>${t('connect.close')}</button>
          <button type="submit" class="primary">${t('connect.submit')}</button>
        </div>
      </form>
    </dialog>`;
  }
}

if (!customElements.get('spice-connect')) customElements.define('spice-connect', SpiceConnectDialog);
