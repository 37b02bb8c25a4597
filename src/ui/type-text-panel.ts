/**
 * <spice-type-text>: "type text" for people — a text field and a button that types its content
 * into the guest as key presses (`target.typeText()`): for guests without an agent (no shared
 * clipboard) and for text the local layout cannot type. Says which characters had no key.
 * Mount it in a panel with the client as target:
 *   html`<spice-type-text .target=${client}></spice-type-text>`
 * It dispatches `typed` ({skipped}) when done.
 */
import { LitElement, css, html } from 'lit';
import type { TypeTextTarget } from './touch-keyboard';

const STRINGS = {
  label: 'Text to type into the guest',
  type: 'Type',
  typing: 'Typing…',
  done: 'Typed.',
  skipped: (chars: string) => `Typed, except characters with no key on a US keyboard: ${chars}`,
  failed: (why: string) => `Not typed: ${why}`,
};

export class TypeTextPanel extends LitElement {
  static override properties = { busy: { state: true }, result: { state: true } };
  static override styles = css`
    :host { display: flex; flex-direction: column; gap: 4px; }
    textarea { min-height: 4em; font: inherit; }
  `;

  declare busy: boolean;
  declare result: string;
  target: TypeTextTarget | null = null;

  constructor() {
    super();
    this.busy = false;
    this.result = '';
  }

  override render() {
    return html`<label>${STRINGS.label}<br /><textarea></textarea></label>
      <div><button type="button" ?disabled=${this.busy} @click=${() => void this.type()}>${this.busy ? STRINGS.typing : STRINGS.type}</button>
        <span class="result" role="status">${this.result}</span></div>`;
  }

  /** type the field's text; resolves with the characters that had no key */
  async type(): Promise<string[]> {
    const field = this.renderRoot.querySelector('textarea');
    const text = field?.value ?? '';
    if (!text || !this.target) return [];
    this.busy = true;
    try {
      const skipped = await this.target.typeText(text);
      this.result = skipped.length ? STRINGS.skipped(skipped.join(' ')) : STRINGS.done;
      this.dispatchEvent(new CustomEvent('typed', { detail: { skipped } }));
      return skipped;
    } catch (e) {
      this.result = STRINGS.failed(e instanceof Error ? e.message : String(e));
      return [];
    } finally {
      this.busy = false;
    }
  }
}

if (!customElements.get('spice-type-text')) customElements.define('spice-type-text', TypeTextPanel);
