/**
 * <spice-toolbar>: the app bar. Its buttons are data: `items` is a list of ToolItem (a button,
 * or a menu of entries), so adding a control is one entry in the owner's list. The status area
 * comes in through the "status" slot. With `autohide` it slides away over the screen and comes
 * back when the owner calls show() (pointer at the top edge), when it gets focus, or through its
 * small handle (a real button, reachable by keyboard). On narrow widths the labels collapse to
 * icons (the label stays the accessible name) and the bar wraps.
 */
import { LitElement, css, html, nothing, svg } from 'lit';
import { t } from './i18n/index';
import { ICONS } from './icons';

export interface MenuEntry {
  id: string;
  label: string;
  run: () => void;
  /** a choice that is on (shown as a checked radio item) */
  checked?: boolean;
}

export interface ToolItem {
  id: string;
  label: string;
  title?: string;
  /** a key of ICONS; items without one always show their label */
  icon?: string;
  run?: () => void;
  /** entries of a menu this button opens */
  menu?: MenuEntry[];
  /** a toggle that is on (aria-pressed) */
  pressed?: boolean;
  disabled?: boolean;
}

const icon = (name: string | undefined) => (name && ICONS[name] ? html`<svg viewBox="0 0 24 24" aria-hidden="true">${ICONS[name]}</svg>` : nothing);

export class SpiceToolbar extends LitElement {
  static override properties = {
    items: { attribute: false },
    autohide: { type: Boolean, reflect: true },
    shown: { type: Boolean, reflect: true },
    narrow: { type: Boolean, reflect: true },
    lang: { type: String },
    openMenu: { state: true },
  };

  declare items: ToolItem[];
  declare autohide: boolean;
  /** visible while auto-hiding */
  declare shown: boolean;
  declare narrow: boolean;
  declare openMenu: string | null;
  #hideTimer: ReturnType<typeof setTimeout> | null = null;
  #ro: ResizeObserver | null = null;

