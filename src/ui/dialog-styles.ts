/** Shared look of the modal dialogs (settings, connect): native <dialog> with showModal(). */
import { css } from 'lit';

export const dialogStyles = css`
  dialog { background: #2b2b2b; color: #eee; border: 1px solid #666; border-radius: 8px; padding: 0; width: min(34em, calc(100vw - 24px)); max-height: calc(100vh - 24px); box-shadow: 0 8px 32px #000a; font: 14px system-ui, sans-serif; }
  dialog::backdrop { background: #0008; }
  form { display: flex; flex-direction: column; gap: 12px; padding: 16px 18px; }
  h2 { margin: 0 0 4px; font-size: 17px; font-weight: 600; }
  label { display: flex; flex-direction: column; gap: 4px; }
  label.check { flex-direction: row; align-items: flex-start; gap: 8px; }
  input, select, textarea { font: inherit; color: #eee; background: #1e1e1e; border: 1px solid #777; border-radius: 4px; padding: 6px; }
  input[type='checkbox'] { margin: 2px 0 0; width: 18px; height: 18px; flex: none; }
  textarea { min-height: 6em; font-family: monospace; resize: vertical; }
  .buttons { display: flex; justify-content: flex-end; gap: 8px; flex-wrap: wrap; }
  button { font: inherit; padding: 6px 16px; min-height: 34px; border-radius: 4px; border: 1px solid #777; background: #3a3a3a; color: #eee; cursor: pointer; }
  button.primary { background: #2d5a8a; border-color: #6ab; }
  :focus-visible { outline: 2px solid #6cf; outline-offset: 1px; }
  .error { color: #ffb0b0; background: #4a1f1f; border: 1px solid #a55; border-radius: 4px; padding: 8px; margin: 0; }
`;
