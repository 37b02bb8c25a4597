/**
 * The status area (rendered into the toolbar's "status" slot, in the element's own shadow root so
 * `.status` stays where pages and tests look for it): the sentence, and for errors a Details
 * toggle that shows the technical text (also the tooltip).
 */
import { html, nothing } from 'lit';
import type { SessionStatus } from '../session/index';
import { t } from './i18n/index';
import { describeStatus, type StatusContext } from './status-text';

export function statusArea(st: SessionStatus, ctx: StatusContext, details: boolean, toggle: () => void) {
  const v = describeStatus(st, ctx);
  return html`<div slot="status" class="status-area">
    <span class="status" role="status" aria-live="polite" title=${v.technical} data-state=${st.state} ?data-error=${v.error}>${v.text}</span>
    ${v.error
      ? html`<button class="details" aria-expanded=${String(details)} aria-controls="status-tech" title=${t('status.details.title')} @click=${toggle}>${t('status.details')}</button>`
      : nothing}
    ${v.error && details ? html`<code id="status-tech" class="tech">${v.technical}</code>` : nothing}
  </div>`;
}

/** save a PNG Blob as a download named after the time */
export function downloadPng(blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `spice-${new Date().toISOString().replace(/[:.]/g, '-')}.png`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