  constructor() {
    super();
    this.items = [];
    this.autohide = false;
    this.shown = false;
    this.narrow = false;
    this.openMenu = null;
    this.addEventListener('focusin', () => this.show());
    this.addEventListener('focusout', () => this.hideSoon());
    this.addEventListener('pointerenter', () => this.show());
    this.addEventListener('pointerleave', () => this.hideSoon());
    this.addEventListener('keydown', (e) => this.#key(e));
  }

  static override styles = css`
    :host { display: block; background: #2b2b2b; border-bottom: 1px solid #111; color: #ddd; z-index: 3; flex: none; }
    :host([autohide]) { position: absolute; top: 0; left: 0; right: 0; transform: translateY(-100%); transition: transform 0.15s; }
    :host([autohide][shown]) { transform: none; }
    .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 6px; padding: 3px 8px; }
    ::slotted([slot='status']) { flex: 1 1 14em; min-width: 10em; }
    .items { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
    button { display: inline-flex; align-items: center; gap: 5px; background: #3a3a3a; color: #eee; border: 1px solid #5a5a5a; border-radius: 4px; padding: 3px 8px; min-height: 34px; font: inherit; cursor: pointer; }
    button:hover { background: #4a4a4a; }
    button:focus-visible, [role='menuitemradio']:focus-visible, [role='menuitem']:focus-visible { outline: 2px solid #6cf; outline-offset: 1px; }
    button[aria-pressed='true'] { background: #2d5a8a; border-color: #6ab; }
    button:disabled { opacity: 0.5; cursor: default; }
    svg { width: 18px; height: 18px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; flex: none; }
    :host([narrow]) .lbl.hideable { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    :host([narrow]) button { padding: 3px 6px; min-width: 34px; justify-content: center; }
    .wrap { position: relative; }
    [role='menu'] { position: absolute; top: calc(100% + 4px); left: 0; min-width: 13em; max-height: 70vh; overflow: auto; background: #333; border: 1px solid #666; border-radius: 4px; padding: 4px; display: flex; flex-direction: column; z-index: 4; box-shadow: 0 4px 16px #0008; }
    [role='menu'] button, :host([narrow]) [role='menu'] button { justify-content: flex-start; min-height: 34px; border: none; background: none; justify-content: flex-start; white-space: nowrap; border-radius: 3px; }
    [role='menu'] button:hover, [role='menu'] button:focus { background: #2d5a8a; }
    .check { width: 1em; display: inline-block; }
    .handle { position: absolute; top: 100%; left: 50%; transform: translateX(-50%); min-height: 0; padding: 0 14px; height: 14px; border-radius: 0 0 6px 6px; border-top: none; background: #2b2b2bd0; }
    .handle svg { width: 14px; height: 14px; }
    :host(:not([autohide])) .handle, :host([shown]) .handle { display: none; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => this.#fit()) : null;
    this.#ro?.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#ro?.disconnect();
    if (this.#hideTimer) clearTimeout(this.#hideTimer);
  }

  /** the width the labelled buttons and the status need on one line (measured while labelled) */
  #perItem = 0;

  /**
   * Icons only when the labelled bar would not fit on one line (the bar keeps its height either
   * way). Labelled widths are measured while labelled; in icon mode the average stands in.
   */
  #fit(): void {
    const items = [...this.renderRoot.querySelectorAll<HTMLElement>('.items > *')];
    if (!this.narrow && items.length) this.#perItem = items.reduce((a, b) => a + b.getBoundingClientRect().width + 4, 0) / items.length;
    this.narrow = this.clientWidth < this.#perItem * items.length + 16 * 14;
  }

  protected override firstUpdated(): void {
    this.#fit();
  }

  show(): void {
    if (this.#hideTimer) clearTimeout(this.#hideTimer);
    this.#hideTimer = null;
    this.shown = true;
  }

  /** from the handle: show, and move the focus onto the first control (the handle itself goes away) */
  #reveal(): void {
    this.show();
    void this.updateComplete.then(() => (this.renderRoot.querySelector('.items button') as HTMLElement | null)?.focus());
  }

  /**
   * Hide in a moment (auto-hide only) unless the pointer is over it, a menu is open or the
   * keyboard focus (focus-visible, not a mouse click's) is in it.
   */
  hideSoon(): void {
    if (!this.autohide || !this.shown || this.#hideTimer) return;
    this.#hideTimer = setTimeout(() => {
      this.#hideTimer = null;
      if (this.matches(':hover') || this.renderRoot.querySelector(':focus-visible') || this.openMenu) return;
      this.shown = false;
    }, 800);
  }

  #toggleMenu(id: string): void {
    this.openMenu = this.openMenu === id ? null : id;
    if (!this.openMenu) return;
    void this.updateComplete.then(() => {
      const menu = this.renderRoot.querySelector('[role="menu"]') as HTMLElement | null;
      if (!menu) return;
      // keep the menu inside the window (a button near the right edge opens it leftwards)
      const r = menu.getBoundingClientRect();
      const over = r.right - (document.documentElement.clientWidth - 4);
      if (over > 0) menu.style.left = `${-Math.min(over, r.left - 4)}px`;
      (menu.querySelector('button') as HTMLElement | null)?.focus();
    });
  }

  #closeMenu(refocus: boolean): void {
    const id = this.openMenu;
    this.openMenu = null;
    if (refocus && id) (this.renderRoot.querySelector(`[data-id="${id}"]`) as HTMLElement | null)?.focus();
  }

  #key(e: KeyboardEvent): void {
    if (!this.openMenu) return;
    const entries = [...this.renderRoot.querySelectorAll<HTMLElement>('[role="menu"] button')];
    const i = entries.indexOf((this.renderRoot as ShadowRoot).activeElement as HTMLElement);
    const go = (n: number) => entries[(n + entries.length) % entries.length]?.focus();
    if (e.key === 'Escape') this.#closeMenu(true);
    else if (e.key === 'ArrowDown') go(i + 1);
    else if (e.key === 'ArrowUp') go(i - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(-1);
    else return;
    e.preventDefault();
    e.stopPropagation();
  }

  #outside = (e: Event) => {
    if (this.openMenu && !e.composedPath().some((n) => (n as HTMLElement).classList?.contains('wrap'))) this.#closeMenu(false);
  };

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('items')) this.#fit();
    if (this.openMenu) document.addEventListener('pointerdown', this.#outside, true);
    else document.removeEventListener('pointerdown', this.#outside, true);
  }

  #item(it: ToolItem) {
    const lbl = html`<span class="lbl ${it.icon ? 'hideable' : ''}">${it.label}</span>`;
    if (!it.menu) {
      return html`<button data-id=${it.id} title=${it.title ?? it.label} aria-pressed=${it.pressed === undefined ? nothing : String(it.pressed)} ?disabled=${it.disabled} @click=${() => it.run?.()}>${icon(it.icon)}${lbl}</button>`;
    }
    const open = this.openMenu === it.id;
    const radio = it.menu.some((m) => m.checked !== undefined);
    return html`<span class="wrap">
      <button data-id=${it.id} title=${it.title ?? it.label} aria-haspopup="menu" aria-expanded=${String(open)} ?disabled=${it.disabled} @click=${() => this.#toggleMenu(it.id)}>${icon(it.icon)}${lbl}<svg viewBox="0 0 24 24" aria-hidden="true" style="width:12px;height:12px">${ICONS.down}</svg></button>
      ${open
        ? html`<div role="menu" aria-label=${it.label}>
            ${it.menu.map((m) => html`<button role=${radio ? 'menuitemradio' : 'menuitem'} aria-checked=${radio ? String(!!m.checked) : nothing} tabindex="-1" @click=${() => { this.#closeMenu(true); m.run(); }}>${radio ? html`<span class="check" aria-hidden="true">${m.checked ? '●' : ''}</span>` : nothing}${m.label}</button>`)}
          </div>`
        : nothing}
    </span>`;
  }

  protected override render() {
    return html`<div class="bar" role="toolbar" aria-label=${t('toolbar.label')}>
        <slot name="status"></slot>
        <div class="items">${this.items.map((it) => this.#item(it))}</div>
      </div>
      <button class="handle" aria-label=${t('toolbar.show')} title=${t('toolbar.show')} @focus=${() => this.#reveal()} @click=${() => this.#reveal()}><svg viewBox="0 0 24 24" aria-hidden="true">${svg`<path d="M6 9l6 6 6-6"/>`}</svg></button>`;
  }
}

if (!customElements.get('spice-toolbar')) customElements.define('spice-toolbar', SpiceToolbar);
