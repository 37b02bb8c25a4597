/**
 * <spice-touch-keyboard>: a button that raises the device's on-screen keyboard for the guest. A
 * phone shows its keyboard only for a focused editable field, so the button focuses a hidden
 * textarea; what the keyboard inputs there is typed into the guest with `target.typeText()`
 * (US-layout key presses), Enter and Backspace included. Characters without a key are shown for
 * a moment instead of being lost silently. Mount it in a toolbar with the client as target:
 *   html`<spice-touch-keyboard .target=${client}></spice-touch-keyboard>`
 */
import { LitElement, css, html } from 'lit';
import { textOfInput } from '../input/type-text';

export interface TypeTextTarget {
  typeText(text: string): Promise<string[]>;
}

const STRINGS = {
  button: 'Keyboard',
  buttonTitle: 'Show the on-screen keyboard (text goes to the guest)',
  fieldLabel: 'Text for the guest',
  notTyped: (chars: string) => `not typed (no key): ${chars}`,
};

export class TouchKeyboard extends LitElement {
  static override properties = { note: { state: true } };
  static override styles = css`
    :host { display: inline-block; position: relative; }
    textarea { position: absolute; left: 0; top: 0; width: 1px; height: 1px; opacity: 0; border: 0; padding: 0; resize: none; }
    .note { position: absolute; top: 100%; left: 0; white-space: nowrap; font-size: 12px; background: #222; color: #fff; padding: 2px 4px; }
  `;

  declare note: string;
  /** where typed text goes (a SpiceClient or <spice-client>) */
  target: TypeTextTarget | null = null;

  constructor() {
    super();
    this.note = '';
  }

  /** focus the hidden field: the device shows its keyboard */
  open(): void {
    this.renderRoot.querySelector('textarea')?.focus();
  }

  override render() {
    return html`<button type="button" title=${STRINGS.buttonTitle} @click=${() => this.open()}>${STRINGS.button}</button><textarea
        aria-label=${STRINGS.fieldLabel} autocapitalize="off" autocomplete="off" spellcheck="false" @input=${this.onInput}
        @keydown=${this.onKeydown}></textarea>${this.note ? html`<span class="note" role="status">${this.note}</span>` : ''}`;
  }

  private onKeydown(e: KeyboardEvent): void {
    // Enter and Backspace give no input event in an empty field on some keyboards
    if (e.key === 'Enter' || (e.key === 'Backspace' && !(e.target as HTMLTextAreaElement).value)) {
      e.preventDefault();
      this.send(e.key === 'Enter' ? '\n' : '\b');
    }
  }

  private onInput(e: Event): void {
    const ie = e as InputEvent;
    const text = textOfInput(ie.inputType ?? 'insertText', ie.data ?? (e.target as HTMLTextAreaElement).value);
    (e.target as HTMLTextAreaElement).value = ''; // every input is sent at once; the field stays empty
    if (text) this.send(text);
  }

  private send(text: string): void {
    this.target?.typeText(text).then((skipped) => {
      this.note = skipped.length ? STRINGS.notTyped(skipped.join('')) : '';
    }, () => undefined);
  }
}

if (!customElements.get('spice-touch-keyboard')) customElements.define('spice-touch-keyboard', TouchKeyboard);
