// A modal <dialog>: focus moves in, Tab stays in, Escape closes, focus returns to the opener.
import { h } from './dom.js';

let dialogs = 0;

export function openDialog(title, opener) {
  const id = `dialog-title-${++dialogs}`;
  const body = h('div', { class: 'content' });
  const dialog = h('dialog', { 'aria-labelledby': id },
    h('div', { class: 'body' }, h('h2', { id, tabindex: '-1' }, title), body));
  const cleanups = [];
  let closed = false;
  dialog.addEventListener('close', () => {
    closed = true;
    for (const cleanup of cleanups) cleanup();
    dialog.remove();
    if (opener?.isConnected) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal(); // the rest of the page is inert; Escape fires "cancel" then "close"
  dialog.querySelector('h2').focus();
  return {
    dialog,
    body,
    close: () => dialog.close(),
    onClose: (cleanup) => (closed ? cleanup() : cleanups.push(cleanup)),
    /** A button row; `Close` is always the last button. */
    buttons: (...buttons) => h('div', { class: 'buttons' }, ...buttons,
      h('button', { type: 'button', onclick: () => dialog.close() }, buttons.length ? 'Cancel' : 'Close')),
  };
}
