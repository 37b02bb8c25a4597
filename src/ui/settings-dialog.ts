/**
 * <spice-settings>: the settings dialog, a native modal <dialog> (the rest of the page is inert
 * while it is open, Esc closes it, focus returns to where it was). open(prefs) shows the given
 * choices; Save dispatches 'save' with the new UiPrefs; the owner applies and persists them.
 */
import { LitElement, html } from 'lit';
import { LANGUAGES, t } from './i18n/index';
import { dialogStyles } from './dialog-styles';
import { parseCombo } from './key-combos';
import { COMPRESSIONS, type ScaleMode, type UiPrefs } from './prefs';

export class SpiceSettingsDialog extends LitElement {
  static override properties = { prefs: { attribute: false }, lang: { type: String }, keysError: { state: true } };
  declare prefs: UiPrefs | null;
  declare keysError: string | null;
  static override styles = dialogStyles;

  constructor() {
    super();
    this.prefs = null;
    this.keysError = null;
  }

  get isOpen(): boolean {
    return !!this.renderRoot.querySelector('dialog')?.open;
  }

  async open(prefs: UiPrefs): Promise<void> {
    this.prefs = { ...prefs, keys: [...prefs.keys] };
    this.keysError = null;
    await this.updateComplete;
    const d = this.renderRoot.querySelector('dialog')!;
    const f = d.querySelector('form')!;
    f.reset();
    if (!d.open) d.showModal();
  }

  close(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  #save(e: Event): void {
    e.preventDefault();
    const f = e.target as HTMLFormElement;
    const v = (n: string) => (f.elements.namedItem(n) as HTMLInputElement | HTMLSelectElement);
    const keys = (v('keys').value).split('\n').map((s) => s.trim()).filter(Boolean);
    const bad = keys.find((k) => !parseCombo(k));
    if (bad) {
      this.keysError = t('settings.badKeys', { combo: bad });
      (v('keys') as HTMLElement).focus();
      return;
    }
    const prefs: UiPrefs = {
      scale: v('scale').value as ScaleMode,
      devicePixels: (v('devicePixels') as HTMLInputElement).checked,
      compression: v('compression').value,
      sound: (v('sound') as HTMLInputElement).checked,
      autoHide: (v('autoHide') as HTMLInputElement).checked,
      language: v('language').value,
      keys,
    };
    this.close();
    this.dispatchEvent(new CustomEvent('save', { detail: prefs }));
  }

  protected override render() {
    const p = this.prefs;
    const opt = (value: string, label: string, sel: string | undefined) => html`<option value=${value} ?selected=${value === sel}>${label}</option>`;
    return html`<dialog aria-labelledby="st-title">
      ${p
        ? html`<form method="dialog" @submit=${this.#save}>
            <h2 id="st-title">${t('settings.title')}</h2>
            <label>${t('settings.scale')}
              <select name="scale">${opt('fit', t('scale.fit'), p.scale)}${opt('none', t('scale.none'), p.scale)}${opt('remote', t('scale.remote'), p.scale)}</select></label>
            <label class="check"><input type="checkbox" name="devicePixels" .defaultChecked=${p.devicePixels} />${t('settings.devicePixels')}</label>
            <label>${t('settings.compression')}
              <select name="compression">${COMPRESSIONS.map((c) => opt(c, c || t('settings.compression.default'), p.compression))}</select></label>
            <label class="check"><input type="checkbox" name="sound" .defaultChecked=${p.sound} />${t('settings.sound')}</label>
            <label class="check"><input type="checkbox" name="autoHide" .defaultChecked=${p.autoHide} />${t('settings.autoHide')}</label>
            <label>${t('settings.language')}
              <select name="language">${opt('', t('settings.language.auto'), p.language)}${LANGUAGES.map(([c, n]) => opt(c, n, p.language))}</select></label>
            <label>${t('settings.keys')}
              <textarea name="keys" .defaultValue=${p.keys.join('\n')} aria-invalid=${this.keysError ? 'true' : 'false'} aria-describedby="st-err"></textarea></label>
            ${this.keysError ? html`<p class="error" id="st-err" role="alert">${this.keysError}</p>` : html`<span id="st-err" hidden></span>`}
            <div class="buttons">
              <button type="button" @click=${() => this.close()}>${t('settings.cancel')}</button>
              <button type="submit" class="primary">${t('settings.save')}</button>
            </div>
          </form>`
        : ''}
    </dialog>`;
  }
}

if (!customElements.get('spice-settings')) customElements.define('spice-settings', SpiceSettingsDialog);
